import type { Report, Review } from './records';
import { hasFiled } from './status';

/** Where a filed report stands in review; null for a zero report recorded at the close (nothing to review). */
export type ReviewState = Review['state'];

export const REVIEW_LABEL: Record<ReviewState, string> = { pending: '待审', approved: '已审', returned: '退回' };

/** A filed report's review state (reports from before review existed are pending). */
export function reviewState(report: Pick<Report, 'status' | 'review'> | null): ReviewState | null {
  if (!report || !hasFiled(report.status)) return null;
  return report.review?.state ?? 'pending';
}

/**
 * Whether a report's figures count in sums, breakdowns and the export's totals: filed, and — when
 * review was required as it was submitted — approved. A returned report that did not need review
 * keeps counting until it is resubmitted, as a report reopened by 解锁 does.
 */
export function countsInFigures(report: Pick<Report, 'status' | 'review'>): boolean {
  if (!hasFiled(report.status)) return false;
  return report.review?.required !== true || report.review.state === 'approved';
}

/**
 * A filed report's review as the period's review index keeps it (one short word per school, so
 * that 进度 counts the province's reviews without reading 20,000 reports): its state, and for a
 * pending one whether review was required. null for a report that is not filed.
 */
export type ReviewMark = 'pending' | 'pending-required' | 'approved' | 'returned';

export function reviewMark(report: Pick<Report, 'status' | 'review'>): ReviewMark | null {
  const state = reviewState(report);
  if (state === null) return null;
  return state === 'pending' && report.review?.required ? 'pending-required' : state;
}

/** A mark read back: the state, and whether it shows review is in use (required, or decided). */
export function fromReviewMark(mark: ReviewMark): { state: ReviewState; inUse: boolean } {
  return mark === 'pending-required' ? { state: 'pending', inUse: true } : { state: mark, inUse: mark !== 'pending' };
}

/** Whether a value read from the index is a mark (anything else is left out, as no mark). */
export function isReviewMark(value: unknown): value is ReviewMark {
  return value === 'pending' || value === 'pending-required' || value === 'approved' || value === 'returned';
}

/** The review a new submission starts with. */
export function newReview(required: boolean): Review {
  return { state: 'pending', required };
}

export type ReviewDecision = 'approve' | 'return';

/** The report after a decision (the figures untouched). */
export function decided(report: Report, d: { decision: ReviewDecision; by: string; byName: string; at: number; id: string; reason?: string }): Report {
  const required = report.review?.required ?? false;
  const review: Review = { state: d.decision === 'approve' ? 'approved' : 'returned', required, by: d.by, byName: d.byName, at: d.at, id: d.id, ...(d.reason ? { reason: d.reason } : {}) };
  return { ...report, review };
}

/** Approved, and so locked against the school's own 修改 (staff 解锁 reopens it). */
export function isApproved(report: Pick<Report, 'review'> | null): boolean {
  return report?.review?.state === 'approved';
}
