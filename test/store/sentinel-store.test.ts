import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { newSession } from '../../src/session/session';
import { connectRedis, createRedisClient } from '../../src/store/redis-client';
import { pairsToRecord } from '../../src/store/redis-scripts';
import { redisStores } from '../../src/store/stores';
import type { TurnCommitArgs } from '../../src/store/turn-store';
import { sentinelConfig, testSentinel } from '../helpers/redis';
import { storeContracts } from './contracts';

/**
 * The storage contracts on a master under Sentinel, reached the way production reaches it: the
 * factory asks the Sentinels for the master. The same suites with REDIS_WAIT_REPLICAS=1 run every
 * acknowledged write through WAIT.
 */
storeContracts('redis sentinel', async (options = {}) => {
  const r = await testSentinel();
  return { stores: redisStores(r.redis, r.prefix, options), cleanup: r.cleanup };
});

storeContracts('redis sentinel, waiting for the replica', async (options = {}) => {
  const r = await testSentinel();
  return { stores: redisStores(r.redis, r.prefix, { ...options, durability: { replicas: 1, timeoutMs: 1_000 } }), cleanup: r.cleanup };
});

const commitArgs = (userId: string, deliveryId: string): TurnCommitArgs => ({
  home: userId,
  userId,
  deliveryId,
  lock: 'L1',
  keepMs: 60_000,
  record: { replies: ['好的'], late: null },
  session: { session: { ...newSession(), turns: 1 }, expectedRev: 0, ttlMs: 60_000 },
  outbox: [],
  now: 100,
});

/** A direct connection to the group's replica, as a Sentinel names it. */
async function replicaOf(): Promise<Redis> {
  const [host, port] = inject('sentinels').split(',')[0]!.split(':') as [string, string];
  const sentinel = new Redis(Number(port), host);
  try {
    const [flat] = (await sentinel.call('SENTINEL', 'replicas', inject('sentinelName'))) as string[][];
    const f = pairsToRecord(flat!);
    return new Redis(Number(f.port), f.ip!);
  } finally {
    sentinel.disconnect();
  }
}

describe('acknowledged writes under Sentinel', () => {
  it('answers a turn only once it is on the replica: a WAIT per commit, and the turn read there the moment the commit returns', async () => {
    const r = await testSentinel();
    const replica = await replicaOf();
    // WAITs the master has served (the other suites on this group run in other files, none waiting).
    const waits = async () => Number(/cmdstat_wait:calls=(\d+)/.exec(await r.redis.info('commandstats'))?.[1] ?? 0);
    try {
      const { turns } = redisStores(r.redis, r.prefix, { durability: { replicas: 1, timeoutMs: 1_000 } });
      const before = await waits();
      for (let n = 1; n <= 20; n++) {
        expect(await turns.commit(commitArgs(`u${n}`, `m:${n}`))).toEqual({ kind: 'ok' });
        const onReplica = await replica.keys(`${r.prefix}*:turn:u${n}:m:${n}`);
        expect(onReplica, `turn m:${n} on the replica`).toHaveLength(1);
      }
      // One after each commit (they come one by one here, so none is shared).
      expect((await waits()) - before).toBeGreaterThanOrEqual(20);
    } finally {
      replica.disconnect();
      await r.cleanup();
    }
  });

  it('starts only when a Sentinel names the master: a wrong name stops start-up with what to check', async () => {
    const wrong = createRedisClient({ ...sentinelConfig(inject('sentinels'), 'no-such-master') }, undefined, 'server');
    const logger = { error: () => undefined, info: () => undefined, warn: () => undefined } as never;
    await expect(connectRedis(wrong, logger)).rejects.toThrow(/no Sentinel there names the master .*knows no master no-such-master.*REDIS_SENTINEL_NAME/);
    wrong.disconnect();
  });

  it('reaches the master the Sentinels name, not a replica', async () => {
    const r = await testSentinel();
    try {
      const role = (await r.redis.call('ROLE')) as [string, ...unknown[]];
      expect(role[0]).toBe('master');
      // The master has the replica the group was started with, in sync.
      const info = await r.redis.info('replication');
      expect(info).toMatch(/connected_slaves:1/);
    } finally {
      await r.cleanup();
    }
  });
});

describe('the Sentinel group', () => {
  it('has three Sentinels that name the same master', async () => {
    const answers = await Promise.all(
      inject('sentinels').split(',').map(async (hostPort) => {
        const [host, port] = hostPort.split(':') as [string, string];
        const probe = new Redis(Number(port), host, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        try {
          await probe.connect();
          return ((await probe.call('SENTINEL', 'get-master-addr-by-name', inject('sentinelName'))) as string[]).join(':');
        } finally {
          probe.disconnect();
        }
      }),
    );
    expect(answers).toHaveLength(3);
    expect(new Set(answers).size).toBe(1);
  });
});
