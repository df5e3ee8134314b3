import { daysLeft, dueDateLabel, periodLabel, timeLabel, type Period, type PeriodCalendar } from '../calendar/period';
import { formatNumber as f } from '../report/number-parser';
import { paceWords, percent } from '../report/progress';
import { rollUp } from '../report/rollup';
import { STATUS_LABEL, type IndexedStatus, type PeriodIndex } from '../report/status';
import { staffNameOrNull } from '../roster/people';
import type { ReviewState } from '../report/review';
import type { School, StaffMember } from '../roster/roster';
import type { NudgeState } from '../session/session';
import { beforeStartText, scopedFilter, type StaffContext, type StaffResult } from './staff-context';
import { exportTable, lookup, reviewable, unlock } from './staff-school';
import { historyText, pendingList, review, reviewCard } from './staff-review';
import { broadcastsText, recall } from './broadcast';
import type { SchoolFilter } from './staff-words';

const PAGE = 20;

function filterLabel(filter: SchoolFilter): string {
  return [filter.city, filter.category ? `${filter.category} 类` : ''].filter(Boolean).join(' · ') || '全省';
}

/** One step of a staff member's conversation: pure formatting and decisions over loaded data. */
export function stepStaff(ctx: StaffContext, cal: PeriodCalendar, now: Date): StaffResult {
  const { command, member } = ctx;
  const text = (t: string): StaffResult => ({ text: t, effects: [] });
  const aboutWindow = command.kind === 'progress' || command.kind === 'owing' || command.kind === 'nudge' || (command.kind === 'confirm' && ctx.pendingNudge !== null);
  if (aboutWindow && ctx.firstPeriod !== null && ctx.window.period < ctx.firstPeriod) return { ...text(beforeStartText(ctx.window.period, ctx.firstPeriod, cal)), ...(command.kind === 'confirm' ? { nudge: null } : {}) };
  switch (command.kind) {
    case 'help':
      return text(staffHelp(member, ctx.nudgeIntervalHours));
    case 'unknown':
      return text(`没看懂。${staffHelp(member, ctx.nudgeIntervalHours)}`);
    case 'bad-filter':
      return text(`「${command.word}」不是河南的市县名，也不是学校类别（A、B、C、D）。例：「未报 郑州」「未报 C」「催报 洛阳 D」。`);
    case 'progress':
      return text(progress(ctx, cal, now));
    case 'owing':
      return text(owing(ctx, command.filter, command.page, now));
    case 'nudge':
      return nudge(ctx, command.filter, cal, now, false);
    case 'confirm':
      return ctx.pendingNudge ? nudge(ctx, ctx.pendingNudge.filter, cal, now, true) : text('现在没有需要确认的操作。');
    case 'lookup': {
      // A report awaiting review comes with the 通过 / 退回 buttons.
      const one = ctx.data.kind === 'school' && ctx.data.matches.length === 1 && reviewable(ctx.data.records) ? ctx.data.matches[0]! : null;
      return { text: lookup(ctx, cal), effects: one ? [{ kind: 'buttons', card: reviewCard(one, ctx.period) }] : [] };
    }
    case 'unlock':
      return unlock(ctx, cal, now);
    case 'review':
      return review(ctx, cal);
    case 'pending':
      return text(pendingList(ctx, command.filter, command.page, cal));
    case 'history':
      return text(historyText(ctx, cal));
    case 'broadcasts':
      return text(ctx.data.kind === 'broadcasts' ? broadcastsText(ctx.data.list, now, cal) : '');
    case 'recall': {
      const r = recall(member, ctx.data.kind === 'broadcasts' ? ctx.data.list : [], command.number, now, cal);
      return { text: r.text, effects: r.effect ? [r.effect] : [] };
    }
    case 'export':
      return exportTable(ctx);
    case 'broadcast':
      // Composed over several turns from the session: see broadcast.ts and the dispatcher.
      return text('');
  }
}

