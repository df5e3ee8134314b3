import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { durabilityOf } from '../../src/store/redis-client';
import { ReplicaWait } from '../../src/store/redis/durability';
import { freeFixedPort, startRedisServer, type ThrowawayRedis } from '../helpers/redis-server';

/**
 * REDIS_WAIT_REPLICAS waits for the replicas there are; the operator hears when that is fewer
 * than asked, and when they are back. A master and a replica of its own, the replica killed and
 * started again.
 */
describe('the replicas an acknowledged write waits for', () => {
  let master: ThrowawayRedis;
  let replica: ThrowawayRedis;
  let redis: Redis;
  beforeAll(async () => {
    master = await startRedisServer();
    replica = await startRedisServer(await freeFixedPort(), ['--replicaof', '127.0.0.1', String(master.port)]);
    redis = new Redis(master.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await replica.stop();
    await master.stop();
  });

  /** Confirms writes until the count heard is `count` (a recount happens at most once a second). */
  async function confirmUntil(wait: ReplicaWait, heard: [number, number | null][], count: number): Promise<void> {
    for (let i = 0; i < 60 && heard.at(-1)?.[0] !== count; i++) {
      await redis.set('probe', String(i));
      await wait.confirm().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('is told the count first, then each change: the replica gone (0, a warning in the log) and back (1)', async () => {
    const logs: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
    // As main.ts makes it: REDIS_WAIT_REPLICAS=1, REDIS_WAIT_TIMEOUT_MS=300, the changes logged.
    const durability = durabilityOf({ redisUrl: master.url, redisClusterNodes: undefined, redisWaitReplicas: 1, redisWaitTimeoutMs: 300 }, logger)!;
    const heard: [number, number | null][] = [];
    const wait = new ReplicaWait(redis, { ...durability, onReplicas: (inSync, previous) => (heard.push([inSync, previous]), durability.onReplicas!(inSync, previous)) });
    await confirmUntil(wait, heard, 1);
    // Counted 0 first when the replica was still taking its first sync, or 1 at once.
    expect(heard.at(-1)).toEqual([1, heard.length > 1 ? 0 : null]);
    const before = heard.length;
    await replica.stop();
    await confirmUntil(wait, heard, 0);
    expect(heard.slice(before)).toEqual([[0, 1]]);
    // With none in sync a write is acknowledged at once (nothing a failover could promote would lack it).
    await redis.set('probe', 'alone');
    await expect(wait.confirm()).resolves.toBeUndefined();
    replica = await startRedisServer(replica.port, ['--replicaof', '127.0.0.1', String(master.port)]);
    await confirmUntil(wait, heard, 1);
    expect(heard.slice(before)).toEqual([[0, 1], [1, 0]]);
    await redis.set('probe', 'both');
    await expect(wait.confirm()).resolves.toBeUndefined();
    const direct = new Redis(replica.url);
    expect(await direct.get('probe')).toBe('both');
    direct.disconnect();
    const said = logs.filter((l) => 'replicasInSync' in l).slice(-2);
    expect(said.map((l) => [l.level, l.replicasInSync, l.previous, l.waitReplicas])).toEqual([[40, 0, 1, 1], [30, 1, 0, 1]]);
    expect(said[0]!.msg).toContain('no replica in sync with the Redis master');
  }, 30_000);
});
