import type { RosterIndex } from '../roster/roster';
import type { Draft, Report } from './records';

/** What the status index keeps per school and period; a school in none of these has not started. */
export type IndexedStatus = 'filed' | 'late' | 'drafting' | 'defaulted';
export const INDEXED_STATUSES: readonly IndexedStatus[] = ['filed', 'late', 'drafting', 'defaulted'];

/** A school's status for a period: the one vocabulary of chat, dashboard and export. */
export type FilingStatus = IndexedStatus | 'none';

export const STATUS_LABEL: Record<FilingStatus, string> = { filed: '已报', late: '逾期补报', drafting: '填报中', defaulted: '零申报(未报)', none: '未开始' };

/**
 * A school's status for a period. A filed report being corrected still counts as filed; a zero
 * report recorded at the close stands over a draft left behind until the school files late.
 */
export function filingStatus(report: Pick<Report, 'status'> | null, draft: Draft | boolean | null): FilingStatus {
  if (report) return report.status;
  return draft ? 'drafting' : 'none';
}

/** Filed on time or late: the school has met the month. */
export function hasFiled(status: FilingStatus | undefined): boolean {
  return status === 'filed' || status === 'late';
}

/**
 * A status with what more can be said of it: a filed zero report is 本月无培训, a draft says how far
 * it has got (填报中(23/51)). The export, chat and dashboard share these words.
 */
export function statusText(status: FilingStatus, detail: { zero?: boolean | undefined; answered?: number | undefined; cells?: number } = {}): string {
  if (status === 'filed' && detail.zero) return '本月无培训';
  if (status === 'drafting' && detail.answered !== undefined && detail.cells !== undefined) return `填报中(${detail.answered}/${detail.cells})`;
  return STATUS_LABEL[status];
}

/** The roster's index with a period's status sets: who is where, for roll-ups and lists. */
export interface PeriodIndex extends RosterIndex {
  status: Record<IndexedStatus, string[]>;
}