function staffHelp(member: StaffMember, intervalHours: number): string {
  const name = staffNameOrNull(member);
  return [
    `您是${member.role === 'province' ? '省级' : `${member.city}`}工作人员${name ? `（${name}）` : ''}。可以回复：`,
    '· 进度 — 本期报送率和全年目标完成情况',
    '· 未报 [市县|类别] — 还没报的学校，如「未报 郑州」「未报 C」',
    '· 查 学校名或代码 — 一所学校的情况',
    `· 催报 [市县|类别] — 提醒还没报的学校（每校 ${intervalHours} 小时内最多提醒一次）`,
    '· 查 学校 历史 — 谁在什么时候改了哪一项',
    '· 待审 [市县|类别] — 已提交、还没审核的月报',
    '· 通过 学校 / 退回 学校 原因 — 审核学校提交的月报，如「退回 0101 制造业人数有误」',
    '· 解锁 学校 年月 — 重新打开已截止或已提交的月报，如「解锁 0101 2026-10」',
    '· 导出 [年月] — 月报表（.xlsx）以文件发给您，如「导出 2026-10」',
    '· 广播 — 给学校填报人发通知（写内容 → 选范围 → 看人数 → 确认）',
    '· 广播记录 / 撤回 [序号] — 最近的广播和送达情况；24 小时内可撤回',
  ].join('\n');
}

/**
 * Review progress: of the filed reports, how many are approved, returned, awaiting review; for the
 * province, each city's approved/filed. Said once review is in use (required, or done once).
 */
function reviewLines(codes: readonly string[], reviews: Record<string, ReviewState>, byCity: Record<string, string[]> | null): string[] {
  const of = (list: readonly string[], state: ReviewState) => list.filter((c) => reviews[c] === state).length;
  const filed = codes.filter((c) => reviews[c] !== undefined);
  if (filed.length === 0) return [];
  const lines = [`审核：已报 ${filed.length} · 已审 ${of(filed, 'approved')} · 退回 ${of(filed, 'returned')} · 待审 ${of(filed, 'pending')}`];
  if (byCity) {
    const cities = Object.entries(byCity)
      .map(([city, list]) => [city, list.filter((c) => reviews[c] !== undefined)] as const)
      .filter(([, list]) => list.length > 0)
      .sort(([a], [b]) => a.localeCompare(b, 'zh'))
      .map(([city, list]) => `${city} ${of(list, 'approved')}/${list.length}${of(list, 'returned') ? `（退回 ${of(list, 'returned')}）` : ''}`);
    lines.push(`已审/已报：${cities.join(' · ')}`);
  }
  return lines;
}

function deadline(ctx: StaffContext, cal: PeriodCalendar, now: Date): string {
  if (now >= ctx.window.closesAt) return `已于 ${dueDateLabel(ctx.window, cal)}截止`;
  const left = daysLeft(now, ctx.window, cal);
  return `截止 ${dueDateLabel(ctx.window, cal)}（${left === 1 ? '今天截止' : `还有 ${left} 天`}）`;
}

/**
 * 进度 as text; without the hint line the digest uses it (it carries the owing list after it).
 * After the close the hint says the month is closed and how a school gets it reopened, always.
 */
export function staffProgressText(ctx: StaffContext, cal: PeriodCalendar, now: Date, options: { hint: boolean } = { hint: true }): string {
  return progress(ctx, cal, now, options.hint);
}

