import { monthLabel, periodLabel, timeLabel, type PeriodCalendar } from '../calendar/period';
import { reviewState } from '../report/review';
import { STATUS_LABEL } from '../report/status';
import { staffName } from '../roster/people';
import { unlockContact } from '../roster/places';
import type { School } from '../roster/roster';
import type { ButtonCard } from './buttons';
import { historyLine, historyPage, type HistoryNames } from './history-text';
import { scopedFilter, type StaffContext, type StaffResult } from './staff-context';
import { lookup } from './staff-school';
import type { SchoolFilter } from './staff-words';

/**
 * Review by the city (or the province): 通过 locks a filed report, 退回 sends it back with the
 * reason and reopens it for the school; 待审 lists what awaits review; 查 学校 历史 shows the
 * school's history. Pure: the dispatcher loads the data and the outbox carries the decision to
 * the school's partition (dispatch/follow-ups.ts), where it is applied once.
 */

/** 退回 without a reason (the 退回 button, or the old 退回 学校 年月 that meant 解锁): what to send instead. */
export function returnNeedsReason(query: string, period: string): string {
  const q = query || '学校';
  return `退回需写明原因，学校会看到它：请回复「退回 ${q} 原因」，如「退回 ${q} 制造业人数与合计不符」（其他月份：「退回 ${q} ${period} 原因」）。\n「退回 学校 年月」已不再表示解锁：要重新打开一个月份让学校补报或修改，请用「解锁 ${q} ${period}」。`;
}

/** The buttons staff get with a report awaiting their review (退回 asks for the reason in words). */
export function reviewCard(school: School, period: string): ButtonCard {
  return {
    title: `审核 ${school.name} ${monthLabel(period)}月报`,
    desc: '退回请回复「退回 学校 原因」写明原因',
    buttons: [
      { key: `approve:${school.code}:${period}`, text: '通过', style: 1 },
      { key: `return:${school.code}:${period}`, text: '退回', style: 2 },
    ],
  };
}

/** The words a staff button stands for: 「通过 0101 2026-10」, 「退回 0101 2026-10」. */
export function staffButtonWord(key: string): string | null {
  const m = /^(approve|return):([^:]+):(\d{4}-\d{2})$/u.exec(key);
  if (!m) return null;
  return `${m[1] === 'approve' ? '通过' : '退回'} ${m[2]} ${m[3]}`;
}

export function review(ctx: StaffContext, cal: PeriodCalendar): StaffResult {
  const say = (t: string): StaffResult => ({ text: t, effects: [] });
  if (ctx.command.kind !== 'review' || ctx.data.kind !== 'school') return say('');
  const { decision, query, period, periodText, reason } = ctx.command;
  const word = decision === 'approve' ? '通过' : '退回';
  if (query === '') return say(`请写明学校，如「${word} 0101${decision === 'return' ? ' 原因' : ''}」。`);
  if (periodText === '' && period === null && decision === 'approve' && reason !== '') return say(`「${reason}」不是月份，请写成「通过 ${query} ${ctx.window.period}」或「通过 ${query} 10月」。`);
  const month = period ?? ctx.window.period;
  const { matches, records } = ctx.data;
  if (matches.length !== 1 || records === null) return say(lookup({ ...ctx, command: { kind: 'lookup', query } }, cal));
  const school = matches[0]!;
  const report = records.report;
  if (!report) return say(`${school.name} ${periodLabel(month)}月报还没有提交，没有可审核的报告。`);
  if (report.status === 'defaulted') return say(`${school.name} ${periodLabel(month)}是零申报(未报)，没有可审核的报告；学校如需补报，请回复「解锁 ${school.code} ${month}」。`);
  if (records.hasDraft) return say(`${school.name} 正在修改 ${periodLabel(month)}月报（填报中），请等学校重新提交后再审核。`);
  const state = reviewState(report);
  if (decision === 'return' && reason === '') return say(returnNeedsReason(school.code, month));
  if (decision === 'approve' && state === 'approved') return say(`${school.name} ${periodLabel(month)}月报已于 ${timeLabel(new Date(report.review!.at!), cal)} 由${report.review!.byName ?? '工作人员'}审核通过。`);
  if (decision === 'return' && state === 'returned') return say(`${school.name} ${periodLabel(month)}月报已于 ${timeLabel(new Date(report.review!.at!), cal)} 退回（原因：${report.review!.reason ?? ''}），学校还没有重新提交。`);
  const by = staffName(ctx.member);
  const m = monthLabel(month);
  const notice =
    decision === 'approve'
      ? `【月报审核】${school.name}：${periodLabel(month)}培训月报已由${by}审核通过，计入统计。如需更正，请联系${unlockContact(school.city)}解锁。`
      : `【月报退回】${school.name}：${periodLabel(month)}培训月报被${by}退回。\n原因：${reason}\n请回复「补报 ${m}」按意见更正后重新提交（原报告在重新提交前${report.review?.required ? '不计入统计' : '仍然有效'}）。`;
  const after = decision === 'approve' ? '' : '学校重新提交后会通知您。';
  return {
    text: `已${word} ${school.name} ${periodLabel(month)}月报（${STATUS_LABEL[report.status]}）${decision === 'return' ? `，原因：${reason}` : ''}；已通知 ${school.contacts.length} 位填报人。${after}`,
    effects: [{ kind: 'review', school: school.code, period: month, decision, reason, by: ctx.member.userId, byName: by, submittedAt: report.submittedAt, contacts: school.contacts, notice }],
  };
}

