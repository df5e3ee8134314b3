import type { ClockAnchor } from '../../clock/clock';
import type { CalendarState, Markers } from '../markers';
import { requireTtl } from '../ttl';
import type { MemoryDb } from './db';

export class MemoryMarkers implements Markers {
  constructor(private readonly db: MemoryDb) {}

  async tryLock(name: string, ttlMs: number): Promise<string | null> {
    requireTtl(ttlMs, 'tryLock');
    if (this.db.get(`lock:${name}`) !== undefined) return null;
    const token = this.db.nextToken();
    this.db.put(`lock:${name}`, token, ttlMs);
    return token;
  }

  async unlock(name: string, token: string): Promise<boolean> {
    if (this.db.get(`lock:${name}`) !== token) return false;
    this.db.delete(`lock:${name}`);
    return true;
  }

  async markOnce(scope: string, members: readonly string[], ttlMs: number): Promise<boolean[]> {
    requireTtl(ttlMs, 'markOnce');
    return members.map((member) => {
      if (this.db.get(`once:${scope}:${member}`) !== undefined) return false;
      this.db.put(`once:${scope}:${member}`, true, ttlMs);
      return true;
    });
  }

  async isMarked(scope: string, member: string): Promise<boolean> {
    return this.db.get(`once:${scope}:${member}`) !== undefined;
  }

  async readCalendar(): Promise<CalendarState> {
    return { startedAt: this.db.get<number>('calendar:started-at') ?? null, closed: [...this.db.set('calendar:closed')].sort() };
  }

  async startCalendar(at: number): Promise<number> {
    const previous = this.db.get<number>('calendar:started-at');
    if (previous !== undefined) return previous;
    this.db.put('calendar:started-at', at);
    return at;
  }

  async markClosed(period: string): Promise<void> {
    this.db.put('calendar:closed', new Set([...this.db.set('calendar:closed'), period]));
  }

  async anchorClock(fakeAt: number, realAt: number): Promise<ClockAnchor> {
    const stored = this.db.get<ClockAnchor>('calendar:fake-clock');
    if (stored?.fakeAt === fakeAt) return { ...stored };
    this.db.put('calendar:fake-clock', { fakeAt, realAt });
    return { fakeAt, realAt };
  }
}
