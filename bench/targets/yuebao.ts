/** Bench target: the real server (real Redis store) on a free port; prints {"port":N}. */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { RedisStore } from '../../src/store/redis-store';
import { MemoryStore } from '../../src/store/memory-store';
import { createRedisClient } from '../../src/store/redis-client';
import { assemble, listen } from '../../src/server';
import { testConfig } from '../../test/helpers/sample';

// The production client, as main.ts builds it.
const redis = createRedisClient(process.env.BENCH_REDIS_URL!);
await redis.connect();
const prefix = `bench:${randomBytes(4).toString('hex')}:`;
// BENCH_STORE=memory measures the same path on the embedded store, to see what Redis costs.
const memory = process.env.BENCH_STORE === 'memory';
const parts = assemble(testConfig(process.env.BENCH_API_BASE!), {
  store: memory ? new MemoryStore() : new RedisStore(redis, prefix),
  storeKind: memory ? 'memory' : 'redis',
  logger: pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' }, pino.destination('/dev/null')),
});
const { server, port } = await listen(parts.app, 0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ port })}\n`);

process.on('SIGTERM', async () => {
  server.close();
  // Leave the Redis as we found it: drop this run's keys only.
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  process.exit(0);
});
