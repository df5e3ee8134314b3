import type { EntryInit } from '../outbox/entry';
import { decodeSession, type Session } from '../session/session';
import type { SchoolChange, SchoolRecords } from './records-store';

/** A user's session as the store keeps it: read through the session's versions (see session.ts). */
export interface StoredSession {
  session: Session;
  rev: number;
  /** Why the stored record could not be read and the session started again (null: it read). */
  restarted: string | null;
}

/** A stored session record, read through its versions (both adapters keep it as the same string). */
export function storedSession(data: string, rev: number): StoredSession {
  const decoded = decodeSession(data);
  return { session: decoded.session, rev, restarted: decoded.restarted ? decoded.reason : null };
}

/**
 * One inbound event's turn, committed once. A turn lives in its home partition: the school's for a
 * school contact (their session sits beside the school's records), the user's own otherwise. The
 * commit writes, in one step and only if nothing changed under it, the records, the session, the
 * outbox entries and the turn record — keyed by the WeCom delivery id, so that a retry finds the
 * turn applied once (and replays its replies) or not at all.
 */
export interface TurnStore {
  /**
   * Starts a turn in one step: the turn record if the delivery was applied already; otherwise the
   * user's lock (taken, or refreshed when `lock` is already ours), the session and — when asked —
   * a school's records for a period. 'locked' when another holder has the lock.
   */
  begin(args: TurnBeginArgs): Promise<TurnBegin>;
  /** Commits a turn (see the interface comment); writes nothing on 'applied' or 'conflict'. */
  commit(args: TurnCommitArgs): Promise<TurnCommitResult>;
  /** Lets the lock go (a turn that failed); only with its token. */
  release(home: string, userId: string, lock: string): Promise<void>;
  /** The turn record of a delivery, if applied and still kept. */
  record(home: string, userId: string, deliveryId: string): Promise<TurnRecord | null>;
  /**
   * Notes, before a retry is answered with the turn's replies, that it was — and withdraws a late
   * reply entry of the turn still waiting. 'late-sent': that entry is out (or going out) already,
   * so the retry must be answered without the replies.
   */
  markReplayed(home: string, userId: string, deliveryId: string, now: number): Promise<'ok' | 'late-sent'>;
  /**
   * The replies of a committed turn whose HTTP answer had gone, as an entry sent unless a retry
   * answers first: written, and named in the turn record, only if no retry was answered yet.
   */
  lateReply(home: string, userId: string, deliveryId: string, entry: EntryInit, now: number): Promise<'queued' | 'answered' | 'exists' | 'gone'>;
}

/** The id of a turn's late reply entry (one per delivery; the turn record names it). */
export const lateEntryId = (userId: string, deliveryId: string): string => `turn:${userId}:${deliveryId}:late`;

export interface TurnBeginArgs {
  home: string;
  userId: string;
  deliveryId: string;
  /** The lock token this turn holds or wants. */
  lock: string;
  lockTtlMs: number;
  /** A school's records to read with it (the school must live in the same home). */
  school?: { code: string; period: string };
}

export type TurnBegin =
  | { kind: 'applied'; record: TurnRecord }
  | { kind: 'locked' }
  | { kind: 'ready'; session: StoredSession | null; school: SchoolRecords | null };

/** What a committed turn left for its retries. */
export interface TurnRecord {
  /** The replies a passive answer carries (empty when they went through the outbox). */
  replies: string[];
  /** A late reply entry (the HTTP answer had gone when the turn committed), if any. */
  late: string | null;
  /** A retry of the delivery was answered with the replies. */
  replayed: boolean;
  /** Which attempt committed the turn (a retry may have committed it instead of one that failed). */
  attempt: string;
}

export interface TurnCommitArgs {
  home: string;
  userId: string;
  deliveryId: string;
  lock: string;
  /** How long the turn record keeps the delivery id taken (longer than any accepted callback's age). */
  keepMs: number;
  /** What the record keeps (it is written as not replayed, committed by the attempt holding `lock`). */
  record: Pick<TurnRecord, 'replies' | 'late'>;
  session: { session: Session; expectedRev: number; ttlMs: number };
  /** A school's records and derived status (the school must live in the same home). */
  school?: SchoolChange;
  outbox: readonly EntryInit[];
  now: number;
}

export type TurnCommitResult = { kind: 'ok' } | { kind: 'applied'; record: TurnRecord } | { kind: 'conflict'; on: 'session' | 'school' };
