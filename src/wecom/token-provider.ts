import { sleep, type Clock } from '../clock/clock';
import type { Markers } from '../store/markers';
import type { TokenCache } from '../store/token-cache';

export interface TokenFetcher {
  /** Calls gettoken; resolves with the token and its lifetime in seconds. */
  (): Promise<{ token: string; expiresIn: number }>;
}

/** Refresh this long before WeCom's stated expiry, so a token is never used in its last minutes. */
const EARLY_REFRESH_MS = 5 * 60_000;
const REFRESH_LOCK = 'wecom-token-refresh';

/**
 * The access token, cached in the store and shared by every instance. A refresh is single-flight:
 * one per process (a shared promise) and one across instances (a store lock; the others wait for
 * the token it writes).
 */
export class TokenProvider {
  private inflight: Promise<string> | null = null;
  /** The token last read or fetched, so most calls need no round trip to the store. */
  private memo: { value: string; expiresAt: number } | null = null;

  constructor(
    private readonly cache: TokenCache,
    private readonly markers: Markers,
    private readonly fetchToken: TokenFetcher,
    private readonly clock: Clock,
  ) {}

  async get(): Promise<string> {
    if (this.memo && this.memo.expiresAt > this.clock.now().getTime()) return this.memo.value;
    const cached = await this.fresh();
    if (cached !== null) return cached;
    this.inflight ??= this.refresh().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Forgets a token WeCom rejected (40014/42001), unless another caller already replaced it. */
  async invalidate(token: string): Promise<void> {
    if (this.memo?.value === token) this.memo = null;
    await this.cache.drop(token);
  }

  private async fresh(): Promise<string | null> {
    const cached = await this.cache.get();
    if (cached === null || cached.expiresAt <= this.clock.now().getTime()) return null;
    this.memo = cached;
    return cached.value;
  }

  private async refresh(): Promise<string> {
    const lock = await this.markers.tryLock(REFRESH_LOCK, 15_000);
    if (lock === null) {
      // Another instance is fetching: wait for its token rather than fetch a second one
      // (gettoken counts against the API's frequency limit). This waits on another process's
      // network call, so it is real time; past 5 s the holder is presumed dead and we fetch.
      for (let waited = 0; waited < 5_000; waited += 100) {
        await sleep(100);
        const token = await this.fresh();
        if (token !== null) return token;
      }
    }
    try {
      const again = await this.fresh();
      if (again !== null) return again;
      const { token, expiresIn } = await this.fetchToken();
      const lifetimeMs = Math.max(60_000, expiresIn * 1000 - EARLY_REFRESH_MS);
      const expiresAt = this.clock.now().getTime() + lifetimeMs;
      await this.cache.set({ value: token, expiresAt }, lifetimeMs);
      this.memo = { value: token, expiresAt };
      return token;
    } finally {
      if (lock !== null) await this.markers.unlock(REFRESH_LOCK, lock).catch(() => false);
    }
  }
}
