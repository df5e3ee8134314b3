import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { HISTORY_MAX } from '../codecs';
import { redisKeys, type RedisKeys } from '../keys';
import { scriptClient, type ScriptClient } from '../redis-scripts';

/**
 * What every Redis adapter starts from: the client it does not own (standalone, Sentinel or
 * Cluster), the key layout under its prefix, the scripts, tokens unique to this instance, and the
 * history cap.
 */
export abstract class RedisPort {
  protected readonly keys: RedisKeys;
  protected readonly scripts: ScriptClient;
  private sequence = 0;
  private readonly instance = randomBytes(4).toString('hex');

  constructor(
    protected readonly redis: Redis | Cluster,
    prefix = 'yb:',
    /** How many history entries a school keeps (the ports that write history use it). */
    protected readonly historyMax = HISTORY_MAX,
  ) {
    this.keys = redisKeys(prefix);
    this.scripts = scriptClient(redis);
  }

  /** A token no other instance (and no other call here) hands out. */
  protected token(): string {
    return `${this.instance}:${++this.sequence}`;
  }
}
