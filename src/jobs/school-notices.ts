import { formatNumber as f } from '../report/number-parser';
import { dueDateLabel, openWindow, parsePeriod, periodLabel, windowFor, monthLabel } from '../calendar/period';
import { onPace, paceBasis, paceMonths, paceWords, percent, type YearToDate } from '../report/progress';
import type { School } from '../roster/roster';
import type { Fire } from '../calendar/schedule';
import { schoolTarget, targetsFor } from '../targets/targets';
import { buttonCardMessage, cardTaskId, textMessages } from '../wecom/sender';
import { cards, type ButtonCard } from '../conversation/buttons';
import { enqueueEach, messageEntry, nothingToDo, type JobDeps, type JobSummary } from './job-deps';

/** One school's message of a job. */
interface Message {
  key: string;
  users: string[];
  text: string;
  /** Buttons sent after the text (their keys open something, so they work whenever clicked). */
  card?: ButtonCard;
}

interface SchoolYear {
  school: School;
  ytd: YearToDate;
  target: { all: number; subsidized: number };
  pace: number;
  /** The months the pace covers (「1–10月」). */
  paceWords: string;
}

async function schoolYears(deps: JobDeps, fire: Fire): Promise<SchoolYear[]> {
  const { year } = parsePeriod(fire.period);
  const open = openWindow(deps.now, deps.cal);
  const [roster, sums, filed] = await Promise.all([deps.roster.read(), deps.records.yearToDate(year), open ? deps.records.statusSets(open.period, ['filed', 'late']) : null]);
  const basis = paceBasis(year, deps.now, deps.cal, open && filed ? { of: open.period, codes: [...filed.filed, ...filed.late] } : null);
  const yt = targetsFor(deps.targets, year);
  return Object.values(roster.schools)
    .sort((a, b) => a.code.localeCompare(b.code))
    .map((school) => {
      const target = schoolTarget(yt, school);
      const ytd = sums[school.code] ?? { year, trainees: 0, subsidized: 0, poor: 0 };
      return { school, ytd, target, pace: onPace(target.all, paceMonths(basis, school.code)), paceWords: paceWords(basis, school.code) };
    });
}

/** Writes each school's message as an outbox entry under the fire's stage (or prints them on a dry run). */
async function deliver(deps: JobDeps, fire: Fire, label: string, messages: Message[], dryRun: boolean): Promise<JobSummary> {
  const withUsers = messages.filter((m) => m.users.length > 0);
  if (withUsers.length === 0) {
    deps.print(`${label}：没有要通知的学校，无事可做。`);
    return nothingToDo();
  }
  if (dryRun) {
    deps.print(`（试运行）${label}：${withUsers.length} 条：`);
    for (const m of withUsers.slice(0, 50)) deps.print(`  ${m.key} → ${m.users.join('、')}：${m.text.split('\n')[0]}`);
    return { ...nothingToDo(), due: withUsers.length };
  }
  deps.print(`${label}：${withUsers.length} 条，写入发件箱…`);
  const due = deps.now.getTime();
  return enqueueEach(
    deps,
    withUsers.map((m) => {
      const id = `${fire.job}:${fire.period}:${fire.stage}:${m.key}`;
      const card = m.card ? [buttonCardMessage(m.card, cardTaskId(id))] : [];
      return { owner: m.key, entry: messageEntry(id, m.users, [...textMessages(m.text), ...card], due) };
    }),
  );
}

/** The window opens (the 1st): every school contact is told, with one line on the school's year so far. */
export async function runOpen(deps: JobDeps, fire: Fire, dryRun: boolean): Promise<JobSummary> {
  const window = windowFor(fire.period, deps.cal);
  const { year } = parsePeriod(fire.period);
  const messages = (await schoolYears(deps, fire)).map(({ school, ytd, target }) => ({
    key: school.code,
    users: school.contacts,
    text: `【月报】${school.name}：${periodLabel(fire.period)}培训月报今天开始填报，${dueDateLabel(window, deps.cal)}截止。回复「填报」开始，${monthLabel(fire.period)}没有培训回复「${monthLabel(fire.period)}无培训」。\n本校 ${year} 年已累计培训 ${f(ytd.trainees)} 人次，全年目标 ${f(target.all)}（${percent(ytd.trainees, target.all)}）。`,
    card: cards.open(fire.period),
  }));
  return deliver(deps, fire, `开始填报 ${periodLabel(fire.period)}`, messages, dryRun);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The target-progress notice (the 15th): each school its year against target and pace, beside the
 * median of its category (share of target); a school behind pace gets one line on the gap.
 */
export async function runNotice(deps: JobDeps, fire: Fire, dryRun: boolean): Promise<JobSummary> {
  const { year, month } = parsePeriod(fire.period);
  const all = await schoolYears(deps, fire);
  const medians = new Map<string, number>();
  for (const cat of ['A', 'B', 'C', 'D']) medians.set(cat, median(all.filter((s) => s.school.category === cat).map((s) => (s.target.all ? s.ytd.trainees / s.target.all : 0))));
  const messages = all.map(({ school, ytd, target, pace, paceWords: months }) => {
    const lines = [
      `【月报·目标进度】${school.name}：截至 ${month} 月，${year} 年累计培训 ${f(ytd.trainees)} 人次，全年目标 ${f(target.all)}（${percent(ytd.trainees, target.all)}）；政府补贴性 ${f(ytd.subsidized)} / ${f(target.subsidized)}。`,
      `同类（${school.category} 类）学校的中位数是 ${percent(medians.get(school.category) ?? 0, 1)}。`,
    ];
    if (ytd.trainees < pace) lines.push(`按进度 ${months}应达 ${f(pace)} 人次，还差 ${f(pace - ytd.trainees)}。`);
    return { key: school.code, users: school.contacts, text: lines.join('\n') };
  });
  return deliver(deps, fire, `目标进度 ${periodLabel(fire.period)}`, messages, dryRun);
}
