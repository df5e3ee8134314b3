import 'dotenv/config';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './log/logger';
import { RedisStore } from './store/redis-store';
import { connectRedis, createRedisClient } from './store/redis-client';
import { assemble, closeGracefully, listen } from './server';

/** The composition root: config → Redis → stores → WeCom client → dispatcher → Koa app. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  const redis = createRedisClient(config.redisUrl, logger);
  await connectRedis(redis, logger);
  const parts = assemble(config, { store: new RedisStore(redis, config.redisKeyPrefix), storeKind: 'redis', logger });
  const { server, port } = await listen(parts.app, config.port, config.host);
  parts.scheduler.start();
  logger.info({ port, host: config.host, fakeNow: config.fakeNow?.toISOString() }, 'yuebao listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing the ones in flight');
    await parts.scheduler.stop();
    await closeGracefully(server, parts.inFlight, 10_000);
    await redis.quit().catch(() => redis.disconnect());
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
