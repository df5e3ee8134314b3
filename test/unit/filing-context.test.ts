import { describe, expect, it } from 'vitest';
import { currentWindow, windowFor } from '../../src/calendar/period';
import { filingState, periodToFile } from '../../src/report/filing-context';

const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
const at = (s: string) => new Date(`${s}+08:00`);
const records = (over: Partial<Parameters<typeof periodToFile>[2]> = {}) => ({ reopenedPeriods: [], reopened: false, reports: {}, ...over });

describe('which period a school contact files, and whether it is open', () => {
  it('files the month whose window is open', () => {
    const now = at('2026-11-05T09:00:00');
    expect(periodToFile(now, currentWindow(now, cal), records())).toBe('2026-10');
  });

  it('puts a month staff reopened after the open month until that one is filed, then files the reopened one', () => {
    const now = at('2026-11-05T09:00:00');
    const window = currentWindow(now, cal);
    expect(periodToFile(now, window, records({ reopenedPeriods: ['2026-08'] }))).toBe('2026-10');
    expect(periodToFile(now, window, records({ reopenedPeriods: ['2026-08'], reports: { '2026-10': {} } }))).toBe('2026-08');
    // The open month itself reopened and filed again counts as not filed: it comes first.
    expect(periodToFile(now, window, records({ reopenedPeriods: ['2026-08'], reopened: true, reports: { '2026-10': {} } }))).toBe('2026-10');
  });

  it('files the newest reopened month once the window has closed', () => {
    const now = at('2026-11-20T09:00:00');
    expect(periodToFile(now, currentWindow(now, cal), records({ reopenedPeriods: ['2026-07', '2026-08'] }))).toBe('2026-08');
    expect(periodToFile(now, currentWindow(now, cal), records())).toBe('2026-10');
  });

  it('says why a period is open or not: its window, reopened by staff, before its window, closed', () => {
    const october = windowFor('2026-10', cal);
    expect(filingState(at('2026-11-10T23:59:59'), october, false)).toEqual({ open: true, reason: 'window' });
    expect(filingState(at('2026-11-11T00:00:00'), october, false)).toEqual({ open: false, reason: 'closed' });
    expect(filingState(at('2026-11-11T00:00:00'), october, true)).toEqual({ open: true, reason: 'reopened' });
    expect(filingState(at('2026-10-31T23:59:59'), october, false)).toEqual({ open: false, reason: 'before-window' });
  });
});
