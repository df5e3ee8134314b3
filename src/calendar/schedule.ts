import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { previousPeriod, shiftPeriod, windowFor, type Period, type PeriodCalendar } from './period';
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

/** Whether a local time of day (minutes after midnight) is in the quiet hours: the one test of it. */
function quietMinute(m: number, quiet: Schedule['quietHours']): boolean {
  const from = minutes(quiet.from);
  const until = minutes(quiet.until);
  return from > until ? m >= from || m < until : m >= from && m < until;
}

/**
 * The runs of every job in the month a period is filed in, as instants, all derived from the
 * period's window (windowFor) with luxon. Days are days of the filing month (1–28, so each exists
 * in every month). A day that is not a working day moves: on or before the due day, to the
 * working day before it (a reminder must come before the deadline; one that would fall before the
 * 1st is dropped); after the due day, to the working day after it (a report on what happened).
 * Nudges after the due day are dropped. The close is the first minutes after the window, on
 * whatever day that is (1 March for a due day of 28 in February). A send that falls in quiet
 * hours moves to the resume time (the close itself is not a send and keeps its time).
 */
export function planMonth(period: Period, schedule: Schedule, cal: PeriodCalendar, work: WorkCalendar): Fire[] {
  const window = windowFor(period, cal);
  const first = DateTime.fromJSDate(window.opensAt, { zone: cal.timezone });
  const date = (d: number): LocalDate => first.set({ day: d }).toISODate()!;
  const due = date(cal.dueDay);
  const placed = (d: number): LocalDate | null => {
    if (d > cal.dueDay) return work.workdayOnOrAfter(date(d));
    const before = work.workdayOnOrBefore(date(d));
    return before < date(1) ? null : before;
  };
  const at = (d: LocalDate, t: string, quiet = true): Date => {
    const [h, mi] = (quiet && quietMinute(minutes(t), schedule.quietHours) ? schedule.quietHours.resume : t).split(':').map(Number);
    return DateTime.fromISO(d, { zone: cal.timezone }).set({ hour: h!, minute: mi!, second: 0, millisecond: 0 }).toJSDate();
  };
  const dueDayIsHoliday = !work.isWorkday(due);
  const fires: Fire[] = [{ job: 'open', period, stage: `day-${schedule.open.day}`, at: at(date(schedule.open.day), schedule.open.time) }];
  const onDays = (job: 'nudge' | 'digest', days: readonly number[], time: string, extra: (d: number) => Partial<Fire> = () => ({})) => {
    const taken = new Set<LocalDate>();
    for (const d of [...days].sort((a, b) => a - b)) {
      const day = placed(d);
      if (day === null || taken.has(day)) continue;
      taken.add(day);
      fires.push({ job, period, stage: `day-${d}`, at: at(day, time), ...extra(d) });
    }
  };
  onDays('nudge', schedule.nudge.days.filter((d) => d <= cal.dueDay), schedule.nudge.time, (d) => ({ lastCall: d === cal.dueDay, dueDayIsHoliday }));
  // The close records at once (quiet hours or not); its notices are due at the first sending time.
  fires.push({ job: 'close', period, stage: 'close', at: at(DateTime.fromJSDate(window.closesAt, { zone: cal.timezone }).toISODate()!, schedule.close.time, false) });
  const noticeDay = placed(schedule.notice.day);
  if (noticeDay !== null) fires.push({ job: 'notice', period, stage: `day-${schedule.notice.day}`, at: at(noticeDay, schedule.notice.time) });
  onDays('digest', schedule.digest.days, schedule.digest.time);
  return fires.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Whether `now` falls in the quiet hours, when nothing is sent. */
export function inQuietHours(now: Date, schedule: Schedule, cal: PeriodCalendar): boolean {
  const local = DateTime.fromJSDate(now, { zone: cal.timezone });
  return quietMinute(local.hour * 60 + local.minute, schedule.quietHours);
}

/** The fires of the months around `now` (a close can fall in the month after its filing month). */
export function firesAround(now: Date, schedule: Schedule, cal: PeriodCalendar, work: WorkCalendar): Fire[] {
  const filing = previousPeriod(now, cal);
  return [shiftPeriod(filing, -2), shiftPeriod(filing, -1), filing].flatMap((p) => planMonth(p, schedule, cal, work));
}

/** The latest run of a job at or before `now` (what `jobs run <job> --at` runs). */
export function latestFire(job: JobName, now: Date, schedule: Schedule, cal: PeriodCalendar, work: WorkCalendar): Fire | null {
  const fires = firesAround(now, schedule, cal, work).filter((f) => f.job === job && f.at <= now);
  return fires.sort((a, b) => a.at.getTime() - b.at.getTime()).pop() ?? null;
}

/** The close of a period, as the plan has it. */
export function closeFire(period: Period, schedule: Schedule, cal: PeriodCalendar, work: WorkCalendar): Fire {
  return planMonth(period, schedule, cal, work).find((f) => f.job === 'close')!;
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

/** A fire's stage as people read it: 'day-8' is the run of the 8th (「8日」). */
export function stageLabel(stage: string): string {
  const day = /^day-(\d+)$/u.exec(stage);
  return day ? `${day[1]}日` : stage === 'close' ? '关账' : stage;
}
