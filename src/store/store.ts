import type { ClockAnchor } from '../clock';
import type { EntryInit } from '../outbox/entry';

/**
 * The roster, the school records and what is derived from them, behind one interface with two
 * adapters (Redis for production, memory for the demo) that pass one contract suite
 * (test/store/store-contract.ts). Turns commit through TurnStore, outbound work through
 * OutboxStore; all three share the key layout of store/keys.ts.
 */
export interface Store {
  /** Resolves when the backing store answers; rejects otherwise. */
  ping(): Promise<void>;

  // ── Locks: short mutual exclusion across instances (jobs, the cron tick) ──
  /** Returns a token when acquired, null when someone else holds the lock. */
  tryLock(name: string, ttlMs: number): Promise<string | null>;
  /** Releases only if the lock is still held with this token. */
  unlock(name: string, token: string): Promise<boolean>;

  // ── Roster: who is who (written by the roster import) ──
  /** The member and, for a school contact, their school, in one step. */
  getMemberWithSchool(userId: string): Promise<{ member: string | null; school: string | null }>;
  putMember(userId: string, json: string): Promise<void>;
  putSchool(code: string, json: string): Promise<void>;
  /** Several schools in one round trip (null for a code not on the roster). */
  getSchools(codes: readonly string[]): Promise<(string | null)[]>;
  /** The whole roster: schools by code, school contacts and staff by UserID (JSON each). */
  readRoster(): Promise<RosterSnapshot>;
  /**
   * Replaces every school and school contact at once (a contact left out loses access at once),
   * with the index sets of schools by city and category.
   */
  replaceSchools(schools: Record<string, string>, members: Record<string, string>, index: SchoolIndex): Promise<void>;
  /** Replaces every staff member at once. */
  replaceStaff(staff: Record<string, string>): Promise<void>;

  // ── Who stands where: derived from the records, written only by the commits that change them ──
  /** The roster's index and the period's status sets (merged over the partitions). */
  readPeriodIndex(period: string): Promise<PeriodIndex>;
  /** Schools in scope (intersection of the given index sets; all schools if none) that have not filed. */
  owingSchools(period: string, scope: { city?: string; category?: string }): Promise<string[]>;
  /** Every school's sums for a year, for roll-ups (JSON). */
  readYearToDate(year: number): Promise<Record<string, string>>;
  /**
   * Marks each member of a scope (e.g. 'fire-done' and fire ids) done for ttlMs; false for each
   * that already was.
   */
  markOnce(scope: string, members: readonly string[], ttlMs: number): Promise<boolean[]>;
  /** Whether a member of a scope is marked (without marking it). */
  isMarked(scope: string, member: string): Promise<boolean>;

  // ── The deployment's calendar: when its records begin, and which periods are closed ──
  /** When the first roster was imported (epoch ms; null before), and the periods whose close has run. */
  readCalendar(): Promise<CalendarState>;
  /** Records the first roster import's instant unless one is recorded; returns the one in force. */
  startCalendar(at: number): Promise<number>;
  /** Records that a period's close has run: its zero reports are written. */
  markClosed(period: string): Promise<void>;
  /**
   * FAKE_NOW shared by every process: records (fakeAt, realAt) unless an anchor for the same fakeAt
   * is recorded (a changed FAKE_NOW starts again); returns the anchor in force.
   */
  anchorClock(fakeAt: number, realAt: number): Promise<ClockAnchor>;

  // ── A school's records (drafts, reports, history), kept in the school's partition ──
  /** A consistent snapshot of a school's records for one period, and its reports of every period. */
  readSchool(school: string, period: string): Promise<SchoolSnapshot>;
  /**
   * Applies a change to a school's records and derived status if the school-period revision is
   * still expectedRev; false, writing nothing, otherwise. (Turns commit through TurnStore; this is
   * for seeding and tools.)
   */
  commitSchool(write: SchoolWrite): Promise<boolean>;
  /**
   * Records a period's automatic zero report (零申报(未报)) for a school that has none, with its
   * history entry, derived status and the notice to its contacts, in one step; false when the
   * school already has a report for the period.
   */
  recordDefault(school: string, period: string, report: string, history: Record<string, string>, notice: EntryInit | null, now: number): Promise<boolean>;
  /**
   * The nudge policy, applied atomically in the school's partition: the entry is written unless it
   * exists already ('already'), the school has filed the period ('filed'), or the school was
   * nudged less than intervalMs before `sendAt` ('recent'); a written nudge counts from `sendAt`.
   */
  nudgeSchool(school: string, period: string, entry: EntryInit, policy: { sendAt: number; intervalMs: number; now: number }): Promise<NudgeVerdict>;
  /**
   * Staff 解锁 of a school's month, once per task id: the reopen flag, its history entry and the
   * notice to the contacts; false when this task was applied before.
   */
  reopenSchool(school: string, period: string, taskId: string, history: Record<string, string>, notice: EntryInit | null, now: number): Promise<boolean>;
  /** The reports of many schools for one period, in one round trip where the store allows (null: none). */
  readReports(period: string, schools: readonly string[]): Promise<(string | null)[]>;
  /** The drafts of many schools for one period (null: none). */
  readDrafts(period: string, schools: readonly string[]): Promise<(string | null)[]>;
  /** The school's history entries, oldest first. */
  readHistory(school: string): Promise<Record<string, string>[]>;

