import type { DeliveryResult, Entry, EntryInit, EntryRef, Leased } from '../outbox/entry';

/**
 * The durable outbox: entries live in their owner's partition (see store/partition.ts), keyed by
 * an idempotency key, written by the same commit as the change that caused them (a turn, a job's
 * per-school step) or on their own by `enqueue`. Workers lease due entries, settle them, and
 * leave finished ones readable for `keepMs` (delivery reports, `outbox status`).
 */
export interface OutboxStore {
  /** Writes the entries that do not exist yet (by id, in the owner's partition); true for each new one. */
  enqueue(owner: string, entries: readonly EntryInit[], now: number): Promise<boolean[]>;
  /** Ids of up to `max` entries of a partition due at `now` (pending, or leased past their lease). */
  due(partition: number, now: number, max: number): Promise<string[]>;
  /**
   * Leases those of the ids still due, until now + leaseMs, each with a fresh token; an entry
   * leased by someone else meanwhile, or one this version cannot read, is left out.
   */
  lease(partition: number, ids: readonly string[], now: number, leaseMs: number): Promise<Leased[]>;
  /** Records the messages sent so far (and an export's media id), and extends the lease to `leaseUntil`. */
  progress(entry: Leased, update: { progress: number; result: DeliveryResult; media?: string | null }, leaseUntil: number): Promise<boolean>;
  /**
   * Gives a leased entry back for later, at `due`; with an `error` the attempt counts as a failure
   * (the first one is remembered at `at`). False when the lease was lost.
   */
  defer(entry: Leased, update: { due: number; error: string | null; progress: number; result: DeliveryResult; at: number }): Promise<boolean>;
  /** Ends a leased entry (sent, invalid, failed, done); it is kept `keepMs`, failed ones listed. */
  finish(entry: Leased, update: { state: 'sent' | 'invalid' | 'failed' | 'done'; error: string | null; result: DeliveryResult; at: number; keepMs: number }): Promise<boolean>;
  /** Entries by reference (null when unknown or expired). */
  get(refs: readonly EntryRef[]): Promise<(Entry | null)[]>;
  /** Finds an entry by id in any partition. */
  find(id: string): Promise<Entry | null>;
  /** A partition's pending and failed entries, for the operator. */
  inspect(partition: number): Promise<{ pending: Entry[]; failed: Entry[] }>;
  /** Puts a failed entry back in the queue, due now, with its failures counted afresh. */
  retry(ref: EntryRef, now: number): Promise<boolean>;
}

/** How long finished entries stay readable (and keep their idempotency key taken). */
export const ENTRY_KEEP_MS = 45 * 24 * 3_600_000;
