import type { Clock } from '../clock/clock';
import type { Logger } from '../log/logger';
import { ALL_PARTITIONS, groupByPartition, partitionOf } from '../store/partition';
import type { FailureKind } from '../wecom/api-error';
import type { DeliveryResult, EntryRef, Leased, PayloadKind } from '../outbox/entry';
import { ENTRY_KEEP_MS, type OutboxStore } from '../store/outbox-store';

/** What a handler made of an entry. */
export type Handled =
  | { kind: 'finish'; state: 'sent' | 'invalid' | 'failed' | 'done'; result?: DeliveryResult; error?: string }
  /** Not yet (a per-member limit, entries still being delivered): try again at `due`; not a failure. */
  | { kind: 'later'; due: number; progress?: number; result?: DeliveryResult }
  /** An attempt failed; the worker backs off, or gives up once the entry has failed for long enough. */
  | { kind: 'failed'; failure: { kind: FailureKind; reason: string }; progress?: number; result?: DeliveryResult };

export interface HandlerContext {
  /** The worker clock's now (due times are on it). */
  now: number;
  /**
   * Records progress and extends the lease. False when the lease was lost (the entry went to
   * another instance): the handler stops there.
   */
  progress(update: { progress: number; result: DeliveryResult; media?: string | null }): Promise<boolean>;
}

export type Handler = (entry: Leased, ctx: HandlerContext) => Promise<Handled>;
export type Handlers = Record<PayloadKind, Handler>;

export interface WorkerOptions {
  /** Entries handled at once by this instance: well under WeCom's concurrency limit (45033). */
  concurrency?: number;
  /** How often every partition is looked at (entries of other instances, retries that came due). */
  pollMs?: number;
  /** How long a leased entry is ours: longer than one attempt (a 10 s HTTP timeout, an upload). */
  leaseMs?: number;
  /** A failing entry is retried for this long from its first failure, then given up. */
  giveUpMs?: number;
}

const FREQUENCY_PAUSE_MS = 60_000;
const CONFIG_RETRY_MS = 5 * 60_000;
/** How many due ids one look at a partition fetches. */
const PREFETCH = 200;

