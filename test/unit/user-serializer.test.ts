import { describe, expect, it } from 'vitest';
import { UserSerializer, UserBusyError } from '../../src/dispatch/user-serializer';
import { RedisStore } from '../../src/store/redis-store';
import { testRedis } from '../helpers/redis';

describe('UserSerializer', () => {
  it('runs one user’s tasks one at a time, in the order they arrived', async () => {
    const r = await testRedis();
    try {
      const serializer = new UserSerializer(new RedisStore(r.redis, r.prefix));
      const log: string[] = [];
      let running = 0;
      const task = (name: string, ms: number) => async () => {
        running++;
        expect(running).toBe(1);
        log.push(`start ${name}`);
        await new Promise((res) => setTimeout(res, ms));
        log.push(`end ${name}`);
        running--;
      };
      await Promise.all([serializer.run('u', task('a', 30)), serializer.run('u', task('b', 1)), serializer.run('u', task('c', 10))]);
      expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    } finally {
      await r.cleanup();
    }
  });

  it('keeps two instances apart through the store lock', async () => {
    const r = await testRedis();
    try {
      const store = new RedisStore(r.redis, r.prefix);
      const one = new UserSerializer(store);
      const two = new UserSerializer(store);
      let running = 0;
      let most = 0;
      const task = async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((res) => setTimeout(res, 20));
        running--;
      };
      await Promise.all([one.run('u', task), two.run('u', task), one.run('u', task), two.run('u', task)]);
      expect(most).toBe(1);
    } finally {
      await r.cleanup();
    }
  });

  it('gives up with UserBusyError when another instance holds the user too long', async () => {
    const r = await testRedis();
    try {
      const store = new RedisStore(r.redis, r.prefix);
      await store.tryLock('user:u', 10_000);
      const serializer = new UserSerializer(store, { waitMs: 100 });
      await expect(serializer.run('u', async () => 'ran')).rejects.toBeInstanceOf(UserBusyError);
    } finally {
      await r.cleanup();
    }
  });

  it('goes on with the next task after one fails', async () => {
    const r = await testRedis();
    try {
      const serializer = new UserSerializer(new RedisStore(r.redis, r.prefix));
      const first = serializer.run('u', async () => {
        throw new Error('boom');
      });
      const second = serializer.run('u', async () => 'second ran');
      await expect(first).rejects.toThrow('boom');
      await expect(second).resolves.toBe('second ran');
    } finally {
      await r.cleanup();
    }
  });
});
