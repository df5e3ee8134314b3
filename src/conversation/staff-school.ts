import { contactLabel, contactsText, staffName } from '../roster/people';
import { dueDateLabel, monthLabel, periodLabel, shiftPeriod, timeLabel, windowFor, type Period, type PeriodCalendar, type Window } from '../calendar/period';
import { formatNumber as f } from '../report/number-parser';
import { onPace, paceMonths, paceWords, percent } from '../report/progress';
import { filingStatus, STATUS_LABEL } from '../report/status';
import { schoolTarget } from '../targets/targets';
import { scopedFilter, type StaffContext, type StaffResult } from './staff-context';
import type { Report } from '../report/records';
import { reviewState } from '../report/review';
import { reviewWords } from './review-words';

/** The staff words about one school or one table: 查, 解锁 and 导出. Pure. */

export function lookup(ctx: StaffContext, cal: PeriodCalendar): string {
  if (ctx.data.kind !== 'school') return '';
  const { matches, elsewhere, records, ytd, targets, pace } = ctx.data;
  const query = ctx.command.kind === 'lookup' ? ctx.command.query : '';
  if (matches.length === 0) {
    if (elsewhere.length > 0) return `找到的「${elsewhere[0]!.name}」${elsewhere.length > 1 ? ` 等 ${elsewhere.length} 所` : ''}属于${elsewhere[0]!.city}，您只能查看和处理${ctx.member.role === 'city' ? ctx.member.city : ''}的学校。`;
    return `没有找到「${query}」。可以用学校全称、简称或代码查询。`;
  }
  if (matches.length > 1) {
    const list = matches.slice(0, 10).map((s) => `${s.code} ${s.name}（${s.city}）`);
    return `找到 ${matches.length} 所学校，请回复「查 代码」：\n${list.join('\n')}${matches.length > 10 ? `\n……还有 ${matches.length - 10} 所，请写得更具体些。` : ''}`;
  }
  const s = matches[0]!;
  const t = schoolTarget(targets, s);
  const report = records?.report ?? null;
  const status = report ? `${STATUS_LABEL[report.status]}（${timeLabel(new Date(report.submittedAt), cal)}${report.submittedBy ? `，由${contactLabel(s, report.submittedBy)}提交` : ''}）` : STATUS_LABEL[filingStatus(null, records?.hasDraft ?? false)];
  const months = paceMonths(pace, s.code);
  return [
    `${s.name}（${s.code}）· ${s.city} · ${s.level} ${s.category} 类${s.pilot ? ' · 试点' : ''}`,
    `填报人：${contactsText(s)}`,
    `${periodLabel(ctx.window.period)}月报：${status}${records?.reopened ? '（已解锁）' : ''}${report && reviewWords(report, cal) ? ` · ${reviewWords(report, cal)}` : ''}`,
    `${ytd?.year ?? ''} 年累计 ${f(ytd?.trainees ?? 0)} 人次 / 目标 ${f(t.all)}（${percent(ytd?.trainees ?? 0, t.all)}）${months > 0 ? `，按进度 ${paceWords(pace, s.code)}应达 ${f(onPace(t.all, months))}` : ''}`,
    `补贴性 ${f(ytd?.subsidized ?? 0)} / ${f(t.subsidized)}（${percent(ytd?.subsidized ?? 0, t.subsidized)}）`,
    ...(reviewable(records) ? [`回复「通过 ${s.code}」或「退回 ${s.code} 原因」审核；「查 ${s.code} 历史」看修改记录。`] : report || records?.hasDraft ? [`回复「查 ${s.code} 历史」看修改记录。`] : []),
  ].join('\n');
}

/** A filed report nobody has reviewed, and not being corrected: 通过 / 退回 are offered. */
export function reviewable(records: { report: Report | null; hasDraft: boolean } | null): boolean {
  return records !== null && records.report !== null && !records.hasDraft && reviewState(records.report) === 'pending';
}

export function exportTable(ctx: StaffContext): StaffResult {
  if (ctx.command.kind !== 'export') return { text: '', effects: [] };
  const { period, periodText } = ctx.command;
  if (period === null) return { text: `「${periodText}」不是月份，请写成「导出 2026-10」或「导出 10月」。`, effects: [] };
  if (period > ctx.window.period) return { text: `${periodLabel(period)}的月报还没开始填报。`, effects: [] };
  const scope = scopedFilter(ctx.member, {});
  if ('refused' in scope) return { text: scope.refused, effects: [] };
  const fileName = `${period} 职业培训月报表${scope.city ? `（${scope.city}）` : ''}.xlsx`;
  return {
    text: `正在生成 ${periodLabel(period)}月报表（${scope.city ?? '全省'}），稍后以文件发给您。`,
    effects: [{ kind: 'export', by: ctx.member.userId, period, filter: scope, fileName }],
  };
}

export function unlock(ctx: StaffContext, cal: PeriodCalendar, now: Date): StaffResult {
  const say = (t: string): StaffResult => ({ text: t, effects: [] });
  if (ctx.command.kind !== 'unlock' || ctx.data.kind !== 'school') return say('');
  const { query, period, periodText } = ctx.command;
  if (period === null) return say(`请写明学校和月份，如「解锁 ${query || '0101'} ${ctx.window.period}」${periodText ? `（「${periodText}」不是月份）` : ''}。`);
  if (period > ctx.window.period) return say(`${periodLabel(period)}的月报还没到填报时间，无需解锁。`);
  const lookupText = lookup({ ...ctx, command: { kind: 'lookup', query } }, cal);
  const { matches, records } = ctx.data;
  if (matches.length !== 1 || records === null) return say(lookupText);
  const school = matches[0]!;
  if (records.reopened) return say(`${school.name} ${periodLabel(period)}月报已经是解锁状态，学校可以直接回复「填报」补报或修改。`);
  const inWindow = period === ctx.window.period && now >= ctx.window.opensAt && now < ctx.window.closesAt && !records.report;
  if (inWindow) return say(`${school.name} ${periodLabel(period)}月报还在填报期内，学校可以直接填报，无需解锁。`);
  const status = STATUS_LABEL[filingStatus(records.report, records.hasDraft)];
  const notice = unlockNotice(school.name, period, staffName(ctx.member), records.report !== null && records.report.status !== 'defaulted', ctx.window, cal, now);
  return {
    text: `已解锁 ${school.name} ${periodLabel(period)}月报（当前：${status}），已通知 ${school.contacts.length} 位填报人。`,
    effects: [{ kind: 'reopen', school: school.code, period, by: ctx.member.userId, contacts: school.contacts, notice }],
  };
}

/**
 * What the school is told when a month is reopened: the words that open it (「补报 10月」 — 填报
 * alone opens this month's report first while its window is open), and the date staff ask it by,
 * this window's deadline (or the next one's, once this one has closed). The month stays open
 * until it is submitted; the date is the request, not a lock.
 */
export function unlockNotice(school: string, period: Period, by: string, filed: boolean, current: Window, cal: PeriodCalendar, now: Date): string {
  const due = now < current.closesAt ? current : windowFor(shiftPeriod(current.period, 1), cal);
  const word = filed ? '修改' : '补报';
  return (
    `【月报解锁】${school}：${periodLabel(period)}培训月报已由${by}解锁，现在可以${word}。\n` +
    `回复「补报 ${monthLabel(period)}」开始${filed ? '（原报告在重新提交前仍然有效）' : ''}，请在 ${dueDateLabel(due, cal)}前提交${now >= windowFor(period, cal).closesAt ? '；提交后记为逾期补报' : ''}。`
  );
}
