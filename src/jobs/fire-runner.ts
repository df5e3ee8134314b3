import type { Fire, JobName } from '../calendar/schedule';
import { runClose } from './close-job';
import { runDigest } from './digest-job';
import { JobRefused, type JobDeps, type JobSummary } from './job-deps';
import { runNudge } from './nudge-job';
import { runNotice, runOpen } from './school-notices';

export const RUNNERS: Record<JobName, (deps: JobDeps, fire: Fire, dryRun: boolean) => Promise<JobSummary>> = {
  open: runOpen,
  nudge: runNudge,
  close: runClose,
  notice: runNotice,
  digest: runDigest,
};

/** A fire's lease: long enough for a large run; a holder that dies lets the next tick (or run) resume it. */
const FIRE_LEASE_MS = 30 * 60_000;
const DONE_MS = 120 * 24 * 3_600_000;

export const fireId = (fire: Fire): string => `${fire.job}:${fire.period}:${fire.stage}`;

export type FireOutcome =
  | { kind: 'ran'; summary: JobSummary }
  /** Another instance (or a CLI run) holds the fire's lease right now. */
  | { kind: 'busy' }
  /** Marked done by an earlier run. */
  | { kind: 'done-before' }
  /** Not a failure: e.g. a nudge caught up after its window closed. Marked done, never retried. */
  | { kind: 'refused'; reason: string };

/** A close marked done by a run that died before it recorded the period as closed: record it now. */
async function doneBefore(deps: JobDeps, fire: Fire): Promise<FireOutcome> {
  if (fire.job === 'close') await deps.markers.markClosed(fire.period);
  return { kind: 'done-before' };
}

/**
 * Runs one fire the way the scheduler and `jobs run` both do: under the fire's lease (so that two
 * instances, or a server and the CLI, never run it at once), marked done when it finishes. Every
 * entry a run writes has its idempotency key, so a run that died is simply run again.
 */
export async function runFire(deps: JobDeps, fire: Fire, options: { skipIfDone: boolean }): Promise<FireOutcome> {
  const store = deps.markers;
  const id = fireId(fire);
  if (options.skipIfDone && (await store.isMarked('fire-done', id))) return doneBefore(deps, fire);
  const lease = await store.tryLock(`fire:${id}`, FIRE_LEASE_MS);
  if (lease === null) return { kind: 'busy' };
  try {
    if (options.skipIfDone && (await store.isMarked('fire-done', id))) return doneBefore(deps, fire);
    const summary = await RUNNERS[fire.job](deps, fire, false);
    // A window opened or closed: every tile on the workbench shows another month (or 零申报).
    if (deps.workbench && (fire.job === 'open' || fire.job === 'close')) {
      await deps.outbox.enqueue('workbench', [{ id: `workbench-fanout:${id}`, payload: { kind: 'workbench-fanout', who: 'everyone', city: null }, due: deps.now.getTime() }], deps.now.getTime());
    }
    await store.markOnce('fire-done', [id], DONE_MS);
    if (fire.job === 'close') await store.markClosed(fire.period);
    return { kind: 'ran', summary };
  } catch (error) {
    if (!(error instanceof JobRefused)) throw error;
    await store.markOnce('fire-done', [id], DONE_MS);
    return { kind: 'refused', reason: error.message };
  } finally {
    await store.unlock(`fire:${id}`, lease).catch(() => false);
  }
}