function progress(ctx: StaffContext, cal: PeriodCalendar, now: Date, hint = true): string {
  if (ctx.data.kind !== 'progress') return '';
  const { index, schools, ytd, targets, year, pace, reviews, reviewInUse } = ctx.data;
  const scope = scopedFilter(ctx.member, {});
  if ('refused' in scope) return scope.refused;
  const codes = scope.city ? (index.byCity[scope.city] ?? []) : index.all;
  const statusOf = statusMap(index);
  const count = (list: string[], s: IndexedStatus | 'none') => list.filter((c) => (statusOf[c] ?? 'none') === s).length;
  const filed = count(codes, 'filed') + count(codes, 'late');
  const lines = [
    `${periodLabel(ctx.window.period)}月报 · ${scope.city ?? '全省'}（共 ${codes.length} 所）· ${deadline(ctx, cal, now)}`,
    `已报 ${filed}（含逾期补报 ${count(codes, 'late')}）· 填报中 ${count(codes, 'drafting')} · 未开始 ${count(codes, 'none')} · 零申报 ${count(codes, 'defaulted')} → 报送率 ${percent(filed, codes.length)}`,
  ];
  const groups = scope.city ? index.byCategory : index.byCity;
  // A set: filtering each group's list by `codes.includes` was 20,000 × 20,000 steps for the province.
  const inCodes = new Set(codes);
  const parts = Object.entries(groups)
    .map(([name, list]) => [name, list.filter((c) => inCodes.has(c))] as const)
    .filter(([, list]) => list.length > 0)
    .sort(([a], [b]) => a.localeCompare(b, 'zh'))
    .map(([name, list]) => `${name} ${count(list, 'filed') + count(list, 'late')}/${list.length}`);
  lines.push(`${scope.city ? '按类别' : '按市县'}：${parts.join(' · ')}`);
  if (reviewInUse) lines.push(...reviewLines(codes, reviews, scope.city ? null : index.byCity));
  const inScope = codes.map((c) => schools[c]).filter((s): s is School => s !== undefined);
  const [all] = rollUp(inScope, ytd, targets, pace, () => scope.city ?? '全省');
  const done = all?.trainees ?? 0;
  const sub = all?.subsidized ?? 0;
  lines.push(`${year} 年累计培训 ${f(done)} 人次 / 各校目标合计 ${f(all?.target ?? 0)}（${percent(done, all?.target ?? 0)}），按进度 ${paceWords(pace)}应达 ${f(all?.pace ?? 0)}`);
  lines.push(`其中补贴性 ${f(sub)} / ${f(all?.subsidizedTarget ?? 0)}（${percent(sub, all?.subsidizedTarget ?? 0)}）`);
  const byGroup = rollUp(inScope, ytd, targets, pace, (s) => (scope.city ? `${s.category} 类` : s.city));
  lines.push(`完成率（应达 ${percent(all?.pace ?? 0, all?.target ?? 0)}）：${byGroup.map((g) => `${g.group} ${percent(g.trainees, g.target)}`).join(' · ')}`);
  if (!scope.city) {
    lines.push(`全省目标 ${f(targets.province.all)} 人次（${percent(done, targets.province.all)}），补贴性 ${f(targets.province.subsidized)}（${percent(sub, targets.province.subsidized)}）。`);
    // Person-times of every school's courses, not the work plan's ~5,000 poor-household persons of one programme.
    lines.push(`贫困劳动力培训 ${f(all?.poor ?? 0)} 人次（各校培训人次之和；工作方案中约 ${f(targets.workPlan.poorHouseholdTrainees)} 人指精准脱贫技能培训班的学员人数，口径不同，不作比较）`);
  }
  if (now >= ctx.window.closesAt) lines.push(closedHint(ctx.window.period));
  else if (hint) lines.push('回复「未报」查看未报学校，「催报」提醒它们。');
  return lines.join('\n');
}

/** After the close nobody is nudged: what staff can do instead. */
function closedHint(period: Period): string {
  return `本期已截止，逾期未报的学校按零申报（未报）处理，不再催报；学校如需补报，请回复「解锁 学校 ${period}」。`;
}

function statusMap(index: PeriodIndex): Record<string, IndexedStatus> {
  const out: Record<string, IndexedStatus> = {};
  for (const [status, codes] of Object.entries(index.status) as [IndexedStatus, string[]][]) for (const c of codes) out[c] = status;
  return out;
}

