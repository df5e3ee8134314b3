import { parsePeriod, periodLabel, periodOf, type PeriodCalendar } from '../calendar/period';
import { buildBreakdown } from './report-breakdown';
import type { Form } from '../conversation/form';
import type { SchoolFilter } from '../conversation/staff-words';
import type { RecordsStore } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';
import type { Targets } from '../targets/targets';
import { buildSummary } from './report-summary';
import { assembleTable, loadReportData, reportTitle, scopeName } from './report-table';
import type { ReportBook } from './write-table';

/**
 * An export's workbook, read once: the table of the scope; for a province-wide export also a sheet
 * per city and the summary (filing rate and the year against target by city and category).
 */
export async function buildReportBook(
  ports: { roster: RosterStore; records: RecordsStore },
  form: Form,
  cal: PeriodCalendar,
  period: string,
  options: { filter?: SchoolFilter; first?: string | null; targets?: Targets; now: Date },
): Promise<ReportBook> {
  const filter = options.filter ?? {};
  const data = await loadReportData(ports, form, period, filter, options.first ?? null);
  const main = assembleTable(form, cal, data, data.schools, scopeName(filter));
  // The year's reports so far, month by month, for the breakdowns' 累计.
  const { year, month } = parsePeriod(period);
  const codes = data.schools.map((s) => s.code);
  // The period itself was read with the table; the months before it, one read each.
  const earlier = await Promise.all(Array.from({ length: month - 1 }, (_, i) => ports.records.reports(periodOf(year, i + 1), codes)));
  const months = [...earlier, codes.map((code) => data.reports.get(code) ?? null)];
  const yearReports = new Map(codes.map((code, j) => [code, months.flatMap((list) => (list[j] ? [list[j]!] : []))]));
  const breakdown = buildBreakdown(form, { title: `${reportTitle(period)} · 分类汇总（${scopeName(filter)}）`, scope: scopeName(filter), period, schools: data.schools, month: data.reports, year: yearReports });
  if (filter.city) return { main, breakdown };
  const cities = [...new Set(data.schools.map((s) => s.city))].map((city) => ({ city, table: assembleTable(form, cal, data, data.schools.filter((s) => s.city === city), scopeName({ ...filter, city })) }));
  const summary = options.targets
    ? buildSummary({ title: `${reportTitle(period)} · 汇总（${scopeName(filter)}，${periodLabel(period)}报送与年度目标）`, period, schools: main.schools, ytd: await ports.records.yearToDate(parsePeriod(period).year), targets: options.targets, now: options.now, cal })
    : null;
  return { main, cities, summary, breakdown };
}
