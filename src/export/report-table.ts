import type { Form } from '../conversation/form';
import { reportValues } from '../conversation/form-versions';
import { beforeStart } from '../calendar/deployment';
import { parsePeriod, periodLabel, timeLabel, type PeriodCalendar } from '../calendar/period';
import type { School } from '../roster/roster';
import type { Report } from '../report/records';
import { filingStatus, hasFiled, statusText, type FilingStatus } from '../report/status';
import { countsInFigures, REVIEW_LABEL, reviewState } from '../report/review';
import { STOCK_CELLS } from '../report/values';
import type { RecordsStore } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';
import type { SchoolFilter } from '../conversation/staff-words';

export const SCHOOL_COLUMNS = ['学校代码', '学校名称', '所在地', '层次', '类别', '状态', '提交时间'];

type Value = string | number | null;

export interface ReportTable {
  period: string;
  /** 《河南省职业院校开展职业培训情况 2026 年 10 月报表》 and the scope. */
  title: string;
  /** Part title over each cell column, for the grouped header. */
  groups: { title: string; span: number }[];
  header: string[];
  /** The paper form's unit row: nothing over the school columns, each cell's unit. */
  units: string[];
  /** School columns as text, then the 51 cells as numbers (null: not filed). */
  rows: Value[][];
  /** Stock figures of a zero report (零申报) carried from the school's latest filed month. */
  carried: { row: number; column: number; from: string }[];
  totals: Value[];
  /** What the totals include, said under them. */
  notes: string[];
  /** Column indexes holding 万元. */
  moneyColumns: number[];
  /** Each row's school, with its status (for the sheets per city and the summary). */
  schools: { school: School; status: FilingStatus }[];
}

/** A school without a report for a month before the deployment's first: it was never asked for one. */
export const BEFORE_START = '系统启用前';

/** What the table is made of, read once for every sheet of a workbook. */
export interface ReportData {
  period: string;
  schools: School[];
  reports: Map<string, Report | null>;
  /** Cells answered so far, for schools drafting. */
  answered: Map<string, number>;
  /** A zero report's stock figures, from the school's latest filed month. */
  carried: Map<string, Record<string, { value: number; period: string }>>;
  beforeStart: boolean;
}

/**
 * Reads the period for the schools in scope: their reports, how far the drafting ones have got,
 * and, for each zero report (零申报), the stock figures of the school's latest filed month.
 * `first` is the deployment's first period: before it a missing report is not 未报.
 */
export async function loadReportData(
  ports: { roster: RosterStore; records: RecordsStore },
  form: Form,
  period: string,
  filter: SchoolFilter = {},
  first: string | null = null,
  /** How the period's reports of the schools in scope are read (a workbook reads their whole year instead). */
  readReports: (codes: string[]) => Promise<(Report | null)[]> = (codes) => ports.records.reports(period, codes),
): Promise<ReportData> {
  const roster = await ports.roster.read();
  const schools = Object.values(roster.schools)
    .filter((s) => (!filter.city || s.city === filter.city) && (!filter.category || s.category === filter.category))
    .sort((a, b) => a.city.localeCompare(b.city, 'zh') || a.code.localeCompare(b.code));
  const [list, status] = await Promise.all([readReports(schools.map((s) => s.code)), ports.records.statusSets(period, ['drafting', 'defaulted'])]);
  const reports = new Map(schools.map((s, i) => [s.code, list[i] ?? null]));
  const inScope = new Set(schools.map((s) => s.code));
  const answered = new Map<string, number>();
  const carried = new Map<string, Record<string, { value: number; period: string }>>();
  // Only the drafting and the defaulted schools need more than their report: a few, read one by one.
  await Promise.all([
    ...status.drafting.filter((c) => inScope.has(c) && !reports.get(c)).map(async (code) => {
      const draft = (await ports.records.read(code, period)).draft;
      answered.set(code, draft ? form.cells.filter((c) => draft.values[c.id] !== undefined).length : 0);
    }),
    ...status.defaulted.filter((c) => inScope.has(c)).map(async (code) => {
      const earlier = Object.values((await ports.records.read(code, period)).reports)
        .filter((r) => r.period < period && hasFiled(r.status))
        .sort((a, b) => b.period.localeCompare(a.period));
      const stock: Record<string, { value: number; period: string }> = {};
      for (const id of STOCK_CELLS) {
        const from = earlier.find((r) => (reportValues(form, r)[id] ?? 0) > 0);
        if (from) stock[id] = { value: reportValues(form, from)[id]!, period: from.period };
      }
      carried.set(code, stock);
    }),
  ]);
  return { period, schools, reports, answered, carried, beforeStart: beforeStart(period, first) };
}

/** The report's title, as the paper form heads it: 《河南省职业院校开展职业培训情况 2026 年 10 月报表》. */
export function reportTitle(period: string): string {
  const { year, month } = parsePeriod(period);
  return `河南省职业院校开展职业培训情况 ${year} 年 ${month} 月报表`;
}

