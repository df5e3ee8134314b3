import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../log/logger';
import type { Markers } from '../store/markers';
import { refreshDirectory, type DirectoryRefreshDeps } from './directory-refresh';

export interface DirectoryScheduleDeps extends DirectoryRefreshDeps {
  markers: Markers;
  logger: Logger;
  timezone: string;
  /** When to read a run soon after start (the first deployment, an import while every instance was down); tests shorten it. */
  startDelayMs?: number;
}

/** Daily, at an hour nobody is filing; the run skips what it read within the day. */
const DAILY = '40 4 * * *';
const LOCK = 'directory-refresh';
const LOCK_MS = 30 * 60_000;

/**
 * Keeps WeCom's names of unnamed roster people fresh: once a day and once soon after start, on
 * one instance at a time (a lock in the store). A failed run is logged and tried again next time.
 */
export class DirectorySchedule {
  private task: ScheduledTask | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly deps: DirectoryScheduleDeps) {}

  start(): void {
    this.task = cron.schedule(DAILY, () => this.runOnce(), { name: 'yuebao-directory', timezone: this.deps.timezone, noOverlap: true });
    this.timer = setTimeout(() => void this.runOnce(), this.deps.startDelayMs ?? 15_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.task?.stop();
    this.task = null;
    await this.running?.catch(() => undefined);
  }

  /** One run under the lock; resolves when it is over (or another instance holds the lock). */
  runOnce(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    const token = await this.deps.markers.tryLock(LOCK, LOCK_MS);
    if (token === null) return;
    try {
      await refreshDirectory(this.deps);
    } catch (error) {
      this.deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'reading member names from WeCom failed; the next run tries again');
    } finally {
      await this.deps.markers.unlock(LOCK, token);
    }
  }
}
