import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../log/logger';
import { VARIABLE_KEY_SCRIPTS } from './redis-scripts';
import type { Durability } from './redis/durability';

type HostPort = { host: string; port: number };

/** Where Redis is, as configuration gives it (config.ts's redis* keys). */
export interface RedisConfig {
  redisUrl: string | undefined;
  redisClusterNodes: HostPort[] | undefined;
  redisSentinels?: HostPort[] | undefined;
  redisSentinelName?: string | undefined;
  redisPassword?: string | undefined;
  redisUsername?: string | undefined;
  redisSentinelPassword?: string | undefined;
  redisWaitReplicas?: number;
  redisWaitTimeoutMs?: number;
}

/** What an acknowledged write waits for (REDIS_WAIT_REPLICAS); none when no replica is to be waited on. */
export function durabilityOf(config: RedisConfig, logger?: Logger): Durability | undefined {
  if (!config.redisWaitReplicas) return undefined;
  const replicas = config.redisWaitReplicas;
  return {
    replicas,
    timeoutMs: config.redisWaitTimeoutMs ?? 500,
    ...(logger ? { onReplicas: (inSync: number, previous: number | null) => logReplicas(logger, replicas, inSync, previous) } : {}),
  };
}

/** What the operator hears of the replicas a write waits for: fewer than REDIS_WAIT_REPLICAS is a warning, none twice so. */
function logReplicas(logger: Logger, wanted: number, inSync: number, previous: number | null): void {
  const ids = { replicasInSync: inSync, previous, waitReplicas: wanted };
  if (inSync === 0) logger.warn(ids, 'no replica in sync with the Redis master: acknowledged writes are on the master alone until one is back (REDIS_WAIT_REPLICAS)');
  else if (inSync < wanted) logger.warn(ids, 'fewer replicas in sync than REDIS_WAIT_REPLICAS: acknowledged writes wait for those there are');
  else logger.info(ids, 'replicas in sync with the Redis master: acknowledged writes wait for them');
}

/** None of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS: nothing is assumed (no silent redis://127.0.0.1:6379). */
export class NoRedisConfigured extends Error {
  constructor() {
    super('No Redis is configured: set REDIS_URL (redis://host:6379) for a single Redis, REDIS_CLUSTER_NODES (host:port,host:port,…) for a Redis Cluster, or REDIS_SENTINELS (host:port,…) with REDIS_SENTINEL_NAME for a master under Sentinel.');
    this.name = 'NoRedisConfigured';
  }
}

export type RedisTarget =
  | { kind: 'cluster'; nodes: HostPort[] }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string }
  | { kind: 'single'; url: string };

/** Where the stores live, as configured: a Cluster, a master under Sentinel, or a single Redis. */
export function redisTarget(config: RedisConfig): RedisTarget {
  if (config.redisClusterNodes && config.redisClusterNodes.length > 0) return { kind: 'cluster', nodes: config.redisClusterNodes };
  if (config.redisSentinels && config.redisSentinels.length > 0 && config.redisSentinelName) return { kind: 'sentinel', sentinels: config.redisSentinels, name: config.redisSentinelName };
  if (config.redisUrl) return { kind: 'single', url: config.redisUrl };
  throw new NoRedisConfigured();
}

/** Whether any Redis is configured (the demo runs on its embedded store otherwise). */
export function redisConfigured(config: RedisConfig): boolean {
  try {
    redisTarget(config);
    return true;
  } catch (error) {
    if (error instanceof NoRedisConfigured) return false;
    throw error;
  }
}

