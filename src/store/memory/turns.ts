import type { EntryInit } from '../../outbox/entry';
import { ENTRY_KEEP_MS } from '../outbox-store';
import { encodeSession } from '../../session/session';
import { partitionOf } from '../partition';
import { storedSession, type TurnBegin, type TurnBeginArgs, type TurnCommitArgs, type TurnCommitResult, type TurnRecord, type TurnStore } from '../turn-store';
import { requireTtl } from '../ttl';
import type { MemoryDb, StoredEntry } from './db';

/** A session as both adapters keep it: the encoded record and its revision. */
interface Kept {
  data: string;
  rev: number;
}

/** Turns on the embedded store, with the semantics of RedisTurnStore. */
export class MemoryTurnStore implements TurnStore {
  constructor(private readonly db: MemoryDb) {}

  private key(kind: string, home: string, userId: string, more = ''): string {
    return `${kind}:${partitionOf(home)}:${userId}${more ? `:${more}` : ''}`;
  }

  async begin(args: TurnBeginArgs): Promise<TurnBegin> {
    const record = this.db.get<TurnRecord>(this.key('turn', args.home, args.userId, args.deliveryId));
    if (record) return { kind: 'applied', record: structuredClone(record) };
    if (args.school && partitionOf(args.school.code) !== partitionOf(args.home)) throw new Error(`school ${args.school.code} does not live in the home of ${args.userId}`);
    const lockKey = this.key('turn-lock', args.home, args.userId);
    const held = this.db.get<string>(lockKey);
    if (held !== undefined && held !== args.lock) return { kind: 'locked' };
    this.db.put(lockKey, args.lock, requireTtl(args.lockTtlMs, 'turn lock'));
    const kept = this.db.get<Kept>(this.key('session', args.home, args.userId));
    return { kind: 'ready', session: kept ? storedSession(kept.data, kept.rev) : null, school: args.school ? this.db.schoolRecords(args.school.code, args.school.period) : null };
  }

  async commit(args: TurnCommitArgs): Promise<TurnCommitResult> {
    const recordKey = this.key('turn', args.home, args.userId, args.deliveryId);
    const record = this.db.get<TurnRecord>(recordKey);
    if (record) return { kind: 'applied', record: structuredClone(record) };
    const sessionKey = this.key('session', args.home, args.userId);
    requireTtl(args.session.ttlMs, 'session');
    requireTtl(args.keepMs, 'turn record');
    if ((this.db.get<Kept>(sessionKey)?.rev ?? 0) !== args.session.expectedRev) return { kind: 'conflict', on: 'session' };
    if (args.school) {
      if (partitionOf(args.school.code) !== partitionOf(args.home)) throw new Error(`school ${args.school.code} does not live in the home of ${args.userId}`);
      if (!this.db.schoolChangeHolds(args.school)) return { kind: 'conflict', on: 'school' };
      this.db.applySchool(structuredClone(args.school));
    }
    for (const entry of args.outbox) this.db.enqueue(args.home, entry, args.now);
    this.db.put(sessionKey, { data: encodeSession(args.session.session), rev: args.session.expectedRev + 1 }, args.session.ttlMs);
    this.db.put(recordKey, { replies: [...args.record.replies], late: args.record.late, replayed: false, attempt: args.lock }, args.keepMs);
    const lockKey = this.key('turn-lock', args.home, args.userId);
    if (this.db.get(lockKey) === args.lock) this.db.delete(lockKey);
    return { kind: 'ok' };
  }

  async release(home: string, userId: string, lock: string): Promise<void> {
    const lockKey = this.key('turn-lock', home, userId);
    if (this.db.get(lockKey) === lock) this.db.delete(lockKey);
  }

  async record(home: string, userId: string, deliveryId: string): Promise<TurnRecord | null> {
    const record = this.db.get<TurnRecord>(this.key('turn', home, userId, deliveryId));
    return record ? structuredClone(record) : null;
  }

  async markReplayed(home: string, userId: string, deliveryId: string, now: number): Promise<'ok' | 'late-sent'> {
    const key = this.key('turn', home, userId, deliveryId);
    const record = this.db.get<TurnRecord>(key);
    if (!record) return 'ok';
    this.db.replace(key, { ...record, replayed: true });
    if (record.late === null) return 'ok';
    const p = partitionOf(home);
    const entry = this.db.get<StoredEntry>(this.db.entryKey(p, record.late));
    if (entry?.state === 'cancelled') return 'ok';
    if (!entry) return 'late-sent';
    if (entry.state !== 'pending' || entry.lease !== null) return 'late-sent';
    Object.assign(entry, { state: 'cancelled', finishedAt: now });
    this.db.dueMap(p).delete(record.late);
    this.db.expire(this.db.entryKey(p, record.late), ENTRY_KEEP_MS);
    return 'ok';
  }

  async lateReply(home: string, userId: string, deliveryId: string, entry: EntryInit, now: number): Promise<'queued' | 'answered' | 'exists' | 'gone'> {
    const key = this.key('turn', home, userId, deliveryId);
    const record = this.db.get<TurnRecord>(key);
    if (!record) return 'gone';
    if (record.replayed) return 'answered';
    if (record.late !== null) return 'exists';
    this.db.enqueue(home, entry, now);
    this.db.replace(key, { ...record, late: entry.id });
    return 'queued';
  }

}