/** Back-off after the n-th failure: 1 s, 2 s, 4 s … at most 5 minutes, with jitter. */
function backoffMs(failures: number): number {
  const base = Math.min(300_000, 1_000 * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/**
 * Delivers the outbox. Runs on every instance: it leases due entries only as it can start them
 * (each lease outlives one attempt, and a handler extends it as it goes), hands each to the
 * handler of its kind, and settles it — finished, put off, or after a failure deferred with
 * back-off, and given up with the reason once it has failed for `giveUpMs`. A crash leaves the
 * entries it held to come due again when their lease ends; WeCom's duplicate check drops a resend
 * of a message that had gone out, as it does if a stalled holder sends after its lease.
 *
 * One class, a little over 250 lines: leasing, running and settling share its count of entries in
 * hand and its candidates per partition; the handlers (deliver-message.ts, follow-ups) live apart.
 */
export class OutboxWorker {
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly giveUpMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopping = false;
  private pausedUntil = 0;
  private readonly dirty = new Set<number>();
  private passing: Promise<void> | null = null;
  private readonly active = new Set<Promise<void>>();
  /** Due ids seen per partition and not leased yet. */
  private readonly candidates = new Map<number, string[]>();
  /** Entries this instance has taken in hand so far (runDue sees whether a round did anything). */
  private handledCount = 0;

  constructor(
    private readonly deps: { outbox: OutboxStore; handlers: Handlers; clock: Clock; logger: Logger },
    options: WorkerOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 8;
    this.pollMs = options.pollMs ?? 1_000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.giveUpMs = options.giveUpMs ?? 50 * 60_000;
  }

  /** The worker's clock (due times are on it). */
  get clock(): Clock {
    return this.deps.clock;
  }

  /** Polls every partition every pollMs until stopped. */
  start(): void {
    this.running = true;
    this.stopping = false;
    const loop = () => {
      if (!this.running) return;
      this.kickAll();
      this.timer = setTimeout(loop, this.pollMs);
      this.timer.unref();
    };
    loop();
  }

  /** Something was just written under `owner`: look at its partition now rather than at the next poll (once started). */
  kick(owner: string): void {
    this.dirty.add(partitionOf(owner));
    if (this.running) this.schedule();
  }

  /** Entries were written in many partitions (a job run): look at them all now. */
  kickAll(): void {
    for (const p of ALL_PARTITIONS) this.dirty.add(p);
    if (this.running) this.schedule();
  }

  private get room(): number {
    return this.concurrency - this.active.size;
  }

  private schedule(): void {
    if (this.stopping || this.passing) return;
    this.passing = (async () => {
      // Start on the next microtask: a pass with nothing to do would otherwise finish before
      // `this.passing` is assigned, leaving a settled promise there for good — the worker would never
      // schedule again and settled() would spin on it, starving every timer of the process.
      await null;
      try {
        // No room: the partitions stay dirty, and the next entry to finish schedules again.
        while (this.dirty.size > 0 && !this.stopping && this.room > 0) {
          const partitions = [...this.dirty];
          this.dirty.clear();
          await this.pass(partitions);
        }
      } catch (error) {
        this.deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'outbox poll failed; retrying at the next poll');
      } finally {
        this.passing = null;
      }
    })();
  }

  /**
   * Leases what is due in these partitions, as many as can start now, and starts them. Due ids
   * are looked up a batch at a time and kept until leased, so that a long run (a nudge to every
   * school) does not ask every partition again for each entry. Returns how many it took.
   */
  private async pass(partitions: readonly number[]): Promise<number> {
    const now = this.deps.clock.now().getTime();
    if (now < this.pausedUntil || this.stopping || this.room <= 0) {
      for (const p of partitions) this.dirty.add(p);
      return 0;
    }
    const unknown = partitions.filter((p) => !this.candidates.get(p)?.length);
    const found = await Promise.all(unknown.map((p) => this.deps.outbox.due(p, now, PREFETCH)));
    unknown.forEach((p, i) => {
      if (found[i]!.length > 0) this.candidates.set(p, found[i]!);
    });
    let taken = 0;
    for (const p of partitions) {
      const ids = this.candidates.get(p);
      if (!ids?.length) continue;
      if (this.room <= 0 || this.stopping) {
        this.dirty.add(p);
        continue;
      }
      // Another instance may have taken some meanwhile: the lease leaves those out.
      taken += await this.take(p, ids.splice(0, this.room), now);
      if (ids.length > 0) this.dirty.add(p);
      else this.candidates.delete(p);
    }
    return taken;
  }

  private async take(partition: number, ids: readonly string[], now: number): Promise<number> {
    const leased = await this.deps.outbox.lease(partition, ids, now, this.leaseMs);
    for (const entry of leased) this.spawn(entry);
    return leased.length;
  }

  private spawn(entry: Leased): void {
    const work = this.handle(entry)
      // The store failing while an entry is settled: its lease ends and it comes due again.
      .catch((error: unknown) => this.deps.logger.warn({ entry: entry.id, err: error instanceof Error ? error.message : String(error) }, 'outbox entry not settled; it comes due again when its lease ends'))
      .finally(() => {
        this.active.delete(work);
        this.dirty.add(partitionOf(entry.owner));
        if (this.running) this.schedule();
      });
    this.active.add(work);
  }

  private async handle(entry: Leased): Promise<void> {
    this.handledCount++;
    const { outbox, handlers, clock, logger } = this.deps;
    const now = clock.now().getTime();
    const log = { entry: entry.id, kind: entry.payload.kind, failures: entry.failures };
    let handled: Handled;
    try {
      handled = await handlers[entry.payload.kind](entry, { now, progress: (update) => outbox.progress(entry, update, clock.now().getTime() + this.leaseMs) });
    } catch (error) {
      handled = { kind: 'failed', failure: { kind: 'transient', reason: error instanceof Error ? error.message : String(error) } };
    }
    const at = clock.now().getTime();
    const progress = 'progress' in handled && handled.progress !== undefined ? handled.progress : entry.progress;
    const result = handled.result ?? entry.result;
    let settled: boolean;
    if (handled.kind === 'finish') {
      settled = await outbox.finish(entry, { state: handled.state, error: handled.error ?? null, result, at, keepMs: ENTRY_KEEP_MS });
      if (handled.state === 'failed') logger.warn({ ...log, reason: handled.error }, 'outbox entry given up');
    } else if (handled.kind === 'later') {
      settled = await outbox.defer(entry, { due: handled.due, error: null, progress, result, at });
    } else {
      const { kind, reason } = handled.failure;
      // Counted from the first failure: deferrals (a member's limit, the morning) are not failures.
      const failingFor = at - (entry.firstFailedAt ?? at);
      if (kind === 'permanent' || failingFor >= this.giveUpMs) {
        settled = await outbox.finish(entry, { state: 'failed', error: reason, result, at, keepMs: ENTRY_KEEP_MS });
        logger.warn({ ...log, reason }, 'outbox entry given up');
      } else {
        if (kind === 'frequency') this.pausedUntil = at + FREQUENCY_PAUSE_MS;
        if (kind === 'config') logger.error({ ...log, reason }, 'outbox delivery refused: check the configuration');
        const wait = kind === 'frequency' ? FREQUENCY_PAUSE_MS : kind === 'config' ? CONFIG_RETRY_MS : backoffMs(entry.failures + 1);
        settled = await outbox.defer(entry, { due: at + wait, error: reason, progress, result, at });
        logger.info({ ...log, reason, waitMs: wait }, 'outbox delivery failed; will retry');
      }
    }
    if (!settled) logger.warn(log, 'outbox lease lost before the entry was settled; its next holder goes on');
  }

  /**
   * Delivers everything due now, and what that makes due, until nothing is left (tests, the demo).
   * Resolves with the number of entries handled.
   */
  async runDue(maxRounds = Infinity): Promise<number> {
    const start = this.handledCount;
    let idle = 0;
    for (let round = 0; round < maxRounds && idle < 2; round++) {
      await this.passing;
      const taken = await this.pass(ALL_PARTITIONS);
      if (taken > 0) idle = 0;
      else if (this.active.size === 0) idle++;
      // Room is made as entries finish: wait for one, then look again.
      if (this.active.size > 0 && (taken === 0 || this.room <= 0)) await Promise.race([...this.active]);
    }
    await this.settled();
    return this.handledCount - start;
  }

  /**
   * Delivers these entries as far as they are due, and nothing else (`jobs run` sends what its run
   * wrote, never what the servers have in hand). Resolves once none of them is due and in reach.
   */
  async runEntries(refs: readonly EntryRef[]): Promise<void> {
    const byPartition = new Map([...groupByPartition(refs, (ref) => ref.owner)].map(([p, group]) => [p, group.map((ref) => ref.id)]));
    for (;;) {
      let taken = 0;
      const now = this.deps.clock.now().getTime();
      if (now >= this.pausedUntil) {
        for (const [p, ids] of byPartition) {
          for (let i = 0; i < ids.length; ) {
            if (this.room <= 0) {
              await Promise.race([...this.active]);
              continue;
            }
            const batch = ids.slice(i, i + this.room);
            i += batch.length;
            taken += await this.take(p, batch, now);
          }
        }
      }
      await this.settled();
      // Nothing of them was due (or in reach) this round: the rest is for later, or for others.
      if (taken === 0) return;
    }
  }

  /** Resolves once nothing is being leased or handled. */
  private async settled(): Promise<void> {
    while (this.passing || this.active.size > 0) await Promise.all([this.passing, ...this.active]);
  }

  /** Stops taking new entries and waits (at most timeoutMs) for the ones in hand. True if all finished. */
  async stop(timeoutMs: number): Promise<boolean> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const done = this.settled().then(() => true as const);
    const finished = await Promise.race([done, timeout]);
    clearTimeout(timer);
    return finished;
  }
}
