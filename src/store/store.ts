/**
 * The storage the bot needs, behind one small interface with two adapters (Redis for production,
 * memory for the demo) that pass one contract suite (test/store/store-contract.ts).
 */
export interface Store {
  /** Resolves when the backing store answers; rejects otherwise. */
  ping(): Promise<void>;

  // ── Turns: one user's inbound event, handled in two round trips ──
  /**
   * Starts a turn in one step: claims the delivery (see claimDelivery), and only if claimed,
   * takes the user's lock and reads the session. `lock` is null when another holder has it.
   */
  beginTurn(args: BeginTurn): Promise<TurnStart>;
  /**
   * Ends a turn in one step: writes the session if its revision is still expectedRev, marks the
   * delivery done and releases the lock. Returns the new revision, or null on a revision conflict,
   * in which case nothing is written and the delivery and lock are released.
   */
  endTurn(args: EndTurn): Promise<number | null>;
  /** Gives up a turn: releases the delivery (so WeCom's retry handles it) and the lock. */
  abortTurn(args: { userId: string; deliveryId: string; lock: string | null }): Promise<void>;

  // ── Deliveries: exactly-once handling of WeCom's retried callbacks, per user ──
  /**
   * Claims a delivery for handling. 'claimed': this caller owns it for leaseMs; 'running': another
   * caller owns it; 'done': it was handled already.
   */
  claimDelivery(userId: string, id: string, leaseMs: number): Promise<DeliveryClaim>;
  /** Marks an owned delivery handled; the marker is kept for keepMs. */
  completeDelivery(userId: string, id: string, keepMs: number): Promise<void>;
  /** Gives up an owned delivery so that WeCom's next retry handles it. */
  releaseDelivery(userId: string, id: string): Promise<void>;
  deliveryState(userId: string, id: string): Promise<'absent' | 'running' | 'done'>;

  // ── Locks: short mutual exclusion across instances (a user's lock is named userLock(id)) ──
  /** Returns a token when acquired, null when someone else holds the lock. */
  tryLock(name: string, ttlMs: number): Promise<string | null>;
  /** Releases only if the lock is still held with this token. */
  unlock(name: string, token: string): Promise<boolean>;

  // ── Sessions: one record per user, written with a revision check ──
  readSession(userId: string): Promise<StoredSession | null>;
  /**
   * Writes if the stored revision still equals expectedRev (0 for a new record); returns the new
   * revision, or null when someone else wrote first (nothing is written then).
   */
  writeSession(userId: string, data: string, expectedRev: number, ttlMs: number | null): Promise<number | null>;
  deleteSession(userId: string): Promise<void>;

  // ── Roster: who is who (written by the roster import) ──
  getMember(userId: string): Promise<string | null>;
  /** The member and, for a school contact, their school, in one step. */
  getMemberWithSchool(userId: string): Promise<{ member: string | null; school: string | null }>;
  putMember(userId: string, json: string): Promise<void>;
  deleteMember(userId: string): Promise<void>;
  getSchool(code: string): Promise<string | null>;
  /** Several schools in one round trip (null for a code not on the roster). */
  getSchools(codes: readonly string[]): Promise<(string | null)[]>;
  putSchool(code: string, json: string): Promise<void>;
  /** The whole roster: schools by code, school contacts and staff by UserID (JSON each). */
  readRoster(): Promise<RosterSnapshot>;
  /**
   * Replaces every school and school contact at once (a contact left out loses access at once),
   * with the index sets of schools by city and category.
   */
  replaceSchools(schools: Record<string, string>, members: Record<string, string>, index: SchoolIndex): Promise<void>;
  /** Replaces every staff member at once. */
  replaceStaff(staff: Record<string, string>): Promise<void>;

