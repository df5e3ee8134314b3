import { describe, expect, it } from 'vitest';
import { RedisStore, redisKeys } from '../../src/store/redis-store';
import { userLock } from '../../src/store/store';
import { testRedis } from '../helpers/redis';
import { storeContract } from './store-contract';

storeContract('redis', async () => {
  const r = await testRedis();
  return { store: new RedisStore(r.redis, r.prefix), cleanup: r.cleanup };
});

describe('redis store keys', () => {
  it('puts every key under the prefix and a user’s keys in one hash slot', async () => {
    const r = await testRedis();
    try {
      const store = new RedisStore(r.redis, r.prefix);
      await store.writeSession('zhangsan', '{}', 0, null);
      await store.reserveSends(['zhangsan'], Date.now(), { perMinute: 30, perHour: 1000 });
      await store.claimDelivery('zhangsan', 'm:1', 10_000);
      await store.tryLock(userLock('zhangsan'), 10_000);
      const keys = (await r.keys()).sort();
      expect(keys).toEqual([`${r.prefix}{u:zhangsan}:delivery:m:1`, `${r.prefix}{u:zhangsan}:lock`, `${r.prefix}{u:zhangsan}:sends`, `${r.prefix}{u:zhangsan}:session`].sort());
      // Redis Cluster hashes only what is inside the first {…}: a user's keys must share it.
      const k = redisKeys(r.prefix);
      const tag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
      expect(tag(k.session('zhangsan'))).toBe('u:zhangsan');
      expect(tag(k.sends('zhangsan'))).toBe('u:zhangsan');
      expect(tag(k.lock(userLock('zhangsan')))).toBe('u:zhangsan');
      expect(tag(k.delivery('zhangsan', 'm:1'))).toBe('u:zhangsan');
    } finally {
      await r.cleanup();
    }
  });
});
