import { HOUR_MS, MINUTE_MS, type CachedToken, type DeliveryClaim, type SendLimits, type Store, type StoredSession } from './store';

interface Entry<T> {
  value: T;
  /** Epoch ms, or Infinity. */
  expiresAt: number;
}

/**
 * The embedded store for `npm run demo` and single-process use: the same semantics as RedisStore
 * (one contract suite checks both), nothing shared across processes, nothing kept on exit.
 */
export class MemoryStore implements Store {
  private readonly values = new Map<string, Entry<unknown>>();
  private sequence = 0;

  constructor(private readonly wallClock: () => number = Date.now) {}

  private get<T>(key: string): T | undefined {
    const entry = this.values.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.wallClock()) {
      this.values.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  private put(key: string, value: unknown, ttlMs: number | null): void {
    this.values.set(key, { value, expiresAt: ttlMs === null ? Infinity : this.wallClock() + ttlMs });
  }

  async ping(): Promise<void> {}

  async claimDelivery(id: string, leaseMs: number): Promise<DeliveryClaim> {
    const state = this.get<string>(`delivery:${id}`);
    if (state === undefined) {
      this.put(`delivery:${id}`, 'running', leaseMs);
      return 'claimed';
    }
    return state === 'done' ? 'done' : 'running';
  }

  async completeDelivery(id: string, keepMs: number): Promise<void> {
    this.put(`delivery:${id}`, 'done', keepMs);
  }

  async releaseDelivery(id: string): Promise<void> {
    if (this.get(`delivery:${id}`) === 'running') this.values.delete(`delivery:${id}`);
  }

  async deliveryState(id: string): Promise<'absent' | 'running' | 'done'> {
    const state = this.get<string>(`delivery:${id}`);
    return state === undefined ? 'absent' : state === 'done' ? 'done' : 'running';
  }

  async tryLock(name: string, ttlMs: number): Promise<string | null> {
    if (this.get(`lock:${name}`) !== undefined) return null;
    const token = `mem:${++this.sequence}`;
    this.put(`lock:${name}`, token, ttlMs);
    return token;
  }

  async unlock(name: string, token: string): Promise<boolean> {
    if (this.get(`lock:${name}`) !== token) return false;
    this.values.delete(`lock:${name}`);
    return true;
  }

  async readSession(userId: string): Promise<StoredSession | null> {
    return this.get<StoredSession>(`session:${userId}`) ?? null;
  }

  async writeSession(userId: string, data: string, expectedRev: number, ttlMs: number | null): Promise<number | null> {
    const current = this.get<StoredSession>(`session:${userId}`)?.rev ?? 0;
    if (current !== expectedRev) return null;
    this.put(`session:${userId}`, { data, rev: current + 1 }, ttlMs);
    return current + 1;
  }

  async deleteSession(userId: string): Promise<void> {
    this.values.delete(`session:${userId}`);
  }

  async getAccessToken(): Promise<CachedToken | null> {
    return this.get<CachedToken>('token') ?? null;
  }

  async setAccessToken(token: CachedToken, ttlMs: number): Promise<void> {
    this.put('token', token, Math.max(1, ttlMs));
  }

  async dropAccessToken(ifValue: string): Promise<void> {
    if (this.get<CachedToken>('token')?.value === ifValue) this.values.delete('token');
  }

  async reserveSends(userIds: readonly string[], nowMs: number, limits: SendLimits): Promise<number[]> {
    return userIds.map((userId) => this.reserveOne(userId, nowMs, limits));
  }

  private reserveOne(userId: string, nowMs: number, limits: SendLimits): number {
    const key = `sends:${userId}`;
    const times = (this.get<number[]>(key) ?? []).filter((t) => t > nowMs - HOUR_MS);
    this.put(key, times, HOUR_MS);
    if (times.length >= limits.perHour) {
      return Math.max(1, times[times.length - limits.perHour]! + HOUR_MS - nowMs);
    }
    const inMinute = times.filter((t) => t > nowMs - MINUTE_MS);
    if (inMinute.length >= limits.perMinute) {
      return Math.max(1, inMinute[inMinute.length - limits.perMinute]! + MINUTE_MS - nowMs);
    }
    // Sorted insert: callers may pass a time earlier than one already recorded.
    const at = times.findIndex((t) => t > nowMs);
    times.splice(at < 0 ? times.length : at, 0, nowMs);
    return 0;
  }
}
