import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freeFixedPort, startRedisServer } from '../helpers/redis-server';

/**
 * The test Redis started again on its port (as the outage, auth, replica and failover tests do)
 * waits out a port still held by something else, instead of failing after one try.
 */
describe('a test Redis started on a port that is not free yet', () => {
  it('is started again until the port is free, then answers', async () => {
    const port = await freeFixedPort();
    // Something else has the port (it hangs up on whoever connects) for a while.
    const holder = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', () => resolve()));
    const heldFor = 1_200;
    const released = new Promise<void>((resolve) => setTimeout(() => holder.close(() => resolve()), heldFor));
    const startedAt = Date.now();
    const redis = await startRedisServer(port);
    try {
      await released;
      // It came up only once the holder let go: the first tries could not bind and were made again.
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(heldFor);
      const client = new Redis(redis.url);
      expect(await client.ping()).toBe('PONG');
      client.disconnect();
    } finally {
      await redis.stop();
    }
  }, 30_000);
});
