import { ALL_PARTITIONS, partitionOf } from '../partition';
import { entryArgs } from './school-args';
import { pairsToRecord } from '../redis-scripts';
import { RedisPort } from './redis-port';
import { emptyResult, payloadSchema, type DeliveryResult, type Entry, type EntryInit, type EntryRef, type EntryState, type Leased } from '../../outbox/entry';
import type { OutboxStore } from '../outbox-store';

const num = (v: string | undefined): number | null => (v === undefined || v === '' ? null : Number(v));

/** A stored entry's hash as an Entry; values are parsed here, so callers never see the strings. */
function entryFromHash(h: Record<string, string>): Entry {
  return {
    id: h.id!,
    owner: h.owner!,
    payload: payloadSchema.parse(JSON.parse(h.payload!)),
    due: Number(h.due),
    state: h.state as EntryState,
    failures: Number(h.failures ?? 0),
    createdAt: Number(h.createdAt),
    firstFailedAt: num(h.firstFailedAt),
    finishedAt: num(h.finishedAt),
    lastError: h.lastError || null,
    progress: Number(h.progress ?? 0),
    result: h.result ? (JSON.parse(h.result) as DeliveryResult) : emptyResult(),
    media: h.media || null,
  };
}

/** The outbox on Redis: per partition a sorted set of due times, a hash per entry, a set of failed ones. */
export class RedisOutboxStore extends RedisPort implements OutboxStore {
  async enqueue(owner: string, entries: readonly EntryInit[], now: number): Promise<boolean[]> {
    if (entries.length === 0) return [];
    const p = partitionOf(owner);
    const k = this.keys;
    const fresh = await Promise.all(entries.map(async (entry) => Number(await this.scripts.ybOutboxEnqueue(k.outboxDue(p), k.outboxEntry(p, entry.id), ...entryArgs(owner, entry), now)) === 1));
    // Someone is told of what was queued (a dashboard action, a job's run): on the replicas first.
    await this.acknowledged();
    return fresh;
  }

  async due(partition: number, now: number, max: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.keys.outboxDue(partition), '-inf', now, 'LIMIT', 0, max);
  }

  async lease(partition: number, ids: readonly string[], now: number, leaseMs: number): Promise<Leased[]> {
    if (ids.length === 0) return [];
    const k = this.keys;
    const token = this.token();
    const keys = [k.outboxDue(partition), ...ids.map((id) => k.outboxEntry(partition, id))];
    const out = (await this.scripts.ybOutboxLease(keys.length, ...keys, now, now + leaseMs, token, ...ids)) as string[][];
    return out.flatMap((flat) => {
      try {
        return [{ ...entryFromHash(pairsToRecord(flat)), token }];
      } catch {
        // Written by a newer version (a kind this one does not know): left for an instance that
        // reads it, once the lease ends, rather than holding up the rest.
        return [];
      }
    });
  }

  private settle(entry: Leased, op: string, args: (string | number)[]): Promise<unknown> {
    const k = this.keys;
    const p = partitionOf(entry.owner);
    return this.scripts.ybOutboxSettle(k.outboxDue(p), k.outboxEntry(p, entry.id), k.outboxFailed(p), entry.token, op, entry.id, ...args);
  }

  async progress(entry: Leased, update: { progress: number; result: DeliveryResult; media?: string | null }, leaseUntil: number): Promise<boolean> {
    return Number(await this.settle(entry, 'progress', [update.progress, JSON.stringify(update.result), update.media ?? '', leaseUntil])) === 1;
  }

  async defer(entry: Leased, update: { due: number; error: string | null; progress: number; result: DeliveryResult; at: number }): Promise<boolean> {
    return Number(await this.settle(entry, 'defer', [update.due, update.error ?? '', update.progress, JSON.stringify(update.result), update.at])) === 1;
  }

  async finish(entry: Leased, update: { state: 'sent' | 'invalid' | 'failed' | 'done'; error: string | null; result: DeliveryResult; at: number; keepMs: number }): Promise<boolean> {
    return Number(await this.settle(entry, 'finish', [update.state, update.error ?? '', JSON.stringify(update.result), update.at, update.keepMs])) === 1;
  }

  async get(refs: readonly EntryRef[]): Promise<(Entry | null)[]> {
    return Promise.all(
      refs.map(async (ref) => {
        const h = await this.redis.hgetall(this.keys.outboxEntry(partitionOf(ref.owner), ref.id));
        return h.id ? entryFromHash(h) : null;
      }),
    );
  }

  async find(id: string): Promise<Entry | null> {
    const found = await Promise.all(ALL_PARTITIONS.map((p) => this.redis.hgetall(this.keys.outboxEntry(p, id))));
    const h = found.find((x) => x.id);
    return h ? entryFromHash(h) : null;
  }

  async inspect(partition: number): Promise<{ pending: Entry[]; failed: Entry[] }> {
    const k = this.keys;
    const [pendingIds, failedIds] = await Promise.all([this.redis.zrange(k.outboxDue(partition), 0, -1), this.redis.zrange(k.outboxFailed(partition), 0, -1)]);
    const read = (ids: string[]) => Promise.all(ids.map((id) => this.redis.hgetall(k.outboxEntry(partition, id))));
    const [pending, failed] = await Promise.all([read(pendingIds), read(failedIds)]);
    return { pending: pending.filter((h) => h.id).map(entryFromHash), failed: failed.filter((h) => h.id).map(entryFromHash) };
  }

  async retry(ref: EntryRef, now: number): Promise<boolean> {
    const p = partitionOf(ref.owner);
    const k = this.keys;
    return Number(await this.scripts.ybOutboxRetry(k.outboxDue(p), k.outboxEntry(p, ref.id), k.outboxFailed(p), ref.id, now)) === 1;
  }
}
