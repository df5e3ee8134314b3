import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { nextSendingTime, DEFAULT_SCHEDULE, ScheduleError, latestFire, loadSchedule, planMonth, scheduleSchema } from '../../src/calendar/schedule';
import { WorkCalendar } from '../../src/calendar/work-calendar';
import { shiftPeriod, windowFor } from '../../src/calendar/period';

const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
const work = new WorkCalendar();
/** Fires as "job stage local-time" lines, read in Shanghai whatever the server's zone. */
const lines = (period: string, schedule = DEFAULT_SCHEDULE) =>
  planMonth(period, schedule, cal, work).map((f) => {
    const local = new Date(f.at.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    return `${f.job} ${f.stage} ${local}${f.lastCall ? ' last-call' : ''}${f.dueDayIsHoliday ? ' due-day-holiday' : ''}`;
  });

describe('the month’s schedule', () => {
  it('in a plain month: open, nudges on 5/8/10, close after the due day, notice, digests (the 5th, a Saturday, moved to Friday)', () => {
    expect(lines('2026-11')).toEqual([
      'open day-1 2026-12-01 09:10',
      'nudge day-5 2026-12-04 09:10',
      'digest day-5 2026-12-04 09:40',
      'nudge day-8 2026-12-08 09:10',
      'digest day-8 2026-12-08 09:40',
      'nudge day-10 2026-12-10 09:10 last-call',
      'close close 2026-12-11 00:05',
      'digest day-11 2026-12-11 09:40',
      'notice day-15 2026-12-15 09:10',
    ]);
  });

  it('moves a nudge on a weekend to the working day before, and says when the due day is a holiday', () => {
    // January 2026: the 10th is a Saturday.
    expect(lines('2025-12').filter((l) => l.startsWith('nudge'))).toEqual([
      'nudge day-5 2026-01-05 09:10 due-day-holiday',
      'nudge day-8 2026-01-08 09:10 due-day-holiday',
      'nudge day-10 2026-01-09 09:10 last-call due-day-holiday',
    ]);
  });

  it('drops a nudge whose working day would fall before the window opens (May Day holiday)', () => {
    // May 2026: the 1st–5th are the holiday, the 9th (a Saturday) is worked in lieu, the 10th is a Sunday.
    expect(lines('2026-04').filter((l) => l.startsWith('nudge'))).toEqual(['nudge day-8 2026-05-08 09:10 due-day-holiday', 'nudge day-10 2026-05-09 09:10 last-call due-day-holiday']);
  });

  it('keeps a make-up workday (调休) that falls on a weekend', () => {
    // 2026-10-10 is a Saturday worked in lieu of National Day.
    expect(lines('2026-09').filter((l) => l.startsWith('nudge'))).toEqual(['nudge day-8 2026-10-08 09:10', 'nudge day-10 2026-10-10 09:10 last-call']);
  });

  it('defers a send in quiet hours to the resume time; the close records at once (its notices wait in the outbox)', () => {
    const late = { ...DEFAULT_SCHEDULE, nudge: { days: [8], time: '22:15' }, close: { time: '23:45' } };
    expect(lines('2026-11', late).filter((l) => /^(nudge|close)/.test(l))).toEqual(['nudge day-8 2026-12-08 08:10', 'close close 2026-12-11 23:45']);
    // What is asked for in quiet hours goes out at the resume time: the same evening's 23:50 → 08:10 next day.
    expect(nextSendingTime(new Date('2026-12-11T23:50:00+08:00'), late, cal).toISOString()).toBe(new Date('2026-12-12T08:10:00+08:00').toISOString());
    expect(nextSendingTime(new Date('2026-12-12T03:00:00+08:00'), late, cal).toISOString()).toBe(new Date('2026-12-12T08:10:00+08:00').toISOString());
    expect(nextSendingTime(new Date('2026-12-12T09:00:00+08:00'), late, cal).toISOString()).toBe(new Date('2026-12-12T09:00:00+08:00').toISOString());
  });

  it('moves a digest or notice day off a day off: before the due day to the working day before, after it to the working day after', () => {
    // October 2026: the 5th is in the National Day holiday (the working day before would be in September: dropped);
    // the 11th is a Sunday (to Monday the 12th).
    expect(lines('2026-09').filter((l) => l.startsWith('digest'))).toEqual(['digest day-8 2026-10-08 09:40', 'digest day-11 2026-10-12 09:40']);
    // 15 November 2026 is a Sunday: the target notice goes out on Monday the 16th.
    expect(lines('2026-10').filter((l) => l.startsWith('notice'))).toEqual(['notice day-15 2026-11-16 09:10']);
  });

  it('gives every due day from 1 to 28 a sound plan in every month of a leap and a non-leap year', () => {
    const local = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    for (const year of [2027, 2028]) {
      for (let month = 1; month <= 12; month++) {
        const period = `${year}-${String(month).padStart(2, '0')}`;
        for (let dueDay = 1; dueDay <= 28; dueDay++) {
          const c = { timezone: 'Asia/Shanghai', dueDay };
          const fires = planMonth(period, DEFAULT_SCHEDULE, c, work);
          const where = `${period} due ${dueDay}`;
          for (const f of fires) expect(Number.isFinite(f.at.getTime()), `${where}: ${f.job} ${f.stage}`).toBe(true);
          const w = windowFor(period, c);
          const close = fires.filter((f) => f.job === 'close');
          expect(close, where).toHaveLength(1);
          // The close is 5 minutes into the first day after the window, whatever month that day is in.
          expect(close[0]!.at.getTime() - w.closesAt.getTime(), where).toBe(5 * 60_000);
          expect(local(w.closesAt).slice(11), where).toBe('00:00');
          const filing = shiftPeriod(period, 1);
          const lastDay = dueDay === 28 && filing.endsWith('-02') ? local(w.closesAt).slice(0, 10) : `${filing}-${String(dueDay + 1).padStart(2, '0')}`;
          expect(local(w.closesAt).slice(0, 10), where).toBe(lastDay);
          // Every nudge comes before the window closes, and the last call is on the due day (or the working day before it).
          for (const n of fires.filter((f) => f.job === 'nudge')) expect(n.at < w.closesAt && n.at >= w.opensAt, `${where}: ${n.stage}`).toBe(true);
          // What `jobs run close` finds right after it, and what the scheduler would.
          expect(latestFire('close', new Date(close[0]!.at.getTime() + 60_000), DEFAULT_SCHEDULE, c, work), where).toMatchObject({ job: 'close', period });
        }
      }
    }
    // A due day of 28 in a non-leap February: the window closes at the end of the 28th, the close runs on 1 March.
    const feb = planMonth('2027-01', DEFAULT_SCHEDULE, { timezone: 'Asia/Shanghai', dueDay: 28 }, work).find((f) => f.job === 'close')!;
    expect(local(feb.at)).toBe('2027-03-01 00:05');
    const leap = planMonth('2028-01', DEFAULT_SCHEDULE, { timezone: 'Asia/Shanghai', dueDay: 28 }, work).find((f) => f.job === 'close')!;
    expect(local(leap.at)).toBe('2028-02-29 00:05');
  });

  it('drops nudge days after the due day', () => {
    const early = { timezone: 'Asia/Shanghai', dueDay: 6 };
    expect(planMonth('2026-11', DEFAULT_SCHEDULE, early, work).filter((f) => f.job === 'nudge').map((f) => f.stage)).toEqual(['day-5']);
  });

  it('refuses minute :00 and :30', () => {
    const result = scheduleSchema.safeParse({ ...DEFAULT_SCHEDULE, nudge: { days: [5], time: '09:00' }, digest: { days: [5], time: '09:30' } });
    expect(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'nudge.time: 09:00: avoid minute :00 and :30 (WeCom asks senders to)',
      'digest.time: 09:30: avoid minute :00 and :30 (WeCom asks senders to)',
    ]);
  });

  it('falls back to weekdays for a year the holiday calendar does not know, and says so once', () => {
    const unknown: number[] = [];
    const w = new WorkCalendar((y) => unknown.push(y));
    expect(w.isWorkday('2031-10-01')).toBe(true); // a Wednesday; National Day unknown for 2031
    expect(w.isWorkday('2031-10-04')).toBe(false); // a Saturday
    expect(w.isWorkday('2031-10-06')).toBe(true);
    expect(unknown).toEqual([2031]);
  });

  it('finds the latest run of a job at an instant, across the month boundary', () => {
    expect(latestFire('close', new Date('2026-12-11T00:10:00+08:00'), DEFAULT_SCHEDULE, cal, work)).toMatchObject({ job: 'close', period: '2026-11' });
    expect(latestFire('close', new Date('2026-12-10T23:00:00+08:00'), DEFAULT_SCHEDULE, cal, work)).toMatchObject({ job: 'close', period: '2026-10' });
    expect(latestFire('nudge', new Date('2026-12-09T12:00:00+08:00'), DEFAULT_SCHEDULE, cal, work)).toMatchObject({ stage: 'day-8', period: '2026-11' });
  });

  it('takes changes from a schedule file over the defaults, refusing bad ones with the file and place', () => {
    const dir = mkdtempSync('/tmp/yb-schedule-');
    writeFileSync(`${dir}/ok.json`, JSON.stringify({ nudge: { days: [3, 9], time: '10:15' } }));
    expect(loadSchedule(`${dir}/ok.json`)).toEqual({ ...DEFAULT_SCHEDULE, nudge: { days: [3, 9], time: '10:15' } });
    expect(loadSchedule(undefined)).toBe(DEFAULT_SCHEDULE);
    writeFileSync(`${dir}/bad.json`, JSON.stringify({ notice: { day: 15, time: '09:00' } }));
    expect(() => loadSchedule(`${dir}/bad.json`)).toThrow(ScheduleError);
    expect(() => loadSchedule(`${dir}/bad.json`)).toThrow(/bad\.json is invalid: notice\.time: 09:00: avoid minute :00 and :30/);
  });
});
