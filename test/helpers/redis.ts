import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { VARIABLE_KEY_SCRIPTS } from '../../src/store/redis-scripts';
import { createRedisClient } from '../../src/store/redis-client';
import { inject } from 'vitest';

export interface TestRedis {
  redis: Redis;
  prefix: string;
  /** Every key under this test's prefix. */
  keys(): Promise<string[]>;
  /** Deletes this test's keys (never FLUSHALL: the Redis may be shared) and disconnects. */
  cleanup(): Promise<void>;
}

export async function testRedis(url = inject('redisUrl')): Promise<TestRedis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  return prefixed(redis);
}

function prefixed(redis: Redis): TestRedis {
  const prefix = `yb-test:${randomBytes(6).toString('hex')}:`;
  const keys = async () => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      found.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return found;
  };
  return {
    redis,
    prefix,
    keys,
    cleanup: async () => {
      const found = await keys();
      if (found.length > 0) await redis.del(...found);
      redis.disconnect();
    },
  };
}

export interface TestCluster {
  redis: Cluster;
  prefix: string;
  cleanup(): Promise<void>;
}

/** A client of the run's Redis Cluster under a fresh prefix; cleanup deletes the prefix's keys on every master. */
export async function testCluster(nodes = inject('clusterNodes')): Promise<TestCluster> {
  const redis = new Cluster(
    nodes.split(',').map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })),
    { enableAutoPipelining: true, autoPipeliningIgnoredCommands: VARIABLE_KEY_SCRIPTS, redisOptions: { maxRetriesPerRequest: 1 } },
  );
  const prefix = `yb-test:${randomBytes(6).toString('hex')}:`;
  return {
    redis,
    prefix,
    cleanup: async () => {
      await Promise.all(
        redis.nodes('master').map(async (node) => {
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
            for (const k of keys) await redis.del(k);
            cursor = next;
          } while (cursor !== '0');
        }),
      );
      redis.disconnect();
    },
  };
}

/** The run's Sentinels as the factory takes them (REDIS_SENTINELS, REDIS_SENTINEL_NAME). */
export function sentinelConfig(sentinels = inject('sentinels'), name = inject('sentinelName')) {
  return { redisUrl: undefined, redisClusterNodes: undefined, redisSentinels: sentinels.split(',').map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })), redisSentinelName: name };
}

/** A client of the run's master under Sentinel, made by the production factory, under a fresh prefix. */
export async function testSentinel(): Promise<TestRedis> {
  const redis = createRedisClient(sentinelConfig(), undefined, 'cli') as Redis;
  await redis.connect();
  return prefixed(redis);
}

/** A single Redis or the run's Cluster, under a fresh prefix: what suites run on both take. */
export type TestBacking = Pick<TestRedis, 'prefix' | 'cleanup'> & { redis: Redis | Cluster };

export function testBacking(kind: 'redis' | 'cluster'): Promise<TestBacking> {
  return kind === 'cluster' ? testCluster() : testRedis();
}
