import type { EntryInit } from '../outbox/entry';
import type { Period } from '../calendar/period';
import type { YearToDate } from '../report/progress';
import type { Draft, HistoryEntry, Report } from '../report/records';
import type { IndexedStatus } from '../report/status';
import type { ReviewMark } from '../report/review';

/** A consistent snapshot of a school's records for one period, with its reports of every period. */
export interface SchoolRecords {
  /** Revision of this school-period's records; 0 before the first write. */
  rev: number;
  draft: Draft | null;
  /** Reports by period, this one included. */
  reports: Record<Period, Report>;
  /** Staff reopened this period for the school (filing allowed outside the window). */
  reopened: boolean;
  /** Every period staff reopened for the school and it has not filed since. */
  reopenedPeriods: Period[];
  /** How many reports the school has had written, any period. */
  reportsRev: number;
}

/** A change to one school-period's records, with the derived status it leads to. */
export interface SchoolChange {
  code: string;
  period: Period;
  expectedRev: number;
  /** A draft to write, null to delete, undefined to keep. */
  draft?: Draft | null;
  report?: Report;
  reopened?: boolean;
  history: HistoryEntry[];
  /** The school's status for the period after the change; undefined when it did not change. */
  status?: IndexedStatus | null;
  /** The school's sums for the period's year after the change; undefined when unchanged. */
  ytd?: YearToDate;
  /** With a report and its sums: the school's reports revision they were computed from (a concurrent submission of another month makes the write conflict). */
  expectedReportsRev?: number;
}

export type NudgeVerdict = 'queued' | 'already' | 'filed' | 'recent';

/** A partition's derived data, as reindex reads and replaces it. */
export interface DerivedData {
  rev: number;
  /** Per period, the school codes in each status set. */
  status: Record<Period, Record<IndexedStatus, string[]>>;
  year: number;
  /** School code → year-to-date sums. */
  ytd: Record<string, YearToDate>;
}

/**
 * A school's records — drafts, reports, reopen flags, history — kept in the school's partition,
 * and what is derived from them (the period's status sets, the year's sums), written only by the
 * same steps that write the records. Turns commit through TurnStore; these are the other writers
 * (the close, 解锁, 催报, seeding) and the readers.
 */
export interface RecordsStore {
  read(code: string, period: Period): Promise<SchoolRecords>;
  /** Applies a change if the school-period revision is still expectedRev; false, writing nothing, otherwise. */
  commit(change: SchoolChange): Promise<boolean>;
  /**
   * Records a period's automatic zero report (零申报(未报)) for a school that has none, with its
   * history entry, derived status and the notice to its contacts, in one step; false when the
   * school already has a report for the period.
   */
  recordDefault(code: string, period: Period, report: Report, history: HistoryEntry, notice: EntryInit | null, now: number): Promise<boolean>;
  /**
   * The nudge policy, applied atomically in the school's partition: the entry is written unless it
   * exists already ('already'), the school has filed the period ('filed'), or the school was
   * nudged less than intervalMs before `sendAt` ('recent'); a written nudge counts from `sendAt`.
   */
  nudge(code: string, period: Period, entry: EntryInit, policy: { sendAt: number; intervalMs: number; now: number }): Promise<NudgeVerdict>;
  /** Staff 解锁 of a school's month, once per task id: the reopen flag, its history entry and the notice; false when applied before. */
  reopen(code: string, period: Period, taskId: string, history: HistoryEntry, notice: EntryInit | null, now: number): Promise<boolean>;
  /** The reports of many schools for one period (null: none), in one round trip where the store allows. */
  reports(period: Period, codes: readonly string[]): Promise<(Report | null)[]>;
  /** Each school's reports of one year, by period: one read per school for every month (a workbook's 累计). */
  reportsOfYear(year: number, codes: readonly string[]): Promise<Record<Period, Report>[]>;
  /** When each school was last nudged (the time the nudge was due to go out), null if never. */
  lastNudged(codes: readonly string[]): Promise<(number | null)[]>;
  /** The drafts of many schools for one period (null: none). */
  drafts(period: Period, codes: readonly string[]): Promise<(Draft | null)[]>;
  /** The school's history entries, oldest first (the newest HISTORY_MAX kept). */
  /** A school's history oldest first; with a limit, only the newest `limit` entries (still oldest first). */
  history(code: string, limit?: number): Promise<HistoryEntry[]>;
  /** A period's status sets, merged over the partitions (only the statuses asked for). */
  statusSets(period: Period, statuses?: readonly IndexedStatus[]): Promise<Record<IndexedStatus, string[]>>;
  /**
   * The period's review index, merged over the partitions: school code → the review mark of its
   * report, set by every write of a report. A report written before the index has none (the
   * caller reads that report).
   */
  reviewMarks(period: Period): Promise<Record<string, ReviewMark>>;
  /**
   * Sets a school's review marks (period → mark; null: none) if none of its reports was written
   * since `expectedReportsRev` (reindex; a report written meanwhile set its own). True when set.
   */
  setReviewMarks(code: string, expectedReportsRev: number, marks: Record<Period, ReviewMark | null>): Promise<boolean>;
  /** Every school's sums for a year, for roll-ups. */
  yearToDate(year: number): Promise<Record<string, YearToDate>>;
  /** A partition's derived data for some periods and a year, with the revision it was read at (reindex). */
  readDerived(partition: number, periods: readonly Period[], year: number): Promise<DerivedData>;
  /** Replaces a partition's derived data for those periods and year, if its revision is still `rev`. */
  replaceDerived(partition: number, data: DerivedData): Promise<boolean>;
}
