import type { MemoryDb, StoredEntry } from './db';
import { ALL_PARTITIONS, partitionOf } from '../partition';
import type { DeliveryResult, Entry, EntryInit, EntryRef, Leased } from '../../outbox/entry';
import type { OutboxStore } from '../outbox-store';

function view(stored: StoredEntry): Entry {
  const { lease: _lease, ...entry } = structuredClone(stored);
  return entry;
}

/** The outbox on the embedded store, with the semantics of RedisOutboxStore. */
export class MemoryOutboxStore implements OutboxStore {
  constructor(private readonly db: MemoryDb) {}

  private stored(partition: number, id: string): StoredEntry | undefined {
    return this.db.get<StoredEntry>(this.db.entryKey(partition, id));
  }

  private held(entry: Leased): StoredEntry | undefined {
    const stored = this.stored(partitionOf(entry.owner), entry.id);
    return stored && stored.lease === entry.token ? stored : undefined;
  }

  async enqueue(owner: string, entries: readonly EntryInit[], now: number): Promise<boolean[]> {
    return entries.map((entry) => this.db.enqueue(owner, entry, now));
  }

  async due(partition: number, now: number, max: number): Promise<string[]> {
    return [...this.db.dueMap(partition).entries()]
      .filter(([, due]) => due <= now)
      .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
      .slice(0, max)
      .map(([id]) => id);
  }

  async lease(partition: number, ids: readonly string[], now: number, leaseMs: number): Promise<Leased[]> {
    const token = this.db.nextToken();
    const due = this.db.dueMap(partition);
    const out: Leased[] = [];
    for (const id of ids) {
      const stored = this.stored(partition, id);
      const at = due.get(id);
      if (!stored || at === undefined || at > now || stored.state !== 'pending') continue;
      due.set(id, now + leaseMs);
      stored.lease = token;
      out.push({ ...view(stored), token });
    }
    return out;
  }

  async progress(entry: Leased, update: { progress: number; result: DeliveryResult; media?: string | null }, leaseUntil: number): Promise<boolean> {
    const stored = this.held(entry);
    if (!stored) return false;
    stored.progress = update.progress;
    stored.result = structuredClone(update.result);
    if (update.media) stored.media = update.media;
    this.db.dueMap(partitionOf(entry.owner)).set(entry.id, leaseUntil);
    return true;
  }

  async defer(entry: Leased, update: { due: number; error: string | null; progress: number; result: DeliveryResult; at: number }): Promise<boolean> {
    const stored = this.held(entry);
    if (!stored) return false;
    Object.assign(stored, { due: update.due, lastError: update.error, progress: update.progress, result: structuredClone(update.result), lease: null });
    if (update.error) {
      stored.failures += 1;
      stored.firstFailedAt ??= update.at;
    }
    this.db.dueMap(partitionOf(entry.owner)).set(entry.id, update.due);
    return true;
  }

  async finish(entry: Leased, update: { state: 'sent' | 'invalid' | 'failed' | 'done'; error: string | null; result: DeliveryResult; at: number; keepMs: number }): Promise<boolean> {
    const stored = this.held(entry);
    if (!stored) return false;
    const p = partitionOf(entry.owner);
    Object.assign(stored, { state: update.state, lastError: update.error, result: structuredClone(update.result), finishedAt: update.at, lease: null });
    if (update.state === 'failed') stored.failures += 1;
    this.db.dueMap(p).delete(entry.id);
    if (update.state === 'failed') this.db.failedMap(p).set(entry.id, update.at);
    else this.db.expire(this.db.entryKey(p, entry.id), update.keepMs);
    return true;
  }

  async get(refs: readonly EntryRef[]): Promise<(Entry | null)[]> {
    return refs.map((ref) => {
      const stored = this.stored(partitionOf(ref.owner), ref.id);
      return stored ? view(stored) : null;
    });
  }

  async find(id: string): Promise<Entry | null> {
    for (const p of ALL_PARTITIONS) {
      const stored = this.stored(p, id);
      if (stored) return view(stored);
    }
    return null;
  }

  async inspect(partition: number): Promise<{ pending: Entry[]; failed: Entry[] }> {
    const read = (ids: Iterable<string>) => [...ids].flatMap((id) => {
      const stored = this.stored(partition, id);
      return stored ? [view(stored)] : [];
    });
    return { pending: read(this.db.dueMap(partition).keys()), failed: read(this.db.failedMap(partition).keys()) };
  }

  async retry(ref: EntryRef, now: number): Promise<boolean> {
    const p = partitionOf(ref.owner);
    const stored = this.stored(p, ref.id);
    if (!stored || stored.state !== 'failed') return false;
    Object.assign(stored, { state: 'pending', due: now, failures: 0, firstFailedAt: null, finishedAt: null, lease: null });
    this.db.failedMap(p).delete(ref.id);
    this.db.dueMap(p).set(ref.id, now);
    this.db.put(this.db.entryKey(p, ref.id), stored);
    return true;
  }
}