  // ── Rebuilding the derived data (reindex) ──
  /** A partition's derived data for some periods and a year, with the revision it was read at. */
  readDerived(partition: number, periods: readonly string[], year: number): Promise<DerivedData>;
  /** Replaces a partition's derived data for those periods and year, if its revision is still `rev`. */
  replaceDerived(partition: number, data: DerivedData): Promise<boolean>;

  // ── Audit: staff actions, append-only ──
  /** Appends an entry; with an id, only once (a retried follow-up logs its action once). */
  appendAudit(fields: Record<string, string>, id?: string): Promise<void>;
  readAudit(): Promise<Record<string, string>[]>;

  // ── The WeCom access token, shared by every instance ──
  getAccessToken(): Promise<CachedToken | null>;
  /** Caches the token for ttlMs of real time (the store's own expiry). */
  setAccessToken(token: CachedToken, ttlMs: number): Promise<void>;
  /** Drops the cached token only if it is still this one (another instance may have refreshed). */
  dropAccessToken(ifValue: string): Promise<void>;

  // ── Per-recipient send budget ──
  /**
   * For each user: 0 when a send was reserved now (under `tag`), else the milliseconds to wait
   * before trying again. Windows are sliding: at most perMinute in any 60 s and perHour in any
   * 3600 s.
   */
  reserveSends(userIds: readonly string[], nowMs: number, limits: SendLimits, options?: { tag?: string }): Promise<number[]>;
  /** Gives back reservations made at nowMs under `tag` (a send to several users that some could not take yet). */
  releaseSends(userIds: readonly string[], nowMs: number, tag: string): Promise<void>;
}

export interface CalendarState {
  startedAt: number | null;
  closed: string[];
}

export type NudgeVerdict = 'queued' | 'already' | 'filed' | 'recent';

/** A change to one school-period's records, with the derived status it leads to. */
export interface SchoolWrite {
  code: string;
  period: string;
  expectedRev: number;
  /** A draft to write (JSON), null to delete, undefined to keep. */
  draft?: string | null;
  report?: string;
  reopened?: boolean;
  history: Record<string, string>[];
  /** The school's status for the period after the change; undefined when it did not change. */
  status?: IndexedStatus | null;
  /** The school's sums for the period's year after the change (JSON); undefined when unchanged. */
  ytd?: { year: number; sums: string };
  /** With a report and its sums: the school's reports revision they were computed from (a concurrent submission of another month makes the write conflict). */
  expectedReportsRev?: number;
}

/** A partition's derived data, as reindex reads and replaces it. */
export interface DerivedData {
  rev: number;
  /** Per period, the school codes in each status set. */
  status: Record<string, Record<IndexedStatus, string[]>>;
  year: number;
  /** School code → year-to-date sums (JSON). */
  ytd: Record<string, string>;
}

export interface StoredSession {
  data: string;
  rev: number;
}

export type IndexedStatus = 'filed' | 'late' | 'drafting' | 'defaulted';

export interface PeriodIndex {
  all: string[];
  byCity: Record<string, string[]>;
  byCategory: Record<string, string[]>;
  status: Record<IndexedStatus, string[]>;
}

export interface RosterSnapshot {
  schools: Record<string, string>;
  members: Record<string, string>;
  staff: Record<string, string>;
}

/** School codes grouped for set operations: by city and by category. */
export interface SchoolIndex {
  byCity: Record<string, string[]>;
  byCategory: Record<string, string[]>;
}

export interface SchoolSnapshot {
  /** Revision of this school-period's records; 0 before the first write. */
  rev: number;
  draft: string | null;
  /** Reports by period, this one included. */
  reports: Record<string, string>;
  /** Staff reopened this period for the school (filing allowed outside the window). */
  reopened: boolean;
  /** Every period staff reopened for the school and it has not filed since. */
  reopenedPeriods: string[];
  /** How many reports the school has had written, any period. */
  reportsRev: number;
}

export interface CachedToken {
  value: string;
  /** Epoch milliseconds after which the token must not be used. */
  expiresAt: number;
}

export interface SendLimits {
  perMinute: number;
  perHour: number;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
