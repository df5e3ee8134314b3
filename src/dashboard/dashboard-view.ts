import { contactLabel, contactsText, staffName } from '../roster/people';
import { countsInFigures, REVIEW_LABEL, reviewState, type ReviewState } from '../report/review';
import type { Breakdowns } from '../queries/breakdown-queries';
import { periodLabel, periodOf, parsePeriod, timeLabel, daysLeft, dueDateLabel, type PeriodCalendar, type Window } from '../calendar/period';
import { onPace, paceBasis, paceMonths, paceWords, type YearToDate } from '../report/progress';
import type { Draft, Report } from '../report/records';
import { rollUp, type GroupProgress } from '../report/rollup';
import { totalTrainees } from '../report/values';
import type { School, StaffMember } from '../roster/roster';
import { statusText, type FilingStatus, type IndexedStatus, type PeriodIndex } from '../report/status';
import { schoolTarget, type YearTargets } from '../targets/targets';

/** What the dashboard shows, computed from loaded data (no I/O here): the page draws it as tables and charts. */

export interface StatusCounts {
  group: string;
  total: number;
  filed: number;
  late: number;
  drafting: number;
  none: number;
  defaulted: number;
  /** Of the filed (on time or late): approved, and returned for correction. */
  approved: number;
  returned: number;
}

export interface OwingSchool {
  code: string;
  name: string;
  city: string;
  category: string;
  status: 'none' | 'drafting' | 'defaulted';
  /** 填报中: how many of the form's cells the draft holds. */
  answered: number | null;
  /** When the school was last nudged (by anyone), or null. */
  lastNudge: string | null;
  /** Whom to call: the contacts by name and phone (「张敏 13800000001」). */
  contacts: string;
}

export interface FiledSchool {
  code: string;
  name: string;
  city: string;
  category: string;
  /** 已报, 逾期补报, 本月无培训. */
  status: string;
  submittedAt: string;
  /** Who submitted, by name. */
  by: string;
  review: ReviewState;
  /** 待审 / 已审 / 退回, as the list shows it. */
  reviewLabel: string;
}

/** What the lists need beyond the status sets: the filed reports, the drafts' progress, the last nudges. */
export interface OverviewLists {
  reports: Record<string, Report>;
  answered: Record<string, number>;
  lastNudged: Record<string, number>;
  /** The form's number of cells (填报中 x/51). */
  cells: number;
}

export interface Overview {
  viewer: { name: string; scope: string; role: 'city' | 'province' };
  period: string;
  periodLabel: string;
  deadline: string;
  /** The window is open: nudging is allowed. */
  open: boolean;
  /** The window has closed: 零申报 recorded, a school files only once reopened. */
  closed: boolean;
  /** A school is nudged at most once within this many hours. */
  nudgeIntervalHours: number;
  totals: StatusCounts;
  byCity: StatusCounts[];
  byCategory: StatusCounts[];
  year: number;
  /** The months the pace covers, as said before 应达 (「1–9月（已报10月的学校含10月）」). */
  paceWords: string;
  progress: GroupProgress;
  progressByCategory: GroupProgress[];
  progressByCity: GroupProgress[];
  /** The province's own figures (province staff only). */
  provinceTargets: { all: number; subsidized: number } | null;
  owing: OwingSchool[];
  /** The schools that have filed, with their review. */
  filed: FiledSchool[];
  /** Review is in use (a report needs it, or one was reviewed): the review columns show. */
  reviewInUse: boolean;
  /** The form's number of cells. */
  cells: number;
  asOf: string;
  /** The period comes before the deployment's first: said instead of its (empty) figures being taken for 未报. */
  beforeStart: string | null;
  /** By content, form, industry and group, for the month and the year so far (the routes load them). */
  breakdowns?: Breakdowns | null;
}

export interface OverviewInput {
  member: StaffMember;
  window: Window;
  index: PeriodIndex;
  schools: Record<string, School>;
  ytd: Record<string, YearToDate>;
  targets: YearTargets;
  now: Date;
  cal: PeriodCalendar;
  nudgeIntervalHours: number;
  beforeStart?: string | null;
  lists?: OverviewLists;
}

