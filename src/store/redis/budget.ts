import type { SendBudget, SendLimits } from '../send-budget';
import { RedisPort } from './redis-port';

/** Each recipient's send times as a sorted set in the recipient's partition. */
export class RedisSendBudget extends RedisPort implements SendBudget {
  async reserve(userIds: readonly string[], nowMs: number, limits: SendLimits, options: { tag?: string } = {}): Promise<number[]> {
    // One script per recipient, each in its own hash slot, issued together (never one pipeline:
    // a cross-slot pipeline would be refused on a Cluster).
    return Promise.all(
      userIds.map(async (userId) =>
        Number(await this.scripts.ybReserveSend(this.keys.sends(userId), nowMs, limits.perMinute, limits.perHour, `${nowMs}:${options.tag ?? this.token()}`)),
      ),
    );
  }

  async release(userIds: readonly string[], nowMs: number, tag: string): Promise<void> {
    await Promise.all(userIds.map((userId) => this.redis.zrem(this.keys.sends(userId), `${nowMs}:${tag}`)));
  }
}
