import type { EntryInit } from '../../outbox/entry';
import { ENTRY_KEEP_MS } from '../outbox-store';
import { encodeSession } from '../../session/session';
import { partitionOf } from '../partition';
import { lateEntryId, storedSession, type TurnBegin, type TurnBeginArgs, type TurnCommitArgs, type TurnCommitResult, type TurnRecord, type TurnStore } from '../turn-store';
import { requireTtl } from '../ttl';
import { entryArgs, schoolChangeArgs, schoolReadKeys, schoolRecordsFrom, type RawSchool } from './school-args';
import { RedisPort } from './redis-port';

function turnRecord(replies: string, late: string, replayed: string, attempt: string): TurnRecord {
  return { replies: JSON.parse(replies) as string[], late: late || null, replayed: replayed === '1', attempt };
}

/** Turns on Redis: a begin and a commit script, each in the turn's home partition. */
export class RedisTurnStore extends RedisPort implements TurnStore {
  async begin(args: TurnBeginArgs): Promise<TurnBegin> {
    const k = this.keys;
    const keys = [k.turn(args.home, args.userId, args.deliveryId), k.lock(args.home, args.userId), k.session(args.home, args.userId)];
    if (args.school) {
      const { code, period } = args.school;
      if (partitionOf(code) !== partitionOf(args.home)) throw new Error(`school ${code} does not live in the home of ${args.userId}`);
      keys.push(...schoolReadKeys(k, code, period));
    }
    const out = (await this.scripts.ybTurnBegin(keys.length, ...keys, requireTtl(args.lockTtlMs, 'turn lock'), args.lock, args.school?.period ?? '')) as unknown[];
    if (out[0] === 'applied') {
      // A retry of a turn whose commit was not confirmed on the replicas: its 200 waits for them too.
      await this.acknowledged();
      return { kind: 'applied', record: turnRecord(out[1] as string, out[2] as string, out[3] as string, out[4] as string) };
    }
    if (out[0] === 'locked') return { kind: 'locked' };
    const [data, rev] = [out[1], out[2]];
    const session = typeof data === 'string' && typeof rev === 'string' ? storedSession(data, Number(rev)) : null;
    const school = args.school ? schoolRecordsFrom(out.slice(3, 9) as RawSchool) : null;
    return { kind: 'ready', session, school };
  }

  async commit(args: TurnCommitArgs): Promise<TurnCommitResult> {
    const k = this.keys;
    const p = partitionOf(args.home);
    const keys = [k.turn(args.home, args.userId, args.deliveryId), k.lock(args.home, args.userId), k.session(args.home, args.userId), k.outboxDue(p)];
    const argv: (string | number)[] = [
      args.lock,
      args.session.expectedRev,
      encodeSession(args.session.session),
      requireTtl(args.session.ttlMs, 'session'),
      requireTtl(args.keepMs, 'turn record'),
      JSON.stringify(args.record.replies),
      args.record.late ?? '',
      args.now,
      args.school ? '1' : '0',
      args.outbox.length,
    ];
    if (args.school) {
      if (partitionOf(args.school.code) !== p) throw new Error(`school ${args.school.code} does not live in the home of ${args.userId}`);
      const school = schoolChangeArgs(k, args.school, this.historyMax);
      keys.push(...school.keys);
      argv.push(...school.args);
    }
    for (const entry of args.outbox) {
      keys.push(k.outboxEntry(p, entry.id));
      argv.push(...entryArgs(args.home, entry));
    }
    const out = (await this.scripts.ybTurnCommit(keys.length, ...keys, ...argv)) as string[];
    // WeCom gets its 200 only after this: the turn is on the replicas REDIS_WAIT_REPLICAS names.
    if (out[0] === 'ok' || out[0] === 'applied') await this.acknowledged();
    if (out[0] === 'ok') return { kind: 'ok' };
    if (out[0] === 'applied') return { kind: 'applied', record: turnRecord(out[1]!, out[2]!, out[3]!, out[4]!) };
    return { kind: 'conflict', on: out[1] === 'school' ? 'school' : 'session' };
  }

  async release(home: string, userId: string, lock: string): Promise<void> {
    await this.scripts.ybUnlock(this.keys.lock(home, userId), lock);
  }

  async record(home: string, userId: string, deliveryId: string): Promise<TurnRecord | null> {
    const [replies, late, replayed, attempt] = await this.redis.hmget(this.keys.turn(home, userId, deliveryId), 'replies', 'late', 'replayed', 'attempt');
    return replies ? turnRecord(replies, late ?? '', replayed ?? '0', attempt ?? '') : null;
  }

  async markReplayed(home: string, userId: string, deliveryId: string, now: number): Promise<'ok' | 'late-sent'> {
    const k = this.keys;
    const p = partitionOf(home);
    const key = k.turn(home, userId, deliveryId);
    // The record names the late entry; its id is derived here, so the script needs no read first.
    const late = k.outboxEntry(p, lateEntryId(userId, deliveryId));
    return (await this.scripts.ybTurnReplayed(key, k.outboxDue(p), late, now, ENTRY_KEEP_MS)) as 'ok' | 'late-sent';
  }

  async lateReply(home: string, userId: string, deliveryId: string, entry: EntryInit, now: number): Promise<'queued' | 'answered' | 'exists' | 'gone'> {
    const k = this.keys;
    const p = partitionOf(home);
    return (await this.scripts.ybTurnLateReply(k.turn(home, userId, deliveryId), k.outboxDue(p), k.outboxEntry(p, entry.id), ...entryArgs(home, entry), now)) as 'queued' | 'answered' | 'exists' | 'gone';
  }

}
