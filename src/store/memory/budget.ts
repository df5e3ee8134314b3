import { HOUR_MS, MINUTE_MS, type SendBudget, type SendLimits } from '../send-budget';
import type { MemoryDb } from './db';

/** A send counted against a member's limits. */
interface Reservation {
  at: number;
  tag: string;
}

/** The same sliding windows as ybReserveSend. */
export class MemorySendBudget implements SendBudget {
  constructor(private readonly db: MemoryDb) {}

  async reserve(userIds: readonly string[], nowMs: number, limits: SendLimits, options: { tag?: string } = {}): Promise<number[]> {
    return userIds.map((userId) => this.reserveOne(userId, nowMs, limits, options.tag ?? this.db.nextToken()));
  }

  async release(userIds: readonly string[], nowMs: number, tag: string): Promise<void> {
    for (const userId of userIds) {
      const sends = this.db.get<Reservation[]>(`sends:${userId}`);
      if (sends) this.db.replace(`sends:${userId}`, sends.filter((x) => !(x.at === nowMs && x.tag === tag)));
    }
  }

  private reserveOne(userId: string, nowMs: number, limits: SendLimits, tag: string): number {
    const key = `sends:${userId}`;
    const sends = (this.db.get<Reservation[]>(key) ?? []).filter((x) => x.at > nowMs - HOUR_MS);
    const times = sends.map((x) => x.at);
    // Refused: nothing reserved, the record and its expiry as they were.
    if (times.length >= limits.perHour) return Math.max(1, times[times.length - limits.perHour]! + HOUR_MS - nowMs);
    const inMinute = times.filter((t) => t > nowMs - MINUTE_MS);
    if (inMinute.length >= limits.perMinute) return Math.max(1, inMinute[inMinute.length - limits.perMinute]! + MINUTE_MS - nowMs);
    // Sorted insert: callers may pass a time earlier than one already recorded.
    const at = sends.findIndex((x) => x.at > nowMs);
    sends.splice(at < 0 ? sends.length : at, 0, { at: nowMs, tag });
    this.db.put(key, sends, HOUR_MS);
    return 0;
  }
}