/** The target in words for logs and `config check` (no password). */
export function describeTarget(target: RedisTarget): string {
  const list = (nodes: HostPort[]) => nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (target.kind === 'cluster') return `the Cluster at ${list(target.nodes)}`;
  if (target.kind === 'sentinel') return `master ${target.name} of the Sentinels at ${list(target.sentinels)}`;
  return target.url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** How a process uses Redis: a server rides out an outage (503s, reconnects); the CLI fails at once, an operator is waiting. */
export type ClientMode = 'server' | 'cli';

/**
 * The one factory of Redis clients (server, CLI, demo with a Redis, benches). A single Redis and a
 * master under Sentinel are written to without ioredis' auto-pipelining: measured, it saved no CPU
 * per callback and no throughput on a deadline day, and cost about 45 MiB of peak RSS per server
 * under load (bench:wrk 帮助 170 → 124 MiB, report turns 195 → 140 MiB; bench:day at 2,000
 * schools 591/653 msg/s without, 486/734 with). The Cluster client keeps it (it groups commands
 * by node; there too the figures were even). A server's client
 * fails fast while Redis is away (no offline queue), so a callback gets a 503 at once and WeCom
 * retries, and reconnects by itself when Redis comes back. On a Cluster the scripts whose key
 * count varies are kept out of auto-pipelining (see VARIABLE_KEY_SCRIPTS).
 */
export function createRedisClient(config: RedisConfig, logger?: Logger, mode: ClientMode = 'server'): Redis | Cluster {
  const target = redisTarget(config);
  const base: RedisOptions = {
    ...(mode === 'server'
      ? { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000, commandTimeout: 2_000, retryStrategy: (times: number) => Math.min(100 * times, 2_000) }
      : { maxRetriesPerRequest: 0, connectTimeout: 3_000, retryStrategy: () => null }),
    // The data nodes' credentials; a password in REDIS_URL is the URL's own (config refuses both).
    ...(config.redisPassword !== undefined ? { password: config.redisPassword } : {}),
    ...(config.redisUsername !== undefined ? { username: config.redisUsername } : {}),
  };
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
  } else if (target.kind === 'sentinel') {
    // The Sentinels name the master; after a failover the client asks them again and only ever
    // talks to a master (the failover detector hears +switch-master and moves at once).
    redis = new Redis({
      sentinels: target.sentinels,
      name: target.name,
      ...(config.redisSentinelPassword !== undefined ? { sentinelPassword: config.redisSentinelPassword } : {}),
      lazyConnect: true,
      failoverDetector: mode === 'server',
      sentinelRetryStrategy: mode === 'server' ? (times) => Math.min(100 * times, 2_000) : () => null,
      ...base,
    });
  } else {
    redis = new Redis(target.url, { lazyConnect: true, ...base });
  }
  // Said once per kind of trouble, and again when it changes (away, then back with another password).
  let down: 'unreachable' | 'credentials' | null = null;
  redis.on('error', (error: Error) => {
    // While openRedis connects, it says what went wrong (a start refused, or a Redis away at start).
    if (opening.has(redis)) return;
    const kind = refusedCredentials(error.message) ? 'credentials' : 'unreachable';
    if (down !== kind) logger?.error({ err: error.message }, kind === 'credentials' ? `Redis refused the credentials: ${CREDENTIALS_HINT}; retrying in the background` : 'Redis unreachable; retrying in the background');
    down = kind;
  });
  redis.on('ready', () => {
    if (down) logger?.info('Redis reachable again');
    down = null;
  });
  return redis;
}

/** NOAUTH (a password is needed), WRONGPASS (not this one): the server's words for credentials it will not take. */
function refusedCredentials(message: string): boolean {
  return /\b(NOAUTH|WRONGPASS)\b|invalid password/i.test(message);
}

/** The answer's first word (NOAUTH, WRONGPASS; ERR before Redis 6), as messages quote it. */
const refusal = (answer: string): string => answer.split(' ')[0]!;

/** Clients openRedis is connecting: their own error listener leaves the telling to it. */
const opening = new WeakSet<Redis | Cluster>();

const CREDENTIALS_HINT = 'check REDIS_PASSWORD (and REDIS_USERNAME for an ACL user) against requirepass or the ACL of the Redis nodes';

/** Credentials the data nodes refused, at start-up: a mistake to say at once, not an outage to ride out. */
export class RedisCredentialsRefused extends Error {
  constructor(where: string, answer: string) {
    super(`${where} refused the credentials (${refusal(answer)}): ${CREDENTIALS_HINT}.`);
    this.name = 'RedisCredentialsRefused';
  }
}

