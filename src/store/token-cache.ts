export interface CachedToken {
  value: string;
  /** Epoch milliseconds after which the token must not be used. */
  expiresAt: number;
}

/** The WeCom access token, shared by every instance (one fetch serves them all). */
export interface TokenCache {
  get(): Promise<CachedToken | null>;
  /** Caches the token for ttlMs of real time (the store's own expiry). */
  set(token: CachedToken, ttlMs: number): Promise<void>;
  /** Drops the cached token only if it is still this one (another instance may have refreshed). */
  drop(ifValue: string): Promise<void>;
}
