import type { Form } from '../conversation/form';
import { reportValues } from '../conversation/form-versions';
import { beforeStart } from '../calendar/deployment';
import { timeLabel, type PeriodCalendar } from '../calendar/period';
import type { School } from '../roster/roster';
import { exportStatusLabel } from '../report/status';
import type { RecordsStore } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';
import type { SchoolFilter } from '../conversation/staff-words';


export const SCHOOL_COLUMNS = ['学校代码', '学校名称', '所在地', '层次', '类别', '状态', '提交时间'];

export interface ReportTable {
  period: string;
  /** Part title over each cell column, for the grouped header. */
  groups: { title: string; span: number }[];
  header: string[];
  /** School columns as text, then the 51 cells as numbers (null: not filed). */
  rows: (string | number | null)[][];
  totals: (string | number | null)[];
  /** Column indexes holding 万元. */
  moneyColumns: number[];
}

/** A school without a report for a month before the deployment's first: it was never asked for one. */
export const BEFORE_START = '系统启用前';

/**
 * Builds the period's table: one row per school in scope, then a totals row over what was filed.
 * `first` is the deployment's first period: before it a missing report is not 未报.
 */
export async function buildReportTable(ports: { roster: RosterStore; records: RecordsStore }, form: Form, cal: PeriodCalendar, period: string, filter: SchoolFilter = {}, first: string | null = null): Promise<ReportTable> {
  const missing = beforeStart(period, first) ? BEFORE_START : '未报';
  const roster = await ports.roster.read();
  const schools = Object.values(roster.schools)
    .filter((s) => (!filter.city || s.city === filter.city) && (!filter.category || s.category === filter.category))
    .sort((a, b) => a.city.localeCompare(b.city, 'zh') || a.code.localeCompare(b.code));
  const reports = await ports.records.reports(period, schools.map((s) => s.code));
  const totals: number[] = form.cells.map(() => 0);
  const rows = schools.map((school: School, i) => {
    const report = reports[i] ?? null;
    // A report is read through its own form version: a cell it never had is empty, not 0.
    const values = report ? reportValues(form, report) : null;
    const cells = form.cells.map((c, j) => {
      const v = values?.[c.id];
      if (v === undefined) return null;
      if (report!.status !== 'defaulted') totals[j]! += v;
      return v;
    });
    return [school.code, school.name, school.city, school.level, school.category, report ? exportStatusLabel(report.status) : missing, report?.submittedBy ? timeLabel(new Date(report.submittedAt), cal) : '', ...cells];
  });
  const groups = [{ title: '学校', span: SCHOOL_COLUMNS.length }, ...form.parts.map((p) => ({ title: `${p.number}. ${p.title}`, span: p.cells.length }))];
  const moneyColumns = form.cells.map((c, j) => (c.unit === '万元' ? SCHOOL_COLUMNS.length + j : -1)).filter((j) => j >= 0);
  const round = (n: number) => Math.round(n * 10_000) / 10_000;
  return {
    period,
    groups,
    header: [...SCHOOL_COLUMNS, ...form.cells.map((c) => `${c.label}（${c.unit}）`)],
    rows,
    totals: ['合计', `${rows.length} 所学校`, '', '', '', `已报 ${rows.filter((r) => r[5] === '已报' || r[5] === '逾期补报').length}`, '', ...totals.map(round)],
    moneyColumns,
  };
}

/**
 * Text from outside (school names, broadcast text) must never become a spreadsheet formula: a
 * cell beginning with = + - @ (or a tab/CR) is prefixed with an apostrophe, which spreadsheet
 * programs show as plain text.
 */
export function plainText(value: string): string {
  return /^[=+\-@\t\r]/u.test(value) ? `'${value}` : value;
}