/** A single Redis, or the master under Sentinel, that did not answer: an outage a server rides out. */
export class RedisUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisUnreachable';
  }
}

/**
 * Connects, or says what is wrong: credentials the nodes refuse (RedisCredentialsRefused), a
 * Cluster that cannot be reached at all, Sentinels that know no such master — those are
 * configured by hand, and a wrong one is a mistake to say at once — or a Redis that did not
 * answer (RedisUnreachable). The CLI stops on any of them.
 */
export async function openRedis(redis: Redis | Cluster): Promise<void> {
  if (!(redis instanceof Cluster) && redis.options.sentinels) await askSentinels(redis.options.sentinels as HostPort[], redis.options.name ?? '', redis.options.sentinelPassword);
  // The connect error says only that the connection closed; the server's own answer comes as an 'error' event.
  let answer: string | undefined;
  const hear = (error: Error) => {
    if (refusedCredentials(error.message)) answer ??= error.message;
  };
  redis.on('error', hear);
  // A Cluster tells of each node it could not use as a 'node error'.
  redis.on('node error', hear);
  opening.add(redis);
  try {
    await redis.connect();
  } catch (error) {
    if (answer !== undefined) {
      redis.disconnect();
      throw new RedisCredentialsRefused(redis instanceof Cluster ? 'the Cluster' : redis.options.sentinels ? 'the master the Sentinels name' : 'Redis', answer);
    }
    const message = error instanceof Error ? error.message : String(error);
    if (redis instanceof Cluster) throw new Error(`REDIS_CLUSTER_NODES is set but no Cluster answers there (${message}). Check the host:port list, and that the nodes run with cluster-enabled yes.`);
    throw new RedisUnreachable(message);
  } finally {
    opening.delete(redis);
    redis.off('error', hear);
    redis.off('node error', hear);
  }
}

/**
 * A server's start: as openRedis, except that a single Redis that is down does not fail it
 * (/healthz says so, the client retries), nor does a master under Sentinel that is down (a
 * failover is coming).
 */
export async function connectRedis(redis: Redis | Cluster, logger: Logger): Promise<void> {
  try {
    await openRedis(redis);
  } catch (error) {
    if (!(error instanceof RedisUnreachable)) throw error;
    logger.error({ err: error.message }, 'Redis not reachable at start; serving 503 until it is');
  }
}

/** Resolves once one of the Sentinels names the master; else says what to check. */
async function askSentinels(sentinels: HostPort[], name: string, password: string | undefined): Promise<void> {
  const heard: string[] = [];
  for (const s of sentinels) {
    const probe = new Redis({ host: s.host, port: s.port, ...(password !== undefined ? { password } : {}), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 2_000, commandTimeout: 2_000 });
    // The server's own answer (NOAUTH, WRONGPASS) comes as an 'error' event; connect() only says the connection closed.
    let answer: string | undefined;
    probe.on('error', (error: Error) => void (answer ??= refusedCredentials(error.message) ? error.message : undefined));
    try {
      await probe.connect();
      const addr = (await probe.call('SENTINEL', 'get-master-addr-by-name', name)) as string[] | null;
      if (addr) return;
      heard.push(`${s.host}:${s.port} knows no master ${name}`);
    } catch (error) {
      const message = answer ?? (error instanceof Error ? error.message : String(error));
      heard.push(`${s.host}:${s.port}: ${refusedCredentials(message) ? `refused the credentials (${refusal(message)}): check REDIS_SENTINEL_PASSWORD against requirepass in sentinel.conf` : message}`);
    } finally {
      probe.disconnect();
    }
  }
  throw new Error(`REDIS_SENTINELS is set but no Sentinel there names the master (${heard.join('; ')}). Check the host:port list, and REDIS_SENTINEL_NAME against \`sentinel monitor <name>\` in sentinel.conf.`);
}
