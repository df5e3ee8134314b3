import type { ClockAnchor } from '../clock/clock';
import type { Period } from '../calendar/period';

/** When the first roster was imported (epoch ms; null before), and the periods whose close has run. */
export interface CalendarState {
  startedAt: number | null;
  closed: Period[];
}

/**
 * Small shared facts between instances: named locks (a job's lease, the cron tick), marks that
 * something was done (a fire), and the deployment's calendar (where its records begin, which
 * months are closed, where a FAKE_NOW clock started).
 */
export interface Markers {
  /** A token when acquired, null when someone else holds the lock. */
  tryLock(name: string, ttlMs: number): Promise<string | null>;
  /** Releases only if the lock is still held with this token. */
  unlock(name: string, token: string): Promise<boolean>;
  /** Marks each member of a scope done for ttlMs; false for each that already was. */
  markOnce(scope: string, members: readonly string[], ttlMs: number): Promise<boolean[]>;
  /** Whether a member of a scope is marked (without marking it). */
  isMarked(scope: string, member: string): Promise<boolean>;
  readCalendar(): Promise<CalendarState>;
  /** Records the first roster import's instant unless one is recorded; returns the one in force. */
  startCalendar(at: number): Promise<number>;
  /** Records that a period's close has run: its zero reports are written. */
  markClosed(period: Period): Promise<void>;
  /**
   * FAKE_NOW shared by every process: records (fakeAt, realAt) unless an anchor for the same fakeAt
   * is recorded (a changed FAKE_NOW starts again); returns the anchor in force.
   */
  anchorClock(fakeAt: number, realAt: number): Promise<ClockAnchor>;
}