const PAGE = 20;

/** 待审: the filed reports in scope nobody has reviewed, oldest submission first (the longest waiting). */
export function pendingList(ctx: StaffContext, filter: SchoolFilter, page: number, cal: PeriodCalendar): string {
  const scope = scopedFilter(ctx.member, filter);
  if ('refused' in scope) return scope.refused;
  if (ctx.data.kind !== 'pending') return '';
  const { reports, schools } = ctx.data;
  const label = [scope.city, scope.category ? `${scope.category} 类` : ''].filter(Boolean).join(' · ') || '全省';
  const head = `${periodLabel(ctx.window.period)}月报 待审 · ${label}`;
  if (reports.length === 0) return `${head}：没有待审的报告。`;
  const sorted = [...reports].sort((a, b) => a.submittedAt - b.submittedAt);
  const pages = Math.ceil(sorted.length / PAGE);
  const p = Math.min(Math.max(1, page), pages);
  const rows = sorted.slice((p - 1) * PAGE, p * PAGE).map((r, i) => {
    const s = schools[r.school];
    const resubmitted = r.firstSubmittedAt !== r.submittedAt ? '，重新提交' : '';
    return `${(p - 1) * PAGE + i + 1}. ${s?.name ?? r.school}（${r.school}${scope.city ? '' : ` · ${s?.city ?? ''}`}）${timeLabel(new Date(r.submittedAt), cal)} 提交${resubmitted}`;
  });
  const words = [scope.city && ctx.member.role === 'province' ? scope.city : '', scope.category ?? ''].filter(Boolean).join(' ');
  const past = page > pages ? `没有第 ${page} 页：共 ${sorted.length} 所，${pages === 1 ? '只有 1 页' : `只有 ${pages} 页，下面是第 ${pages} 页`}。\n` : '';
  const more = p < pages ? `\n回复「待审${words ? ` ${words}` : ''} ${p + 1}」看下一页。` : '';
  return `${past}${head} · 共 ${sorted.length} 所${pages > 1 ? `（第 ${p}/${pages} 页）` : ''}\n${rows.join('\n')}${more}\n回复「查 代码」看报告，「通过 代码」或「退回 代码 原因」审核。`;
}

/** 查 学校 历史: who changed which cell when, submissions, reopenings, reviews and defaults, newest first. */
export function historyText(ctx: StaffContext, cal: PeriodCalendar): string {
  if (ctx.command.kind !== 'history' || ctx.data.kind !== 'school') return '';
  const { matches } = ctx.data;
  if (matches.length !== 1 || !ctx.data.history) return lookup({ ...ctx, command: { kind: 'lookup', query: ctx.command.query } }, cal);
  const school = matches[0]!;
  const { entries, people, labels } = ctx.data.history;
  const names: HistoryNames = { person: (id) => people[id] ?? '已不在名单中的人员', cell: (id) => labels[id] ?? id };
  if (entries.length === 0) return `${school.name}（${school.code}）还没有填报记录。`;
  const { shown, page, pages } = historyPage(entries, ctx.command.page);
  const past = ctx.command.page > pages ? `没有第 ${ctx.command.page} 页，下面是第 ${pages} 页。\n` : '';
  const more = page < pages ? `\n回复「查 ${school.code} 历史 ${page + 1}」看更早的记录。` : '';
  return `${past}${school.name}（${school.code}）填报记录 · 共 ${entries.length} 条，最新的在前${pages > 1 ? `（第 ${page}/${pages} 页）` : ''}\n${shown.map((h) => historyLine(h, names, cal)).join('\n')}${more}`;
}