const CATEGORY_ORDER = ['A', 'B', 'C', 'D'];

/** 全省 for provincial staff, the city for city staff. */
export function scopeLabel(member: StaffMember): string {
  return member.role === 'province' ? '全省' : member.city;
}

function counts(group: string, codes: readonly string[], statusOf: Record<string, IndexedStatus>, reports: Record<string, Report> = {}): StatusCounts {
  const c: StatusCounts = { group, total: codes.length, filed: 0, late: 0, drafting: 0, none: 0, defaulted: 0, approved: 0, returned: 0 };
  for (const code of codes) {
    c[statusOf[code] ?? 'none']++;
    const review = reviewState(reports[code] ?? null);
    if (review === 'approved') c.approved++;
    if (review === 'returned') c.returned++;
  }
  return c;
}

function groupBy(schools: readonly School[], key: (s: School) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of schools) out.set(key(s), [...(out.get(key(s)) ?? []), s.code]);
  return out;
}

export function buildOverview(input: OverviewInput): Overview {
  const { member, window, index, now, cal } = input;
  const inScope = Object.values(input.schools).filter((s) => member.role === 'province' || s.city === member.city);
  const statusOf: Record<string, IndexedStatus> = {};
  for (const [status, codes] of Object.entries(index.status) as [IndexedStatus, string[]][]) for (const c of codes) statusOf[c] = status;
  const scope = scopeLabel(member);
  const { year } = parsePeriod(window.period);
  const lists = input.lists ?? { reports: {}, answered: {}, lastNudged: {}, cells: 0 };
  const byCity = [...groupBy(inScope, (s) => s.city)].map(([city, codes]) => counts(city, codes, statusOf, lists.reports)).sort((a, b) => a.group.localeCompare(b.group, 'zh'));
  const byCategory = [...groupBy(inScope, (s) => s.category)]
    .map(([cat, codes]) => counts(`${cat} 类`, codes, statusOf, lists.reports))
    .sort((a, b) => CATEGORY_ORDER.indexOf(a.group[0]!) - CATEGORY_ORDER.indexOf(b.group[0]!));
  const open = now >= window.opensAt && now < window.closesAt;
  const left = daysLeft(now, window, cal);
  const deadline = now >= window.closesAt ? `已于 ${dueDateLabel(window, cal)}截止` : `${dueDateLabel(window, cal)}截止（${left === 1 ? '今天截止' : `还有 ${left} 天`}）`;
  const owing = inScope
    .filter((s) => statusOf[s.code] !== 'filed' && statusOf[s.code] !== 'late')
    .map((s): OwingSchool => {
      const status = (statusOf[s.code] ?? 'none') as OwingSchool['status'];
      const nudged = lists.lastNudged[s.code];
      return { code: s.code, name: s.name, city: s.city, category: s.category, status, answered: status === 'drafting' ? (lists.answered[s.code] ?? null) : null, lastNudge: nudged !== undefined ? timeLabel(new Date(nudged), cal) : null, contacts: contactsText(s) };
    })
    .sort((a, b) => a.city.localeCompare(b.city, 'zh') || a.code.localeCompare(b.code));
  const filed = inScope
    .flatMap((s): FiledSchool[] => {
      const r = lists.reports[s.code];
      const review = reviewState(r ?? null);
      if (!r || review === null) return [];
      return [{ code: s.code, name: s.name, city: s.city, category: s.category, status: statusText(r.status, { zero: r.zero }), submittedAt: timeLabel(new Date(r.submittedAt), cal), by: r.submittedBy ? contactLabel(s, r.submittedBy) : '', review, reviewLabel: REVIEW_LABEL[review] }];
    })
    .sort((a, b) => a.city.localeCompare(b.city, 'zh') || a.code.localeCompare(b.code));
  const reviewInUse = Object.values(lists.reports).some((r) => r.review && (r.review.required || r.review.state !== 'pending'));
  const pace = paceBasis(year, now, cal, { of: window.period, codes: [...index.status.filed, ...index.status.late] });
  const all = rollUp(inScope, input.ytd, input.targets, pace, () => scope)[0] ?? { group: scope, schools: 0, trainees: 0, subsidized: 0, poor: 0, target: 0, subsidizedTarget: 0, pace: 0 };
  return {
    viewer: { name: staffName(member), scope, role: member.role },
    period: window.period,
    periodLabel: periodLabel(window.period),
    deadline,
    open,
    closed: now >= window.closesAt,
    nudgeIntervalHours: input.nudgeIntervalHours,
    totals: counts(scope, inScope.map((s) => s.code), statusOf, lists.reports),
    byCity,
    byCategory,
    year,
    paceWords: paceWords(pace),
    progress: all,
    progressByCategory: rollUp(inScope, input.ytd, input.targets, pace, (s) => `${s.category} 类`),
    progressByCity: rollUp(inScope, input.ytd, input.targets, pace, (s) => s.city),
    provinceTargets: member.role === 'province' ? input.targets.province : null,
    owing: input.beforeStart ? [] : owing,
    filed,
    reviewInUse,
    cells: lists.cells,
    asOf: timeLabel(now, cal),
    beforeStart: input.beforeStart ?? null,
  };
}

