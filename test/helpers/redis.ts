import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
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
