import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { localDaysBetween, localTime } from '../../src/calendar/local-time';

/** luxon's reading of the same instant: the reference. */
const reference = (ms: number, zone: string) => {
  const d = DateTime.fromMillis(ms, { zone });
  return { year: d.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute };
};

describe('localTime', () => {
  // Shanghai today and in its DST years (1986–1991); zones with DST, a half-hour DST and a 45-minute offset.
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'UTC'];

  it('reads the same wall clock as luxon, every 4 hours 7 minutes 13 seconds over two years, in each zone', () => {
    const from = Date.UTC(2025, 0, 1);
    for (const zone of zones) {
      for (let ms = from; ms < from + 2 * 366 * 86_400_000; ms += 14_833_000) expect(localTime(ms, zone), `${zone} ${new Date(ms).toISOString()}`).toEqual(reference(ms, zone));
    }
  });

  it('is exact on each side of a transition, to the second', () => {
    const transitions = [
      ['America/New_York', '2026-03-08T07:00:00Z'],
      ['America/New_York', '2026-11-01T06:00:00Z'],
      ['Europe/London', '2026-03-29T01:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'],
      ['Asia/Shanghai', '1991-04-13T18:00:00Z'],
      ['Asia/Shanghai', '1991-09-14T17:00:00Z'],
    ] as const;
    for (const [zone, at] of transitions) {
      const t = Date.parse(at);
      for (const ms of [t - 60_000, t - 1_000, t - 1, t, t + 1, t + 1_000, t + 60_000]) expect(localTime(ms, zone), `${zone} ${ms}`).toEqual(reference(ms, zone));
    }
  });

  it('counts calendar days between local dates', () => {
    // 23:59 on the 5th to 00:00 on the 6th in Shanghai (15:59Z and 16:00Z): one day.
    expect(localDaysBetween(Date.parse('2026-11-05T15:59:00Z'), Date.parse('2026-11-05T16:00:00Z'), 'Asia/Shanghai')).toBe(1);
    expect(localDaysBetween(Date.parse('2026-11-05T01:00:00Z'), Date.parse('2026-11-10T15:59:59Z'), 'Asia/Shanghai')).toBe(5);
    // Midnight to midnight across New York's spring-forward night (23 hours): one day.
    expect(localDaysBetween(Date.parse('2026-03-08T05:00:00Z'), Date.parse('2026-03-09T04:00:00Z'), 'America/New_York')).toBe(1);
  });
});
