import type { CachedToken, TokenCache } from '../token-cache';
import { requireTtl } from '../ttl';
import type { MemoryDb } from './db';

export class MemoryTokenCache implements TokenCache {
  constructor(private readonly db: MemoryDb) {}

  async get(): Promise<CachedToken | null> {
    const token = this.db.get<CachedToken>('token');
    return token ? { ...token } : null;
  }

  async set(token: CachedToken, ttlMs: number): Promise<void> {
    this.db.put('token', { ...token }, requireTtl(ttlMs, 'token'));
  }

  async drop(ifValue: string): Promise<void> {
    if (this.db.get<CachedToken>('token')?.value === ifValue) this.db.delete('token');
  }
}
