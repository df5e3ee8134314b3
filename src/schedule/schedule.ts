import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { parsePeriod, shiftPeriod, type Period, type PeriodCalendar } from '../report/period';
import { WorkCalendar, type LocalDate } from './work-calendar';

/** The scheduled jobs (interfaces.md: `jobs run <nudge|close|notice|digest>`), plus the window opening. */
export type JobName = 'open' | 'nudge' | 'close' | 'notice' | 'digest';

const time = z.string().regex(/^([01]\d|2[0-3]):([0-5]\d)$/, 'must be HH:MM');
const day = z.number().int().min(1).max(28);

/**
 * When each job runs, in REPORT_TIMEZONE. Days are days of the filing month. Minutes :00 and :30
 * are refused: WeCom asks senders to avoid them, as everyone else sends then.
 */
export const scheduleSchema = z
  .strictObject({
    open: z.strictObject({ day, time }),
    nudge: z.strictObject({ days: z.array(day).min(1), time }),
    close: z.strictObject({ time }),
    notice: z.strictObject({ day, time }),
    digest: z.strictObject({ days: z.array(day).min(1), time }),
    quietHours: z.strictObject({ from: time, until: time, resume: time }),
  })
  .superRefine((s, ctx) => {
    for (const [job, value] of Object.entries(s)) {
      if (job === 'quietHours') continue;
      const t = (value as { time: string }).time;
      if (t.endsWith(':00') || t.endsWith(':30')) ctx.addIssue({ code: 'custom', path: [job, 'time'], message: `${t}: avoid minute :00 and :30 (WeCom asks senders to)` });
    }
  });

export type Schedule = z.infer<typeof scheduleSchema>;

export const DEFAULT_SCHEDULE: Schedule = {
  open: { day: 1, time: '09:10' },
  nudge: { days: [5, 8, 10], time: '09:10' },
  // Right after the window: the day after the due day.
  close: { time: '00:05' },
  notice: { day: 15, time: '09:10' },
  digest: { days: [5, 8, 11], time: '09:40' },
  quietHours: { from: '21:00', until: '08:00', resume: '08:10' },
};

export class ScheduleError extends Error {
  constructor(file: string, detail: string) {
    super(`Schedule file ${file} is invalid: ${detail}`);
    this.name = 'ScheduleError';
  }
}

/**
 * The schedule in force: the defaults, with what SCHEDULE_FILE (JSON, any subset of the keys of
 * DEFAULT_SCHEDULE) changes. Throws ScheduleError naming the file and the place.
 */
