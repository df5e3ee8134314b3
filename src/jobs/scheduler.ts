import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock/clock';
import { fireId, runFire } from './fire-runner';
import type { JobDeps } from './job-deps';
import type { Logger } from '../log/logger';
import { closesDue, deploymentStart } from '../calendar/deployment';
import { firesAround, inQuietHours, type Fire } from '../calendar/schedule';

/** What the scheduler gives every job, besides the instant and where to print. */
export type SchedulerDeps = Omit<JobDeps, 'now' | 'print'> & {
  /** The business clock (FAKE_NOW moves it). */
  clock: Clock;
  logger: Logger;
  /** Told after a fire wrote outbox entries (the worker delivers them at once). */
  onEntries?: () => void;
};

/** A fire missed while every instance was down still runs if it is at most this late (the close, however late). */
const CATCH_UP_MS = 24 * 3_600_000;

/**
 * Runs the scheduled jobs on every instance without running anything twice: node-cron ticks each
 * minute (one instance elected per tick through the store), each due fire runs under a lease and
 * is marked done when it finishes (see runFire), and every message inside is an outbox entry with
 * its own key. A run killed midway is run again by the next tick; what it had written stays.
 */
export class Scheduler {
  private task: ScheduledTask | null = null;
  private current: Promise<unknown> | null = null;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    const markers = this.deps.markers;
    this.task = cron.schedule(
      '* * * * *',
      () => this.tick().then(() => undefined),
      {
        name: 'yuebao-jobs',
        timezone: this.deps.cal.timezone,
        noOverlap: true,
        runCoordinator: { shouldRun: async (key, ttlMs) => (await markers.tryLock(`cron:${key}`, ttlMs)) !== null },
      },
    );
  }

  /** Stops ticking and waits (at most timeoutMs) for a tick that is running. */
  async stop(timeoutMs = 10_000): Promise<void> {
    await this.task?.stop();
    this.task = null;
    if (this.current) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.current.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
  }

  /** Runs what is due at `now` and has not run; returns the fires this call ran. */
  tick(now = this.deps.clock.now()): Promise<Fire[]> {
    const tick = this.runDue(now).finally(() => {
      if (this.current === tick) this.current = null;
    });
    this.current = tick;
    return tick;
  }

  private async runDue(now: Date): Promise<Fire[]> {
    const { cal, logger, schedule, work, markers } = this.deps;
    // Closes come from the state (every period from the first that is past its close and not closed), the rest from the plan.
    const calendar = await markers.readCalendar();
    const first = deploymentStart(this.deps.firstPeriod, calendar.startedAt, cal);
    const closes = closesDue(now, first, new Set(calendar.closed), schedule, cal, work);
    const others = firesAround(now, schedule, cal, work).filter((f) => f.job !== 'close' && f.at <= now && now.getTime() - f.at.getTime() <= CATCH_UP_MS);
    const fires = [...closes, ...others].sort((a, b) => a.at.getTime() - b.at.getTime());
    const ran: Fire[] = [];
    const quiet = inQuietHours(now, this.deps.schedule, cal);
    for (const fire of fires) {
      // In quiet hours only the close runs (its notices wait in the outbox); anything else waits for the morning.
      if (quiet && fire.job !== 'close') continue;
      const log = { job: fire.job, period: fire.period, stage: fire.stage };
      try {
        const outcome = await runFire({ ...this.deps, now, print: (line) => logger.info(log, line) }, fire, { skipIfDone: true });
        if (outcome.kind === 'refused') logger.info({ ...log, reason: outcome.reason }, 'job skipped');
        if (outcome.kind !== 'ran') continue;
        const s = outcome.summary;
        logger.info({ ...log, due: s.due, queued: s.queued, already: s.already }, s.due === 0 ? 'job found nothing to do' : 'job finished; its messages are in the outbox');
        if (s.queued > 0) this.deps.onEntries?.();
        ran.push(fire);
      } catch (error) {
        logger.error({ ...log, fire: fireId(fire), err: error instanceof Error ? error.message : String(error) }, 'job failed; the next tick resumes it');
      }
    }
    return ran;
  }
}
