import { contactLabel } from '../roster/people';
import type { School } from '../roster/roster';
import { unlockContact } from '../roster/places';
import { dateLabel, daysLeft, dueDateLabel, periodLabel, timeLabel, type PeriodCalendar, monthLabel } from '../calendar/period';
import type { Draft, Report } from '../report/records';
import { filingStatus, STATUS_LABEL } from '../report/status';
import type { Form } from './form';
import type { SchoolContext } from './report-context';
import { answeredCount } from './report-texts';
import { formatNumber as f } from '../report/number-parser';
import { onPace, percent } from '../report/progress';

/** Texts about where a school stands for the period: pure functions of the context and the time. */

export function filedText(report: Report, school: School, cal: PeriodCalendar, viewer: string): string {
  return `${periodLabel(report.period)}月报已于 ${timeLabel(new Date(report.submittedAt), cal)} 由${report.submittedBy ? contactLabel(school, report.submittedBy, viewer) : '系统'}提交（${STATUS_LABEL[report.status]}）。${reviewText(report, cal)}`;
}

/** Where a filed report stands in review, as a sentence (empty for one nobody has reviewed and none needs to). */
export function reviewText(report: Report, cal: PeriodCalendar): string {
  const r = report.review;
  if (!r || report.status === 'defaulted') return '';
  const when = r.at !== undefined ? `于 ${timeLabel(new Date(r.at), cal)} ` : '';
  if (r.state === 'approved') return `已由${r.byName ?? '工作人员'}${when}审核通过。`;
  if (r.state === 'returned') return `已被${r.byName ?? '工作人员'}${when}退回，原因：${r.reason ?? '（未写明）'}。`;
  return r.required ? '等待审核。' : '';
}

export function closedText(form: Form, ctx: SchoolContext, draft: Draft | null, now: Date, cal: PeriodCalendar): string {
  const w = ctx.window;
  if (now < w.opensAt) return `${periodLabel(w.period)}月报 ${dateLabel(w.opensAt, cal)}开始填报。`;
  const status = filingStatus(ctx.report, draft);
  const next = ctx.next;
  const upcoming = `下一期（${periodLabel(next.period)}的数据）${dateLabel(next.opensAt, cal)}开始填报，${dueDateLabel(next, cal)}截止。`;
  const unsent = status === 'drafting' ? `已填的 ${answeredCount(form, draft?.values ?? {})} 项已保存但未提交；如需补报，请联系${unlockContact(ctx.school.city)}解锁。` : '';
  return `${periodLabel(w.period)}月报已于 ${dueDateLabel(w, cal)}截止（本校：${status === 'drafting' ? '填报中，未提交' : STATUS_LABEL[status]}）。${unsent}${upcoming}`;
}

/** 进度 for a school: this period's status and deadline, then the year against target and pace (a few lines). */
export function progressText(form: Form, ctx: SchoolContext, draft: Draft | null, now: Date, cal: PeriodCalendar): string {
  return [periodLine(form, ctx, draft, now, cal), ...yearLines(ctx)].join('\n');
}

function periodLine(form: Form, ctx: SchoolContext, draft: Draft | null, now: Date, cal: PeriodCalendar): string {
  if (!ctx.open) return `${ctx.school.name} ${closedText(form, ctx, draft, now, cal)}`;
  const status = filingStatus(ctx.report, draft);
  const head = `${ctx.school.name} ${periodLabel(ctx.window.period)}月报：${STATUS_LABEL[status]}`;
  const left = daysLeft(now, ctx.window, cal);
  const due = `截止 ${dueDateLabel(ctx.window, cal)}（${left === 1 ? '今天截止' : `还有 ${left} 天`}）`;
  if (status === 'drafting') return `${head}，已完成 ${answeredCount(form, draft?.values ?? {})}/${form.cells.length}。${due}，回复「继续」接着填。`;
  if (status === 'none') return `${head}。${due}，回复「填报」开始。`;
  return `${head}（${timeLabel(new Date(ctx.report!.submittedAt), cal)}）。${reviewText(ctx.report!, cal)}${due}。`;
}

function yearLines(ctx: SchoolContext): string[] {
  const { year, target, pilotBonus, ytd, paceMonths, paceWords } = ctx.progress;
  const pace = onPace(target.all, paceMonths);
  const subPace = onPace(target.subsidized, paceMonths);
  const gap = pace - ytd.trainees;
  const lines = [`${year} 年累计培训 ${f(ytd.trainees)} 人次，全年目标 ${f(target.all)}${pilotBonus ? `（含试点 ${f(pilotBonus)}）` : ''}，完成 ${percent(ytd.trainees, target.all)}`];
  // No month of the year has closed (nor been filed): there is no pace to speak of yet.
  if (paceMonths > 0) lines.push(gap > 0 ? `按进度 ${paceWords}应达 ${f(pace)}，还差 ${f(gap)}` : `按进度 ${paceWords}应达 ${f(pace)}，已达到`);
  lines.push(`政府补贴性培训 ${f(ytd.subsidized)} 人次，全年目标 ${f(target.subsidized)}，完成 ${percent(ytd.subsidized, target.subsidized)}${paceMonths > 0 ? `（${paceWords}应达 ${f(subPace)}）` : ''}`);
  return lines;
}

export function generalHelp(ctx: SchoolContext, cal: PeriodCalendar): string {
  return [
    `您是 ${ctx.school.name} 的月报填报人。`,
    '· 填报 — 开始或继续本期月报（上月完成的培训）',
    '· 填写中：直接回复数字；可一次回复多项，如「制造业 120 建筑业 30 其余为0」；也可从表格复制一行数字',
    '· 上一项、修改 项目（或编号）、查看、暂停、放弃；专任教师数等没变化回复「同上月」',
    `· 提交 → 确认；${monthLabel(ctx.window.period)}没有培训回复「${monthLabel(ctx.window.period)}无培训」`,
    '· 进度 — 本校本期状态',
    `每月 ${cal.dueDay} 日前填报上月数据，逾期未报按零申报处理。`,
  ].join('\n');
}
