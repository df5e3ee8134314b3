import type { DashboardLinks } from '../dashboard/dashboard-link';
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock';
import type { Form } from '../conversation/form';
import { JobRefused, runClose } from '../jobs/close-job';
import { runNudge } from '../jobs/nudge-job';
import { runNotice, runOpen } from '../jobs/school-notices';
import { runDigest } from '../jobs/digest-job';
import type { Targets } from '../targets/targets';
import type { Logger } from '../log/logger';
import { shiftPeriod, type PeriodCalendar } from '../report/period';
import type { Store } from '../store/store';
import type { WeComSender } from '../wecom/sender';
import { inQuietHours, planMonth, type Fire, type Schedule } from './schedule';
import { WorkCalendar } from './work-calendar';

export interface SchedulerDeps {
  store: Store;
  targets: Targets;
  sender: WeComSender;
  form: Form;
  cal: PeriodCalendar;
  /** The business clock (FAKE_NOW moves it). */
  clock: Clock;
  logger: Logger;
  schedule: Schedule;
  /** Dashboard links for the staff digest's card. */
  links?: DashboardLinks | null;
}

/** A fire missed while every instance was down still runs if it is at most this late. */
const CATCH_UP_MS = 24 * 3_600_000;
/** A fire's lease: long enough for a large run; a holder that dies lets the next tick resume it. */
const FIRE_LEASE_MS = 30 * 60_000;
const DONE_MS = 120 * 24 * 3_600_000;

const RUNNERS = { open: runOpen, nudge: runNudge, close: runClose, notice: runNotice, digest: runDigest } as const;

/**
 * Runs the scheduled jobs on every instance without running anything twice: node-cron ticks each
 * minute (one instance elected per tick through the store), each due fire runs under a lease and
 * is marked done when it finishes, and every message inside is marked before it is sent. A run
 * killed midway is resumed by the next tick and sends only the rest.
 */
export class Scheduler {
  private task: ScheduledTask | null = null;
  private readonly work: WorkCalendar;

  constructor(private readonly deps: SchedulerDeps) {
    this.work = new WorkCalendar((year) => deps.logger.warn({ year }, 'holiday calendar has no data for this year; counting weekdays as working days'));
  }

  start(): void {
    const store = this.deps.store;
    this.task = cron.schedule('* * * * *', () => this.tick().then(() => undefined), {
      name: 'yuebao-jobs',
      timezone: this.deps.cal.timezone,
      noOverlap: true,
      runCoordinator: { shouldRun: async (key, ttlMs) => (await store.tryLock(`cron:${key}`, ttlMs)) !== null },
    });
  }

  async stop(): Promise<void> {
    await this.task?.stop();
    this.task = null;
  }

  /** Runs what is due at `now` and has not run; returns the fires this call ran. */
  async tick(now = this.deps.clock.now()): Promise<Fire[]> {
    const { store, cal, logger } = this.deps;
    const filing = shiftPeriod(`${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`, -1);
    const fires = [shiftPeriod(filing, -2), shiftPeriod(filing, -1), filing]
      .flatMap((p) => planMonth(p, this.deps.schedule, cal, this.work))
      .filter((f) => f.at <= now && now.getTime() - f.at.getTime() <= CATCH_UP_MS && f.job in RUNNERS);
    const ran: Fire[] = [];
    const quiet = inQuietHours(now, this.deps.schedule, cal);
    for (const fire of fires) {
      const id = `${fire.job}:${fire.period}:${fire.stage}`;
      // In quiet hours only the close's recording runs; anything that sends waits for the morning.
      if (quiet && !(fire.job === 'close' && fire.stage === 'close')) continue;
      if (await store.isMarked('fire-done', id)) continue;
      const lease = await store.tryLock(`fire:${id}`, FIRE_LEASE_MS);
      if (lease === null) continue;
      try {
        if (await store.isMarked('fire-done', id)) continue;
        const runner = RUNNERS[fire.job as keyof typeof RUNNERS];
        const summary = await runner({ ...this.deps, sender: quiet ? null : this.deps.sender, now, print: (line) => logger.info({ job: fire.job, period: fire.period, stage: fire.stage }, line) }, fire, false);
        await store.markOnce('fire-done', [id], DONE_MS);
        logger.info({ job: fire.job, period: fire.period, stage: fire.stage, due: summary.due, done: summary.done, already: summary.already, sent: summary.report.sent.length }, summary.due === 0 ? 'job found nothing to do' : 'job finished');
        ran.push(fire);
      } catch (error) {
        if (error instanceof JobRefused) {
          // Not a failure: e.g. a nudge caught up after its window closed. Never retried.
          await store.markOnce('fire-done', [id], DONE_MS);
          logger.info({ job: fire.job, period: fire.period, stage: fire.stage, reason: error.message }, 'job skipped');
          continue;
        }
        logger.error({ job: fire.job, period: fire.period, stage: fire.stage, err: error instanceof Error ? error.message : String(error) }, 'job failed; the next tick resumes it');
      } finally {
        await store.unlock(`fire:${id}`, lease).catch(() => false);
      }
    }
    return ran;
  }
}
