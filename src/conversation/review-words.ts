import { timeLabel, type PeriodCalendar } from '../calendar/period';
import type { Report } from '../report/records';
import { reviewState } from '../report/review';

/** A report's review as staff read it: 「待审」, 「已审（周科长 11-06 10:00）」, 「退回（原因）」. */
export function reviewWords(report: Report, cal: PeriodCalendar): string {
  const state = reviewState(report);
  if (state === null) return '';
  const r = report.review;
  if (state === 'approved') return `已审（${r?.byName ?? ''} ${r?.at !== undefined ? timeLabel(new Date(r.at), cal) : ''}）`.replace('（ ', '（');
  if (state === 'returned') return `退回（${r?.byName ?? ''}：${r?.reason ?? ''}）`;
  return r?.required ? '待审（审核通过后计入统计）' : '待审';
}