function owing(ctx: StaffContext, filter: SchoolFilter, page: number, now: Date): string {
  const scope = scopedFilter(ctx.member, filter);
  if ('refused' in scope) return scope.refused;
  if (ctx.data.kind !== 'owing') return '';
  const { codes, schools, status } = ctx.data;
  const label = filterLabel(scope);
  if (codes.length === 0) return `${periodLabel(ctx.window.period)}月报 · ${label}：全部已报。`;
  const sorted = [...codes].sort((a, b) => (schools[a]?.city ?? '').localeCompare(schools[b]?.city ?? '', 'zh') || a.localeCompare(b));
  const pages = Math.ceil(sorted.length / PAGE);
  const p = Math.min(Math.max(1, page), pages);
  const rows = sorted.slice((p - 1) * PAGE, p * PAGE).map((code, i) => {
    const s = schools[code];
    return `${(p - 1) * PAGE + i + 1}. ${s?.name ?? code}（${code}${scope.city ? '' : ` · ${s?.city ?? ''}`}）${STATUS_LABEL[status[code] ?? 'none']}`;
  });
  const words = [scope.city && ctx.member.role === 'province' ? scope.city : '', scope.category ?? ''].filter(Boolean).join(' ');
  const more = p < pages ? `\n回复「未报${words ? ` ${words}` : ''} ${p + 1}」看下一页。` : '';
  const after = now >= ctx.window.closesAt ? closedHint(ctx.window.period) : `回复「催报${words ? ` ${words}` : ''}」提醒这些学校。`;
  // A page past the last is said to be so, rather than the last shown as if it were the one asked for.
  const past = page > pages ? `没有第 ${page} 页：共 ${sorted.length} 所，${pages === 1 ? '只有 1 页' : `只有 ${pages} 页，下面是第 ${pages} 页`}。\n` : '';
  return `${past}${periodLabel(ctx.window.period)}月报 未报学校 · ${label} · 共 ${sorted.length} 所${pages > 1 ? `（第 ${p}/${pages} 页）` : ''}\n${rows.join('\n')}${more}\n${after}`;
}

/**
 * 催报: the schools in scope that owe the period. More than one is confirmed first with the exact
 * count; on 「确认」 the count is taken again and, if it changed, shown again. The nudges go out
 * through the one nudge service (its interval and quiet hours hold whoever asks).
 */
function nudge(ctx: StaffContext, filter: SchoolFilter, cal: PeriodCalendar, now: Date, confirming: boolean): StaffResult {
  const say = (t: string, state: NudgeState | null = null): StaffResult => ({ text: t, effects: [], nudge: state });
  const scope = scopedFilter(ctx.member, filter);
  if ('refused' in scope) return say(scope.refused);
  const period = ctx.window.period;
  if (now >= ctx.window.closesAt) return say(`${periodLabel(period)}月报已于 ${dueDateLabel(ctx.window, cal)}截止，${closedHint(period).replace(/^本期已截止，/u, '')}`);
  if (now < ctx.window.opensAt) return say(`${periodLabel(period)}月报还没开始填报，不能催报。`);
  if (ctx.data.kind !== 'owing') return say('');
  const { codes, schools } = ctx.data;
  const targets = codes.map((c) => schools[c]).filter((s): s is School => s !== undefined);
  const label = filterLabel(scope);
  if (targets.length === 0) return say(`${periodLabel(period)}月报 · ${label}：全部已报，无需催报。`);
  const people = targets.reduce((a, s) => a + s.contacts.length, 0);
  const count = `${label} ${targets.length} 所未报学校（${people} 位填报人）`;
  const skip = `${ctx.nudgeIntervalHours} 小时内已提醒过的学校会跳过`;
  // More than one school is confirmed first; a 「确认」 whose count no longer holds is asked again.
  if (confirming ? ctx.pendingNudge?.count !== targets.length : targets.length > 1) {
    const changed = confirming ? `名单有变化，现在是 ${targets.length} 所。` : '';
    return say(`${changed}将向 ${count}发送催报；${skip}。\n回复「确认」发送，回复其他取消。`, { filter: scope, count: targets.length });
  }
  const later = ctx.nudgeSendAt.getTime() > now.getTime();
  if (ctx.nudgeSendAt >= ctx.window.closesAt) {
    return say(`现在是静默时段（${ctx.quietHours}），催报要到 ${timeLabel(ctx.nudgeSendAt, cal)} 才能发出，那时${periodLabel(period)}月报已经截止，所以不再催报。逾期未报的学校按零申报（未报）处理。`);
  }
  const when = later ? `现在是静默时段（${ctx.quietHours}），催报将于 ${timeLabel(ctx.nudgeSendAt, cal)} 发出` : '正在发送催报';
  return {
    text: `${when}：${count}；${skip}。发出后告诉您结果。`,
    effects: [{ kind: 'nudge', by: ctx.member.userId, period, schools: targets.map((s) => s.code), sendAt: ctx.nudgeSendAt.getTime(), label }],
    nudge: null,
  };
}
