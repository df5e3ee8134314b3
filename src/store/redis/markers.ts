import type { ClockAnchor } from '../../clock/clock';
import type { CalendarState, Markers } from '../markers';
import { requireTtl } from '../ttl';
import { RedisPort } from './redis-port';

/** Locks (each in its own slot), once-marks and the calendar marks (in the {roster} slot). */
export class RedisMarkers extends RedisPort implements Markers {
  async tryLock(name: string, ttlMs: number): Promise<string | null> {
    const token = this.token();
    const set = await this.redis.set(this.keys.lockNamed(name), token, 'PX', requireTtl(ttlMs, 'tryLock'), 'NX');
    return set === 'OK' ? token : null;
  }

  async unlock(name: string, token: string): Promise<boolean> {
    return Number(await this.scripts.ybUnlock(this.keys.lockNamed(name), token)) === 1;
  }

  async markOnce(scope: string, members: readonly string[], ttlMs: number): Promise<boolean[]> {
    const ttl = requireTtl(ttlMs, 'markOnce');
    return Promise.all(members.map(async (member) => (await this.redis.set(this.keys.once(scope, member), '1', 'PX', ttl, 'NX')) === 'OK'));
  }

  async isMarked(scope: string, member: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.once(scope, member))) === 1;
  }

  async readCalendar(): Promise<CalendarState> {
    const [startedAt, closed] = await Promise.all([this.redis.get(this.keys.calendarStart), this.redis.smembers(this.keys.closedPeriods)]);
    return { startedAt: startedAt === null ? null : Number(startedAt), closed: closed.sort() };
  }

  async startCalendar(at: number): Promise<number> {
    const previous = await this.redis.set(this.keys.calendarStart, String(at), 'NX', 'GET');
    return previous === null ? at : Number(previous);
  }

  async markClosed(period: string): Promise<void> {
    await this.redis.sadd(this.keys.closedPeriods, period);
  }

  async anchorClock(fakeAt: number, realAt: number): Promise<ClockAnchor> {
    const mine = `${fakeAt}:${realAt}`;
    const stored = await this.redis.set(this.keys.clockAnchor, mine, 'NX', 'GET');
    const [storedFake, storedReal] = (stored ?? mine).split(':').map(Number);
    if (storedFake === fakeAt) return { fakeAt, realAt: storedReal! };
    await this.redis.set(this.keys.clockAnchor, mine);
    return { fakeAt, realAt };
  }
}
