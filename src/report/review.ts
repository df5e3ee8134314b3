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
