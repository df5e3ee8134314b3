import { describe, expect, it } from 'vitest';
import { currentWindow, daysLeft, dueDateLabel, nextWindow, openWindow, previousPeriod, shiftPeriod, windowFor } from '../../src/calendar/period';

const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
const at = (iso: string) => new Date(iso);

describe('periods in Asia/Shanghai, whatever the server zone', () => {
  it('runs with the server in UTC', () => {
    expect(new Date('2026-01-01T00:00:00').getTimezoneOffset()).toBe(0);
  });

  it('files the previous month', () => {
    expect(previousPeriod(at('2026-11-05T01:00:00Z'), cal)).toBe('2026-10');
  });

  it('answers each instant on its own, though it keeps the month it last found', () => {
    // Around the local month's start, to the millisecond, forwards and backwards; instants inside the
    // month kept (answered from it); another zone at the same instant; a calendar built afresh.
    const seq: [string, string, string][] = [
      ['2026-10-31T16:00:00.000Z', 'Asia/Shanghai', '2026-10'],
      ['2026-11-15T00:00:00.000Z', 'Asia/Shanghai', '2026-10'],
      ['2026-11-30T15:59:59.999Z', 'Asia/Shanghai', '2026-10'],
      ['2026-10-31T15:59:59.999Z', 'Asia/Shanghai', '2026-09'],
      ['2026-10-01T00:00:00.000Z', 'Asia/Shanghai', '2026-09'],
      ['2026-10-31T16:00:00.000Z', 'Asia/Shanghai', '2026-10'],
      ['2026-10-31T16:00:00.000Z', 'UTC', '2026-09'],
      ['2026-10-31T23:59:59.999Z', 'UTC', '2026-09'],
      ['2026-11-01T00:00:00.000Z', 'UTC', '2026-10'],
      ['2026-11-30T15:59:59.999Z', 'Asia/Shanghai', '2026-10'],
      ['2026-11-30T16:00:00.000Z', 'Asia/Shanghai', '2026-11'],
      ['2026-12-15T00:00:00.000Z', 'fresh Asia/Shanghai', '2026-11'],
      ['2026-11-30T15:59:59.999Z', 'fresh Asia/Shanghai', '2026-10'],
    ];
    const cals: Record<string, typeof cal> = { 'Asia/Shanghai': cal, UTC: { timezone: 'UTC', dueDay: 10 } };
    for (const [iso, name, period] of seq) {
      const calendar = name.startsWith('fresh ') ? { timezone: name.slice(6), dueDay: 15 } : cals[name]!;
      expect(previousPeriod(at(iso), calendar), `${iso} in ${name}`).toBe(period);
    }
  });

  it('answers for the zone a calendar has now, not the one it had when the month was kept', () => {
    const changing = { timezone: 'Asia/Shanghai', dueDay: 10 };
    expect(previousPeriod(at('2026-10-31T18:00:00Z'), changing)).toBe('2026-10');
    changing.timezone = 'UTC';
    expect(previousPeriod(at('2026-10-31T18:00:00Z'), changing)).toBe('2026-09');
  });

  it('crosses the year end: January files December of the year before', () => {
    expect(previousPeriod(at('2027-01-03T02:00:00Z'), cal)).toBe('2026-12');
    expect(windowFor('2026-12', cal)).toEqual({ period: '2026-12', opensAt: at('2026-12-31T16:00:00Z'), closesAt: at('2027-01-10T16:00:00Z') });
  });

  it('opens at local midnight of the 1st, which is still the previous month in UTC', () => {
    // 2026-11-01 00:30 in Shanghai is 2026-10-31 16:30 UTC.
    expect(openWindow(at('2026-10-31T16:30:00Z'), cal)?.period).toBe('2026-10');
    expect(openWindow(at('2026-10-31T15:59:59Z'), cal)).toBeNull();
  });

  it('stays open through the whole due day and closes at the next local midnight', () => {
    expect(openWindow(at('2026-11-10T15:59:59Z'), cal)?.period).toBe('2026-10'); // 23:59:59 on the 10th
    expect(openWindow(at('2026-11-10T16:00:00Z'), cal)).toBeNull(); // 00:00 on the 11th
  });

  it('uses the configured due day', () => {
    expect(openWindow(at('2026-11-12T01:00:00Z'), { ...cal, dueDay: 15 })?.period).toBe('2026-10');
    expect(dueDateLabel(windowFor('2026-10', { ...cal, dueDay: 15 }), cal)).toBe('11月15日');
  });

  it('names the next window after the current one has closed', () => {
    expect(nextWindow(at('2026-11-20T01:00:00Z'), cal)).toEqual(windowFor('2026-11', cal));
    expect(currentWindow(at('2026-11-20T01:00:00Z'), cal).period).toBe('2026-10');
  });

  it('shifts periods across year ends', () => {
    expect(shiftPeriod('2026-12', 1)).toBe('2027-01');
    expect(shiftPeriod('2027-01', -1)).toBe('2026-12');
    expect(shiftPeriod('2026-03', -14)).toBe('2025-01');
  });

  it('counts the days left, the due day counting as one', () => {
    const w = windowFor('2026-10', cal);
    expect(daysLeft(at('2026-11-01T01:00:00Z'), w, cal)).toBe(10);
    expect(daysLeft(at('2026-11-10T15:00:00Z'), w, cal)).toBe(1);
  });

  it('handles a zone with daylight saving', () => {
    const ny = { timezone: 'America/New_York', dueDay: 10 };
    expect(windowFor('2026-02', ny).opensAt).toEqual(at('2026-03-01T05:00:00Z'));
    expect(windowFor('2026-02', ny).closesAt).toEqual(at('2026-03-11T04:00:00Z'));
  });
});
