import { contactName } from '../roster/people';
import { dueDateLabel, periodLabel, timeLabel, type PeriodCalendar } from '../calendar/period';
import type { Draft, HistoryEntry, Report } from '../report/records';
import type { Finding } from '../report/rules';
import type { Form } from './form';
import type { SchoolContext } from './report-context';
import { totalsText } from './report-texts';
import { newReview } from '../report/review';
import { educationBureau } from '../roster/places';

export interface Submission {
  report: Report;
  /** Cells that differ from the report it replaces, old → new. */
  changed: HistoryEntry['cells'];
  receipt: string;
}

/**
 * The report a complete, error-free draft becomes. On time it is 已报; after the deadline (staff
 * reopened the period) it is 逾期补报, unless it corrects a report that was filed on time.
 */
export function submit(form: Form, cal: PeriodCalendar, ctx: SchoolContext, draft: Draft, findings: Finding[], now: Date): Submission {
  const previous = ctx.report;
  const onTime = now < ctx.window.closesAt;
  const status: Report['status'] = onTime || previous?.status === 'filed' ? 'filed' : 'late';
  const at = now.getTime();
  const values = draft.values;
  const report: Report = {
    v: 1,
    form: form.version,
    school: ctx.school.code,
    period: ctx.window.period,
    status,
    values,
    submittedBy: ctx.userId,
    submittedAt: at,
    firstSubmittedAt: previous && previous.status !== 'defaulted' ? previous.firstSubmittedAt : at,
    acceptedWarnings: [...new Set(findings.filter((x) => x.level === 'warning').map((x) => x.rule))],
    zero: draft.zero,
    review: newReview(ctx.reviewRequired === true),
  };
  const changed = previous ? form.cells.filter((c) => previous.values[c.id] !== values[c.id]).map((c) => ({ id: c.id, old: previous.values[c.id] ?? null, new: values[c.id] ?? null })) : [];
  const lines = [
    `✅ 已提交 ${periodLabel(report.period)}培训月报（${status === 'late' ? '逾期补报' : '已报'}${report.zero ? ' · 无培训' : ''}）`,
    [ctx.school.name, contactName(ctx.school, ctx.userId), timeLabel(now, cal)].filter(Boolean).join(' · '),
    ...totalsText(form, values),
  ];
  // Each warning the contact confirmed, as it was said to them (a rule's title reads as its passing).
  const confirmed = findings.filter((x) => x.level === 'warning');
  if (confirmed.length > 0) lines.push('已确认的提醒：', ...confirmed.map((x) => `· ${x.message}`));
  if (previous && previous.status !== 'defaulted' && changed.length > 0) lines.push(`本次修改了 ${changed.length} 项。`);
  if (previous?.review?.state === 'returned') lines.push('已按退回意见重新提交，等待审核。');
  else if (ctx.reviewRequired) lines.push(`将由${educationBureau(ctx.school.city)}审核，审核通过后计入统计。`);
  if (onTime) lines.push(`${dueDateLabel(ctx.window, cal)}截止前${ctx.reviewRequired ? '、审核通过前' : ''}如需修改，回复「修改」。`);
  return { report, changed, receipt: lines.join('\n') };
}