/** One sheet: the schools given (all of the data, or a city's), their totals and what the totals include. */
export function assembleTable(form: Form, cal: PeriodCalendar, data: ReportData, schools: readonly School[], scope: string): ReportTable {
  const missing = data.beforeStart ? BEFORE_START : statusText('none');
  const totals: number[] = form.cells.map(() => 0);
  const stockColumns = new Set(form.cells.flatMap((c, j) => (STOCK_CELLS.includes(c.id) ? [j] : [])));
  const carried: ReportTable['carried'] = [];
  const statuses: ReportTable['schools'] = [];
  let awaiting = 0;
  const rows = schools.map((school, i) => {
    const report = data.reports.get(school.code) ?? null;
    const status = filingStatus(report, data.answered.has(school.code));
    statuses.push({ school, status });
    // A report is read through its own form version: a cell it never had is empty, not 0.
    const values = report ? reportValues(form, report) : null;
    const stock = data.carried.get(school.code) ?? {};
    const cells = form.cells.map((c, j): number | null => {
      if (status === 'defaulted' && stockColumns.has(j)) {
        // A zero report counts the month's activity as 0, but a school has teachers all the same.
        const from = stock[c.id];
        if (!from) return null;
        carried.push({ row: i, column: SCHOOL_COLUMNS.length + j, from: from.period });
        totals[j]! += from.value;
        return from.value;
      }
      const v = values?.[c.id];
      if (v === undefined) return null;
      if (report && countsInFigures(report)) totals[j]! += v;
      return v;
    });
    if (report && hasFiled(report.status) && !countsInFigures(report)) awaiting++;
    const label = report || status === 'drafting' ? statusText(status, { zero: report?.zero, answered: data.answered.get(school.code), cells: form.cells.length }) + reviewSuffix(report) : missing;
    return [school.code, school.name, school.city, school.level, school.category, label, report?.submittedBy ? timeLabel(new Date(report.submittedAt), cal) : '', ...cells] as Value[];
  });
  const count = (keep: (s: FilingStatus) => boolean) => statuses.filter((s) => keep(s.status)).length;
  const filed = count(hasFiled);
  const defaulted = count((s) => s === 'defaulted');
  const notes = [
    `合计含已报（含本月无培训）和逾期补报的 ${filed - awaiting} 所学校；零申报(未报) ${defaulted} 所的培训数字计为 0；${awaiting > 0 ? `已报待审的 ${awaiting} 所在审核通过前不计入；` : ''}填报中、未开始的 ${schools.length - filed - defaulted} 所不计入。`,
  ];
  if (carried.length > 0 || defaulted > 0) {
    const names = form.cells.filter((c) => STOCK_CELLS.includes(c.id)).map((c) => c.name).join('、');
    notes.push(`${names}是学校现有人数：零申报(未报)的学校沿用其最近一次填报的数字（斜体，计入合计），从未填报的留空。`);
  }
  if (data.beforeStart) notes.push(`${periodLabel(data.period)}在本系统启用之前，未提交的学校标为「${BEFORE_START}」，不是未报。`);
  const groups = [{ title: '学校', span: SCHOOL_COLUMNS.length }, ...form.parts.map((p) => ({ title: `${p.number}. ${p.title}`, span: p.cells.length }))];
  const moneyColumns = form.cells.map((c, j) => (c.unit === '万元' ? SCHOOL_COLUMNS.length + j : -1)).filter((j) => j >= 0);
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  return {
    period: data.period,
    title: `${reportTitle(data.period)}（${scope}）`,
    groups,
    header: [...SCHOOL_COLUMNS, ...form.cells.map((c) => `${c.label}（${c.unit}）`)],
    units: [...SCHOOL_COLUMNS.map(() => ''), ...form.cells.map((c) => c.unit)],
    rows,
    carried,
    totals: ['合计', `${rows.length} 所学校`, '', '', '', `已报 ${filed}`, '', ...totals.map(round)],
    notes,
    moneyColumns,
    schools: statuses,
  };
}

/** 「·已审」「·退回」 after a filed report's status once it has been reviewed, 「·待审」 while a review it needs is pending. */
function reviewSuffix(report: Report | null): string {
  const state = reviewState(report);
  if (state === null || (state === 'pending' && report?.review?.required !== true)) return '';
  return `·${REVIEW_LABEL[state]}`;
}

/** The period's table for the schools in scope: one row each, then a totals row over what was filed. */
export async function buildReportTable(ports: { roster: RosterStore; records: RecordsStore }, form: Form, cal: PeriodCalendar, period: string, filter: SchoolFilter = {}, first: string | null = null): Promise<ReportTable> {
  const data = await loadReportData(ports, form, period, filter, first);
  return assembleTable(form, cal, data, data.schools, scopeName(filter));
}

/** 全省, 郑州, 郑州 · C 类. */
export function scopeName(filter: SchoolFilter): string {
  return [filter.city ?? '全省', filter.category ? `${filter.category} 类` : ''].filter(Boolean).join(' · ');
}

/**
 * Text from outside (school names, broadcast text) must never become a spreadsheet formula: a
 * cell beginning with = + - @ (or a tab/CR) is prefixed with an apostrophe, which spreadsheet
 * programs show as plain text.
 */
export function plainText(value: string): string {
  return /^[=+\-@\t\r]/u.test(value) ? `'${value}` : value;
}
