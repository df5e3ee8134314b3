import { describe, expect, it } from 'vitest';
import { onPace, paceBasis, paceMonths, paceWords, schoolProgress } from '../../src/report/progress';
import { report } from '../fixtures/records';
import type { School } from '../../src/roster/roster';

const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
const at = (local: string) => new Date(`${local}+08:00`);
/** Target 12,000: a month's pace is 1,000. */
const TARGET = 12_000;

describe('pace: the months whose window has closed, and the open one for a school that filed it', () => {
  it('inside a window (11-05): 1–9月 for a school that has not filed October, 1–10月 for one that has', () => {
    const basis = paceBasis(2026, at('2026-11-05T09:00:00'), cal, { of: '2026-10', codes: ['filed'] });
    expect(basis).toMatchObject({ closed: 9, open: 10 });
    expect([paceMonths(basis, 'filed'), paceMonths(basis, 'owing')]).toEqual([10, 9]);
    expect([onPace(TARGET, paceMonths(basis, 'filed')), onPace(TARGET, paceMonths(basis, 'owing'))]).toEqual([10_000, 9_000]);
    expect([paceWords(basis, 'filed'), paceWords(basis, 'owing'), paceWords(basis)]).toEqual(['1–10月', '1–9月', '1–9月（已报10月的学校含10月）']);
    // Filings of another period than the open one do not count.
    expect(paceBasis(2026, at('2026-11-05T09:00:00'), cal, { of: '2026-09', codes: ['filed'] }).filedOpen.size).toBe(0);
  });

  it('the day after the close (11-11): October counts for every school, filed or zero report', () => {
    for (const now of [at('2026-11-11T00:00:00'), at('2026-11-11T09:00:00'), at('2026-11-30T23:59:00')]) {
      const basis = paceBasis(2026, now, cal, { of: '2026-10', codes: ['filed'] });
      expect(basis).toMatchObject({ closed: 10, open: null });
      expect([paceMonths(basis, 'filed'), paceMonths(basis, 'owing')]).toEqual([10, 10]);
      expect(paceWords(basis)).toBe('1–10月');
    }
    // The last minute of the 10th is still inside October's window.
    expect(paceBasis(2026, at('2026-11-10T23:59:00'), cal)).toMatchObject({ closed: 9, open: 10 });
  });

  it('in January: the year just ended has 1–11月 closed and December open; the new one nothing yet', () => {
    const last = paceBasis(2026, at('2027-01-05T09:00:00'), cal, { of: '2026-12', codes: ['filed'] });
    expect(last).toMatchObject({ closed: 11, open: 12 });
    expect([onPace(TARGET, paceMonths(last, 'filed')), onPace(TARGET, paceMonths(last, 'owing'))]).toEqual([12_000, 11_000]);
    const next = paceBasis(2027, at('2027-01-05T09:00:00'), cal);
    expect(next).toMatchObject({ closed: 0, open: null });
    expect(paceWords(next, 'any')).toBe('尚无截止的月份，');
    // From 01-11, December has closed: the whole year counts.
    expect(paceBasis(2026, at('2027-01-11T08:00:00'), cal)).toMatchObject({ closed: 12, open: null });
  });

  it('in December: 1–10月 closed, November open', () => {
    const basis = paceBasis(2026, at('2026-12-05T09:00:00'), cal, { of: '2026-11', codes: ['filed'] });
    expect(basis).toMatchObject({ closed: 10, open: 11 });
    expect([onPace(TARGET, paceMonths(basis, 'filed')), onPace(TARGET, paceMonths(basis, 'owing'))]).toEqual([11_000, 10_000]);
    expect(paceWords(basis, 'filed')).toBe('1–11月');
  });

  it('in February: only January can count, and only once filed', () => {
    const basis = paceBasis(2026, at('2026-02-05T09:00:00'), cal, { of: '2026-01', codes: ['filed'] });
    expect(basis).toMatchObject({ closed: 0, open: 1 });
    expect([paceWords(basis, 'filed'), paceWords(basis)]).toEqual(['1月', '（已报1月的学校含1月）']);
    expect(paceMonths(basis, 'owing')).toBe(0);
  });

  it('a school’s own progress reads the open month from its reports', () => {
    const school: School = { code: 's', name: '甲', city: '郑州', level: '高职', category: 'A', pilot: false, contacts: [] };
    const targets = { years: { 2026: { categories: { A: { all: 12_000, subsidized: 1_200 }, B: { all: 0, subsidized: 0 }, C: { all: 0, subsidized: 0 }, D: { all: 0, subsidized: 0 } }, pilotBonus: { 高职: 0, 中职: 0 }, province: { all: 0, subsidized: 0 }, workPlan: { poorHouseholdTrainees: 0 } } } } as never;
    const oct = report('s', '2026-10', 'filed', { trainees_students: 10 });
    const now = at('2026-11-05T09:00:00');
    expect(schoolProgress(school, [oct], '2026-10', targets, now, cal)).toMatchObject({ paceMonths: 10, paceWords: '1–10月' });
    expect(schoolProgress(school, [], '2026-10', targets, now, cal)).toMatchObject({ paceMonths: 9, paceWords: '1–9月' });
  });
});