export function loadSchedule(file: string | undefined): Schedule {
  if (!file) return DEFAULT_SCHEDULE;
  let overrides: unknown;
  try {
    overrides = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ScheduleError(file, error instanceof Error ? error.message : String(error));
  }
  const parsed = scheduleSchema.safeParse({ ...DEFAULT_SCHEDULE, ...(overrides as object) });
  if (!parsed.success) throw new ScheduleError(file, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** One planned send of a job in a filing month. */
export interface Fire {
  job: JobName;
  /** The reporting period the run is about. */
  period: Period;
  /** Which of the job's runs in the month (e.g. the nudge of day 8: 'day-8'), for exactly-once markers. */
  stage: string;
  at: Date;
  /** Nudges only: the last nudge, the due day ("今天截止"). */
  lastCall?: boolean;
  /** Nudges only: the due day is a public holiday, and the nudge says so. */
  dueDayIsHoliday?: boolean;
}

function minutes(t: string): number {
  const [h, m] = t.split(':').map(Number);
  return h! * 60 + m!;
}

/**
 * The runs of every job in the month a period is filed in, as instants. A nudge day that is not a
 * working day moves to the working day before it; any send that falls in quiet hours moves to
 * the resume time (the close itself is not a send and keeps its time: its notices wait).
 */
export function planMonth(period: Period, schedule: Schedule, cal: PeriodCalendar, work: WorkCalendar): Fire[] {
  const { year, month } = parsePeriod(shiftPeriod(period, 1));
  const date = (d: number): LocalDate => `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const at = (d: LocalDate, t: string, quiet = true): Date => {
    const q = schedule.quietHours;
    let hhmm = t;
    const m = minutes(t);
    const from = minutes(q.from);
    const until = minutes(q.until);
    if (quiet && (from > until ? m >= from || m < until : m >= from && m < until)) hhmm = q.resume;
    const [h, mi] = hhmm.split(':').map(Number);
    return DateTime.fromISO(d, { zone: cal.timezone }).set({ hour: h!, minute: mi!, second: 0, millisecond: 0 }).toJSDate();
  };
  const due = date(cal.dueDay);
  const dueDayIsHoliday = !work.isWorkday(due);
  const fires: Fire[] = [{ job: 'open', period, stage: `day-${schedule.open.day}`, at: at(date(schedule.open.day), schedule.open.time) }];
  const nudgeDates = new Set<LocalDate>();
  for (const d of [...schedule.nudge.days].sort((a, b) => a - b)) {
    const shifted = work.workdayOnOrBefore(date(d));
    if (nudgeDates.has(shifted) || shifted < date(1)) continue;
    nudgeDates.add(shifted);
    fires.push({ job: 'nudge', period, stage: `day-${d}`, at: at(shifted, schedule.nudge.time), lastCall: d === cal.dueDay, dueDayIsHoliday });
  }
  // The close records at once (quiet hours or not); its notices are due at the first sending time.
  fires.push({ job: 'close', period, stage: 'close', at: at(date(cal.dueDay + 1), schedule.close.time, false) });
  fires.push({ job: 'notice', period, stage: `day-${schedule.notice.day}`, at: at(date(schedule.notice.day), schedule.notice.time) });
  for (const d of schedule.digest.days) fires.push({ job: 'digest', period, stage: `day-${d}`, at: at(date(d), schedule.digest.time) });
  return fires.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Whether `now` falls in the quiet hours, when nothing is sent. */
export function inQuietHours(now: Date, schedule: Schedule, cal: PeriodCalendar): boolean {
  const local = DateTime.fromJSDate(now, { zone: cal.timezone });
  const m = local.hour * 60 + local.minute;
  const from = minutes(schedule.quietHours.from);
  const until = minutes(schedule.quietHours.until);
  return from > until ? m >= from || m < until : m >= from && m < until;
}

/** The latest run of a job at or before `now` (what `jobs run <job> --at` runs), looking back a month. */
export function latestFire(job: JobName, now: Date, schedule: Schedule, cal: PeriodCalendar, work: WorkCalendar): Fire | null {
  const local = DateTime.fromJSDate(now, { zone: cal.timezone });
  const thisPeriod = shiftPeriod(`${local.year}-${String(local.month).padStart(2, '0')}`, -1);
  const fires = [...planMonth(shiftPeriod(thisPeriod, -1), schedule, cal, work), ...planMonth(thisPeriod, schedule, cal, work)].filter((f) => f.job === job && f.at <= now);
  return fires.pop() ?? null;
}

/** When something asked for at `now` may be sent: now, or the end of the quiet hours it falls in. */
export function nextSendingTime(now: Date, schedule: Schedule, cal: PeriodCalendar): Date {
  if (!inQuietHours(now, schedule, cal)) return now;
  const [h, m] = schedule.quietHours.resume.split(':').map(Number);
  const local = DateTime.fromJSDate(now, { zone: cal.timezone });
  let resume = local.set({ hour: h!, minute: m!, second: 0, millisecond: 0 });
  if (resume <= local) resume = resume.plus({ days: 1 });
  return resume.toJSDate();
}

/** 「21:00–08:00」 */
export function quietHoursLabel(schedule: Schedule): string {
  return `${schedule.quietHours.from}–${schedule.quietHours.until}`;
}
