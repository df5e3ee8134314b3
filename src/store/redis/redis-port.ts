import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { HISTORY_MAX } from '../codecs';
import { redisKeys, type RedisKeys } from '../keys';
import { scriptClient, type ScriptClient } from '../redis-scripts';
import type { ReplicaWait } from './durability';

export interface PortOptions {
  /** How many history entries a school keeps (HISTORY_MAX; the contract suite lowers it to see the trimming). */
  historyMax?: number;
  /** What an acknowledged write waits for (REDIS_WAIT_REPLICAS); nothing when unset. One per client: it counts the replicas. */
  replicas?: ReplicaWait;
}

/**
 * What every Redis adapter starts from: the client it does not own (standalone, Sentinel or
 * Cluster), the key layout under its prefix, the scripts, tokens unique to this instance, the
 * history cap, and what an acknowledged write waits for.
 */
export abstract class RedisPort {
  protected readonly keys: RedisKeys;
  protected readonly scripts: ScriptClient;
  /** How many history entries a school keeps (the ports that write history use it). */
  protected readonly historyMax: number;
  private readonly replicas: ReplicaWait | undefined;
  private sequence = 0;
  private readonly instance = randomBytes(4).toString('hex');

  constructor(
    protected readonly redis: Redis | Cluster,
    prefix = 'yb:',
    options: PortOptions = {},
  ) {
    this.historyMax = options.historyMax ?? HISTORY_MAX;
    this.replicas = options.replicas;
    this.keys = redisKeys(prefix);
    this.scripts = scriptClient(redis);
  }

  /** After a write someone is told is done: resolves once it is on the replicas REDIS_WAIT_REPLICAS asks for. */
  protected async acknowledged(): Promise<void> {
    await this.replicas?.confirm();
  }

  /** A token no other instance (and no other call here) hands out. */
  protected token(): string {
    return `${this.instance}:${++this.sequence}`;
  }
}
