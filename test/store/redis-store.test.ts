import { describe, expect, it } from 'vitest';
import { redisKeys } from '../../src/store/keys';
import { partitionOf } from '../../src/store/partition';
import { redisStores } from '../../src/store/stores';
import { testRedis } from '../helpers/redis';
import { storeContracts } from './contracts';
import { change, draft, history } from './contracts/fixtures';
import { newSession } from '../../src/session/session';

storeContracts('redis', async (options = {}) => {
  const r = await testRedis();
  return { stores: redisStores(r.redis, r.prefix, options), cleanup: r.cleanup };
});

describe('redis store keys', () => {
  // Redis Cluster hashes only what is inside the first {…}: keys one script touches must share it.
  const tag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];

  it('puts a school contact’s turn, the school’s records, its status and its outbox entries in one hash slot', async () => {
    const r = await testRedis();
    try {
      const { budget, turns } = redisStores(r.redis, r.prefix);
      await turns.commit({
        home: '4101',
        userId: 'zhangsan',
        deliveryId: 'm:1',
        lock: 'L',
        keepMs: 60_000,
        record: { replies: [], late: null },
        session: { session: newSession(), expectedRev: 0, ttlMs: 60_000 },
        school: change({ code: '4101', period: '2026-10', draft: draft(), history: [history('edit')], status: 'drafting', ytd: { year: 2026, trainees: 0, subsidized: 0, poor: 0 } }),
        outbox: [{ id: 'turn:zhangsan:m:1:reply', payload: { kind: 'message', to: ['zhangsan'], messages: [{ msgtype: 'text', text: { content: 'x' } }] }, due: 0 }],
        now: 0,
      });
      await budget.reserve(['zhangsan'], Date.now(), { perMinute: 30, perHour: 1000 });
      const keys = await r.keys();
      expect(keys.every((k) => k.startsWith(r.prefix))).toBe(true);
      const school = `p${String(partitionOf('4101')).padStart(2, '0')}`;
      // Every key the turn wrote carries the school's partition tag; the send budget, the user's own.
      const user = `p${String(partitionOf('zhangsan')).padStart(2, '0')}`;
      expect(keys.filter((k) => !k.includes(':sends:')).map(tag).every((t) => t === school)).toBe(true);
      expect(keys.filter((k) => k.includes(':sends:')).map(tag)).toEqual([user]);
      expect(keys.length).toBeGreaterThanOrEqual(9);
      const k = redisKeys(r.prefix);
      expect(tag(k.session('4101', 'zhangsan'))).toBe(school);
      expect(tag(k.outboxEntry(partitionOf('4101'), 'x'))).toBe(school);
      expect(tag(k.status(partitionOf('4101'), '2026-10', 'filed'))).toBe(school);
    } finally {
      await r.cleanup();
    }
  });
});
