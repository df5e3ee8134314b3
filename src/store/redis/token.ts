import type { CachedToken, TokenCache } from '../token-cache';
import { requireTtl } from '../ttl';
import { RedisPort } from './redis-port';

/** The access token as a hash {value, expiresAt} in the {wecom} slot, expiring on its own. */
export class RedisTokenCache extends RedisPort implements TokenCache {
  async get(): Promise<CachedToken | null> {
    const [value, expiresAt] = await this.redis.hmget(this.keys.token, 'value', 'expiresAt');
    return value && expiresAt && Number.isFinite(Number(expiresAt)) ? { value, expiresAt: Number(expiresAt) } : null;
  }

  async set(token: CachedToken, ttlMs: number): Promise<void> {
    await this.redis.multi().del(this.keys.token).hset(this.keys.token, 'value', token.value, 'expiresAt', String(token.expiresAt)).pexpire(this.keys.token, requireTtl(ttlMs, 'token')).exec();
  }

  async drop(ifValue: string): Promise<void> {
    await this.scripts.ybDropToken(this.keys.token, ifValue);
  }
}
