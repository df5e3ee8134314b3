import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../log/logger';
import { VARIABLE_KEY_SCRIPTS } from './redis-scripts';

/** Where Redis is, as configuration gives it (config.ts's redisUrl and redisClusterNodes). */
export interface RedisConfig {
  redisUrl: string | undefined;
  redisClusterNodes: { host: string; port: number }[] | undefined;
}

/** Neither REDIS_URL nor REDIS_CLUSTER_NODES: nothing is assumed (no silent redis://127.0.0.1:6379). */
export class NoRedisConfigured extends Error {
  constructor() {
    super('No Redis is configured: set REDIS_URL (redis://host:6379) for a single Redis, or REDIS_CLUSTER_NODES (host:port,host:port,…) for a Redis Cluster.');
    this.name = 'NoRedisConfigured';
  }
}

/** Where the stores live, as configured: a single Redis or a Cluster. */
export function redisTarget(config: RedisConfig): { kind: 'cluster'; nodes: { host: string; port: number }[] } | { kind: 'single'; url: string } {
  if (config.redisClusterNodes && config.redisClusterNodes.length > 0) return { kind: 'cluster', nodes: config.redisClusterNodes };
  if (config.redisUrl) return { kind: 'single', url: config.redisUrl };
  throw new NoRedisConfigured();
}

/** How a process uses Redis: a server rides out an outage (503s, reconnects); the CLI fails at once, an operator is waiting. */
export type ClientMode = 'server' | 'cli';

/**
 * The one factory of Redis clients (server, CLI, demo with a Redis, benches). A server's client
 * fails fast while Redis is away (no offline queue), so a callback gets a 503 at once and WeCom
 * retries, and reconnects by itself when Redis comes back. On a Cluster the scripts whose key
 * count varies are kept out of auto-pipelining (see VARIABLE_KEY_SCRIPTS).
 */
export function createRedisClient(config: RedisConfig, logger?: Logger, mode: ClientMode = 'server'): Redis | Cluster {
  const target = redisTarget(config);
  const base: RedisOptions =
    mode === 'server'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000, retryStrategy: (times) => Math.min(100 * times, 2_000) }
      : { maxRetriesPerRequest: 0, connectTimeout: 3_000, retryStrategy: () => null };
  let redis: Redis | Cluster;
  if (target.kind === 'cluster') {
    const options: ClusterOptions = {
      lazyConnect: true,
      enableAutoPipelining: true,
      autoPipeliningIgnoredCommands: VARIABLE_KEY_SCRIPTS,
      enableOfflineQueue: mode === 'cli',
      redisOptions: base,
      clusterRetryStrategy: mode === 'server' ? (times) => Math.min(100 * times, 2_000) : () => null,
    };
    redis = new Cluster(target.nodes, options);
  } else {
    // Commands issued in the same tick by concurrent requests go out in one write: far fewer
    // syscalls under load, the same order per connection.
    redis = new Redis(target.url, { lazyConnect: true, enableAutoPipelining: true, ...base });
  }
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger?.error({ err: error.message }, 'Redis unreachable; retrying in the background');
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger?.info('Redis reachable again');
    down = false;
  });
  return redis;
}

/**
 * Connects. A single Redis that is down does not fail start-up (/healthz says so, the client
 * retries); a Cluster that cannot be reached at all does: its nodes are configured by hand, and a
 * wrong list is a mistake to say at once.
 */
export async function connectRedis(redis: Redis | Cluster, logger: Logger): Promise<void> {
  try {
    await redis.connect();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (redis instanceof Cluster) throw new Error(`REDIS_CLUSTER_NODES is set but no Cluster answers there (${message}). Check the host:port list, and that the nodes run with cluster-enabled yes.`);
    logger.error({ err: message }, 'Redis not reachable at start; serving 503 until it is');
  }
}
