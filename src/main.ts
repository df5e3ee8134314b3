import 'dotenv/config';
import { sharedClock } from './clock/clock';
import { ConfigError, loadConfig } from './config/config';
import { createLogger } from './log/logger';
import { redisStores } from './store/stores';
import { connectRedis, createRedisClient, durabilityOf } from './store/redis-client';
import { assemble, listen, stopGracefully } from './server';
import { templateEntry } from './conversation/workbench';

/** The composition root: config → Redis → stores → WeCom client → dispatcher → Koa app → scheduler and outbox worker. */
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
  let redis;
  try {
    redis = createRedisClient(config, logger);
    await connectRedis(redis, logger);
  } catch (error) {
    // No Redis configured, or a Cluster or Sentinels that are not there: say so and stop.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const stores = redisStores(redis, config.redisKeyPrefix, { durability: durabilityOf(config, logger) });
  // FAKE_NOW is anchored in Redis by the first process, so that every instance and CLI command reads the same now.
  const clock = await sharedClock(config.fakeNow, (fakeAt, realAt) => stores.markers.anchorClock(fakeAt, realAt));
  const parts = assemble(config, { stores, logger, clock });
  const { server, port } = await listen(parts.app, config.port, config.host);
  parts.scheduler.start();
  parts.worker.start();
  parts.directory.start();
  // The workbench template, once per start (an entry id per day: a restart the same day writes nothing more).
  if (config.workbench) await stores.outbox.enqueue('workbench', [templateEntry(Date.now())], Date.now());
  logger.info({ port, host: config.host, fakeNow: config.fakeNow?.toISOString() }, 'yuebao listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new work; finishing the running job tick, deliveries in hand and open requests');
    await stopGracefully(server, parts, 10_000);
    await redis.quit().catch(() => redis.disconnect());
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

void main();