  // ── Who stands where for a period (index in the roster's slot, kept by every commit) ──
  /** Puts a school in one status set for the period (or in none). */
  setSchoolStatus(period: string, school: string, status: IndexedStatus | null): Promise<void>;
  /** The roster's index and the period's status sets. */
  readPeriodIndex(period: string): Promise<PeriodIndex>;
  /** Schools in scope (intersection of the given index sets; all schools if none) that have not filed. */
  owingSchools(period: string, scope: { city?: string; category?: string }): Promise<string[]>;
  /** A school's sums for a year, for roll-ups (JSON). */
  setYearToDate(year: number, school: string, json: string): Promise<void>;
  readYearToDate(year: number): Promise<Record<string, string>>;
  /**
   * Marks each member of a scope (e.g. 'nudge:2026-10' and school codes) done for ttlMs; false for
   * each that already was. What makes a message go out once, across re-runs and instances.
   */
  markOnce(scope: string, members: readonly string[], ttlMs: number): Promise<boolean[]>;
  /** Whether a member of a scope is marked (without marking it). */
  isMarked(scope: string, member: string): Promise<boolean>;
  /**
   * Records a period's automatic zero report (零申报(未报)) for a school that has none, with a
   * history entry, in one step; false when the school already has a report for the period.
   */
  recordDefault(school: string, period: string, report: string, history: Record<string, string>): Promise<boolean>;

  // ── Audit: staff actions, append-only ──
  appendAudit(fields: Record<string, string>): Promise<void>;
  readAudit(): Promise<Record<string, string>[]>;

  // ── A school's records (drafts, reports, history), kept together in the school's hash slot ──
  /** A consistent snapshot of a school's records for one period, and its reports of every period. */
  readSchool(school: string, period: string): Promise<SchoolSnapshot>;
  /**
   * Applies a change if the school-period revision is still expectedRev: draft (string to write,
   * null to delete, undefined to keep), report (write), reopened flag, history entries (appended).
   * Returns false, writing nothing, when another writer got there first.
   */
  commitSchool(school: string, period: string, change: SchoolChange): Promise<boolean>;
  /** The reports of many schools for one period, in one round trip where the store allows (null: none). */
  readReports(period: string, schools: readonly string[]): Promise<(string | null)[]>;
  /** The drafts of many schools for one period (null: none). */
  readDrafts(period: string, schools: readonly string[]): Promise<(string | null)[]>;
  /** The school's history entries, oldest first. */
  readHistory(school: string): Promise<Record<string, string>[]>;

  // ── The WeCom access token, shared by every instance ──
  getAccessToken(): Promise<CachedToken | null>;
  /** Caches the token for ttlMs of real time (the store's own expiry). */
  setAccessToken(token: CachedToken, ttlMs: number): Promise<void>;
  /** Drops the cached token only if it is still this one (another instance may have refreshed). */
  dropAccessToken(ifValue: string): Promise<void>;

  // ── Per-recipient send budget ──
  /**
   * For each user: 0 when a send was reserved now, else the milliseconds to wait before trying
   * again. Windows are sliding: at most perMinute in any 60 s and perHour in any 3600 s.
   */
  reserveSends(userIds: readonly string[], nowMs: number, limits: SendLimits): Promise<number[]>;
}

export type DeliveryClaim = 'claimed' | 'running' | 'done';

/** The name of a user's lock; it shares the user's hash slot on Redis Cluster. */
export const userLock = (userId: string): string => `u:${userId}`;

export interface BeginTurn {
  userId: string;
  deliveryId: string;
  leaseMs: number;
  lockTtlMs: number;
}

export type TurnStart =
  | { claim: 'done' | 'running' }
  | { claim: 'claimed'; lock: string | null; session: StoredSession | null };

export interface EndTurn {
  userId: string;
  deliveryId: string;
  lock: string;
  data: string;
  expectedRev: number;
  sessionTtlMs: number | null;
  keepMs: number;
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
}

export interface SchoolChange {
  expectedRev: number;
  draft?: string | null;
  report?: string;
  reopened?: boolean;
  history?: Record<string, string>[];
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
