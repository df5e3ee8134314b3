/** Bench target: the real server (real Redis store) on a free port; prints {"port":N}. */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { memoryStores, redisStores } from '../../src/store/stores';
import { createRedisClient } from '../../src/store/redis-client';
import { assemble, listen } from '../../src/server';
import { testConfig } from '../../test/helpers/sample';
import { deletePrefix } from '../../test/helpers/redis-server';
import { report } from '../../test/fixtures/records';
import { seedReport } from '../../test/helpers/records';
import { loadForm } from '../../src/conversation/form';
import monthlyReport from '../../conversations/monthly-report';

// The production client, as main.ts builds it.
const redis = createRedisClient({ redisUrl: process.env.BENCH_REDIS_URL!, redisClusterNodes: undefined });
await redis.connect();
const prefix = `bench:${randomBytes(4).toString('hex')}:`;
// BENCH_STORE=memory measures the same path on the embedded store, to see what Redis costs.
const memory = process.env.BENCH_STORE === 'memory';
// BENCH_SCHOOLS=N seeds N schools with one contact each (bench-user-0 … ) for report turns,
// and the clock is put inside the October 2026 filing window.
const schools = Number(process.env.BENCH_SCHOOLS ?? 0);
// BENCH_WAIT_REPLICAS=1: every acknowledged write waits for the replica (REDIS_WAIT_REPLICAS), as under Sentinel.
const waitReplicas = Number(process.env.BENCH_WAIT_REPLICAS ?? 0);
const stores = memory ? memoryStores() : redisStores(redis, prefix, waitReplicas > 0 ? { durability: { replicas: waitReplicas, timeoutMs: 500 } } : {});
await stores.roster.replaceSchools(
  Array.from({ length: schools }, (_, i) => ({ code: `B${String(i).padStart(6, '0')}`, name: `基准职业学院${i}`, city: '郑州', level: '高职' as const, category: 'B' as const, pilot: false, contacts: [`bench-user-${i}`] })),
);
// BENCH_MONTHS=N: each school has filed January to the Nth month already, as in the autumn, so
// that a report turn reads (and decodes) a year of reports as it does in production.
const months = Number(process.env.BENCH_MONTHS ?? 0);
if (months > 0) {
  const form = loadForm(monthlyReport);
  const values = Object.fromEntries(form.parts.flatMap((p) => p.cells).map((c, j) => [c.id, (j % 7) + 1]));
  await Promise.all(Array.from({ length: schools }, async (_, i) => {
    for (let m = 1; m <= months; m++) await seedReport(stores, report(`B${String(i).padStart(6, '0')}`, `2026-${String(m).padStart(2, '0')}`, 'filed', values));
  }));
}
const parts = assemble(testConfig(process.env.BENCH_API_BASE!, schools > 0 ? { FAKE_NOW: '2026-11-05T09:00:00+08:00' } : {}), {
  stores,
  logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }, pino.destination('/dev/null')),
});
const { server, port } = await listen(parts.app, 0, '127.0.0.1');
// As in production: the outbox worker polls beside the callbacks.
parts.worker.start();
process.stdout.write(`${JSON.stringify({ port })}\n`);

process.on('SIGTERM', async () => {
  server.close();
  // Leave the Redis as we found it: drop this run's keys only.
  await deletePrefix(redis as Redis, prefix);
  redis.disconnect();
  process.exit(0);
});