export interface SchoolMonth {
  period: string;
  label: string;
  status: FilingStatus;
  trainees: number;
  subsidized: number;
  submittedAt: string | null;
  /** Year-to-date person-times after this month, and what the target asks for by then. */
  cumulative: number;
  pace: number;
}

export interface SchoolPage {
  school: School;
  period: string;
  periodLabel: string;
  year: number;
  target: { all: number; subsidized: number };
  done: { trainees: number; subsidized: number };
  pace: number;
  paceWords: string;
  months: SchoolMonth[];
  /** The period's report in review (null: nothing filed to review); set by the route. */
  review?: { state: ReviewState; words: string; reviewable: boolean } | null;
  /** A page of the school's history, newest first (the route sets it). */
  history?: { lines: string[]; page: number; pages: number; total: number };
}

/** A school's months of the open period's year (up to that period) against its own target. */
export function buildSchoolPage(input: { school: School; window: Window; reports: Report[]; draft: Draft | null; targets: YearTargets; cal: PeriodCalendar; now: Date }): SchoolPage {
  const { school, window, cal } = input;
  const { year, month } = parsePeriod(window.period);
  const target = schoolTarget(input.targets, school);
  const byPeriod = new Map(input.reports.map((r) => [r.period, r]));
  const filedWindow = byPeriod.get(window.period);
  const basis = paceBasis(year, input.now, cal, { of: window.period, codes: filedWindow && filedWindow.status !== 'defaulted' ? [school.code] : [] });
  let cumulative = 0;
  let subsidized = 0;
  const months: SchoolMonth[] = [];
  for (let m = 1; m <= month; m++) {
    const period = periodOf(year, m);
    const r = byPeriod.get(period);
    const counted = r !== undefined && countsInFigures(r);
    const trainees = counted ? totalTrainees(r.values) : 0;
    const sub = counted ? (r.values.trainees_subsidized ?? 0) : 0;
    cumulative += trainees;
    subsidized += sub;
    months.push({
      period,
      label: `${m}月`,
      status: r ? r.status : period === window.period && input.draft ? 'drafting' : 'none',
      trainees,
      subsidized: sub,
      submittedAt: r && r.status !== 'defaulted' ? timeLabel(new Date(r.submittedAt), cal) : null,
      cumulative,
      pace: onPace(target.all, m),
    });
  }
  return {
    school,
    period: window.period,
    periodLabel: periodLabel(window.period),
    year,
    target,
    done: { trainees: cumulative, subsidized },
    pace: onPace(target.all, paceMonths(basis, school.code)),
    paceWords: paceWords(basis, school.code),
    months,
  };
}
