import { currentWindow, shiftPeriod, type Period, type PeriodCalendar } from './period';
import { closeFire, type Fire, type Schedule } from './schedule';
import type { WorkCalendar } from './work-calendar';

/**
 * The first period a deployment files: the earliest whose window had not closed when its first
 * roster was imported. Months before it were never asked for: they are not 未报, and the close
 * never records zero reports for them.
 */
export function firstPeriodOf(startedAt: number, cal: PeriodCalendar): Period {
  const at = new Date(startedAt);
  const window = currentWindow(at, cal);
  return at < window.closesAt ? window.period : shiftPeriod(window.period, 1);
}

/** FIRST_PERIOD when configured, else the one the first roster import set; null before either. */
export function deploymentStart(configured: Period | undefined, startedAt: number | null, cal: PeriodCalendar): Period | null {
  return configured ?? (startedAt === null ? null : firstPeriodOf(startedAt, cal));
}

/**
 * The closes due at `now` that have not run, oldest first: every period from the deployment's
 * first whose close time has passed, however long ago. The close is a state (closed or not), not
 * a moment that can be missed while every instance was down.
 */
export function closesDue(now: Date, first: Period | null, closed: ReadonlySet<Period>, schedule: Schedule, cal: PeriodCalendar, work: WorkCalendar): Fire[] {
  const due: Fire[] = [];
  if (first === null) return due;
  for (let period = first; ; period = shiftPeriod(period, 1)) {
    const fire = closeFire(period, schedule, cal, work);
    if (fire.at > now) return due;
    if (!closed.has(period)) due.push(fire);
  }
}

/** The deployment's first period, read where the first roster import recorded it (FIRST_PERIOD first). */
export async function firstPeriodIn(store: { readCalendar(): Promise<{ startedAt: number | null }> }, configured: Period | undefined, cal: PeriodCalendar): Promise<Period | null> {
  return configured ?? deploymentStart(undefined, (await store.readCalendar()).startedAt, cal);
}

/** Whether a period comes before the deployment's first: nobody was asked to file it. */
export function beforeStart(period: Period, first: Period | null): boolean {
  return first !== null && period < first;
}
