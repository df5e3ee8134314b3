import type { Cluster, Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from './keys';
import { partitionOf } from './partition';
import { entryArgs, schoolSnapshot, schoolWriteArgs } from './redis-store';
import { scriptClient, type ScriptClient } from './redis-scripts';
import type { StoredSession } from './store';
import type { TurnBegin, TurnBeginArgs, TurnCommitArgs, TurnCommitResult, TurnRecord, TurnStore } from './turn-store';

function turnRecord(replies: string, late: string, replayed: string): TurnRecord {
  return { replies: JSON.parse(replies) as string[], late: late || null, replayed: replayed === '1' };
}

/** Turns on Redis: a begin and a commit script, each in the turn's home partition. */
export class RedisTurnStore implements TurnStore {
  private readonly keys: RedisKeys;
  private readonly scripts: ScriptClient;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix = 'yb:',
  ) {
    this.keys = redisKeys(prefix);
    this.scripts = scriptClient(redis);
  }

  async begin(args: TurnBeginArgs): Promise<TurnBegin> {
    const k = this.keys;
    const keys = [k.turn(args.home, args.userId, args.deliveryId), k.lock(args.home, args.userId), k.session(args.home, args.userId)];
    if (args.school) {
      const { code, period } = args.school;
      if (partitionOf(code) !== partitionOf(args.home)) throw new Error(`school ${code} does not live in the home of ${args.userId}`);
      keys.push(k.schoolRev(code, period), k.draft(code, period), k.reports(code), k.reopened(code));
    }
    const out = (await this.scripts.ybTurnBegin(keys.length, ...keys, args.lockTtlMs, args.lock, args.school?.period ?? '')) as unknown[];
    if (out[0] === 'applied') return { kind: 'applied', record: turnRecord(out[1] as string, out[2] as string, out[3] as string) };
    if (out[0] === 'locked') return { kind: 'locked' };
    const [data, rev] = [out[1], out[2]];
    const session = typeof data === 'string' && typeof rev === 'string' ? { data, rev: Number(rev) } : null;
    const school = args.school ? schoolSnapshot(out.slice(3, 8) as [string, string | false, string[], number, string[]]) : null;
    return { kind: 'ready', session, school };
  }

  async commit(args: TurnCommitArgs): Promise<TurnCommitResult> {
    const k = this.keys;
    const p = partitionOf(args.home);
    const keys = [k.turn(args.home, args.userId, args.deliveryId), k.lock(args.home, args.userId), k.session(args.home, args.userId), k.outboxDue(p)];
    const argv: (string | number)[] = [
      args.lock,
      args.session.expectedRev,
      args.session.data,
      args.session.ttlMs,
      args.keepMs,
      JSON.stringify(args.record.replies),
      args.record.late ?? '',
      args.now,
      args.school ? '1' : '0',
      args.outbox.length,
    ];
    if (args.school) {
      if (partitionOf(args.school.code) !== p) throw new Error(`school ${args.school.code} does not live in the home of ${args.userId}`);
      const school = schoolWriteArgs(k, args.school);
      keys.push(...school.keys);
      argv.push(...school.args);
    }
    for (const entry of args.outbox) {
      keys.push(k.outboxEntry(p, entry.id));
      argv.push(...entryArgs(args.home, entry));
    }
    const out = (await this.scripts.ybTurnCommit(keys.length, ...keys, ...argv)) as string[];
    if (out[0] === 'ok') return { kind: 'ok' };
    if (out[0] === 'applied') return { kind: 'applied', record: turnRecord(out[1]!, out[2]!, out[3]!) };
    return { kind: 'conflict', on: out[1] === 'school' ? 'school' : 'session' };
  }

  async release(home: string, userId: string, lock: string): Promise<void> {
    await this.scripts.ybUnlock(this.keys.lock(home, userId), lock);
  }

  async record(home: string, userId: string, deliveryId: string): Promise<TurnRecord | null> {
    const [replies, late, replayed] = await this.redis.hmget(this.keys.turn(home, userId, deliveryId), 'replies', 'late', 'replayed');
    return replies ? turnRecord(replies, late ?? '', replayed ?? '0') : null;
  }

  async markReplayed(home: string, userId: string, deliveryId: string): Promise<void> {
    // Only an existing record (HSET on a missing key would create one without an expiry).
    const key = this.keys.turn(home, userId, deliveryId);
    if ((await this.redis.exists(key)) === 1) await this.redis.hset(key, 'replayed', '1');
  }

  async readSession(home: string, userId: string): Promise<StoredSession | null> {
    const [data, rev] = await this.redis.hmget(this.keys.session(home, userId), 'data', 'rev');
    if (!data || !rev) return null;
    return { data, rev: Number(rev) };
  }
}
