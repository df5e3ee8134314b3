import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { redisStores } from '../../src/store/stores';
import { VARIABLE_KEY_SCRIPTS } from '../../src/store/redis-scripts';
import { testCluster } from '../helpers/redis';
import { storeContracts } from './contracts';
import { change, report, school } from './contracts/fixtures';

/**
 * The storage contracts on a real three-master Redis Cluster: every script and transaction must
 * keep to one hash slot, and a key layout that crosses slots fails here (CROSSSLOT), not in
 * production.
 */
// The run's cluster (test/helpers/global-setup.ts), a client per test.
const client = (): Cluster => new Cluster(inject('clusterNodes').split(',').map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) })), { enableAutoPipelining: true, autoPipeliningIgnoredCommands: VARIABLE_KEY_SCRIPTS, redisOptions: { maxRetriesPerRequest: 1 } });

storeContracts('redis cluster', async (options = {}) => {
  const c = await testCluster();
  return { stores: redisStores(c.redis, c.prefix, options), cleanup: c.cleanup };
});

describe('the cluster itself', () => {
  it('has three masters serving every slot', async () => {
    const redis = client();
    try {
      const slots = (await redis.cluster('SLOTS')) as [number, number, ...unknown[]][];
      expect(slots.reduce((n, [from, to]) => n + (to - from + 1), 0)).toBe(16384);
      expect(redis.nodes('master')).toHaveLength(3);
    } finally {
      redis.disconnect();
    }
  });

  it('spreads the schools’ records over the masters; only the roster, the audit log and the token share a slot each', async () => {
    const redis = client();
    const prefix = `yb-test:${randomBytes(6).toString('hex')}:`;
    try {
      const stores = redisStores(redis, prefix);
      const schools = Array.from({ length: 200 }, (_, i) => school(`S${String(i).padStart(4, '0')}`, '郑州', 'A', [`u${i}`]));
      await stores.roster.replaceSchools(schools);
      for (const s of schools) expect(await stores.records.commit(change({ code: s.code, period: '2026-10', report: report(s.code, '2026-10'), status: 'filed', ytd: { year: 2026, trainees: 0, subsidized: 0, poor: 0 } }))).toBe(true);
      const perMaster = await Promise.all(
        redis.nodes('master').map(async (node) => {
          let cursor = '0';
          let n = 0;
          do {
            const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
            n += keys.length;
            cursor = next;
          } while (cursor !== '0');
          return n;
        }),
      );
      const total = perMaster.reduce((a, b) => a + b, 0);
      // 64 partitions over three masters: none holds much more than its third (the roster's keys are one slot of one).
      for (const n of perMaster) expect(n / total).toBeGreaterThan(0.2);
      for (const n of perMaster) expect(n / total).toBeLessThan(0.5);
      for (const node of redis.nodes('master')) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          for (const k of keys) await redis.del(k);
          cursor = next;
        } while (cursor !== '0');
      }
    } finally {
      redis.disconnect();
    }
  });
});
