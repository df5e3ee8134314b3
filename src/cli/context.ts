import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, durabilityOf, openRedis } from '../store/redis-client';
import { pino } from 'pino';
import { sharedClock, systemClock, type Clock } from '../clock/clock';
import type { Config } from '../config/config';
import { redisStores, type Stores } from '../store/stores';
import { WeComClient } from '../wecom/api-client';

/** What a CLI command works with: the production Redis and WeCom client, built from config. */
export interface CliContext {
  config: Config;
  redis: Redis | Cluster;
  stores: Stores;
  client: WeComClient;
  /** The deployment's business clock (FAKE_NOW as the servers read it); set by open(). */
  clock: Clock;
  /** Connects to Redis and reads the shared clock. */
  open(): Promise<void>;
  close(): Promise<void>;
}

export function cliContext(config: Config): CliContext {
  // Unlike the server, the CLI fails at once when Redis is away: an operator is waiting.
  const redis = createRedisClient(config, undefined, 'cli');
  redis.on('error', () => undefined);
  const stores = redisStores(redis, config.redisKeyPrefix, { durability: durabilityOf(config) });
  const logger = pino({ level: 'silent' });
  const client = new WeComClient({ apiBase: config.wecom.apiBase, corpId: config.wecom.corpId, secret: config.wecom.secret, agentId: config.wecom.agentId, tokens: stores.tokens, markers: stores.markers, logger });
  const ctx: CliContext = {
    config,
    redis,
    stores,
    client,
    clock: systemClock,
    open: async () => {
      await openRedis(redis);
      ctx.clock = await sharedClock(config.fakeNow, (fakeAt, realAt) => stores.markers.anchorClock(fakeAt, realAt));
    },
    close: async () => void redis.disconnect(),
  };
  return ctx;
}
