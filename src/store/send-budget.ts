export interface SendLimits {
  perMinute: number;
  perHour: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** Each recipient's recent sends, counted across instances against WeCom's per-member limits. */
export interface SendBudget {
  /**
   * For each user: 0 when a send was reserved now (under `tag`), else the milliseconds to wait
   * before trying again. Windows are sliding: at most perMinute in any 60 s and perHour in any
   * 3600 s. A refused reservation leaves the user's record (and its expiry) as it was.
   */
  reserve(userIds: readonly string[], nowMs: number, limits: SendLimits, options?: { tag?: string }): Promise<number[]>;
  /** Gives back reservations made at nowMs under `tag` (a send to several users that some could not take yet). */
  release(userIds: readonly string[], nowMs: number, tag: string): Promise<void>;
}
