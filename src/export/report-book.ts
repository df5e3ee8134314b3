import { parsePeriod, periodLabel, type PeriodCalendar } from '../calendar/period';
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
  // The year's reports so far, for the breakdowns' 累计: the period itself as read with the table,
  // the months before it from one read per school (a read per school and month was 200,000
  // commands for a province-wide export in October).
  const { year } = parsePeriod(period);
  const codes = data.schools.map((s) => s.code);
  const ofYear = await ports.records.reportsOfYear(year, codes);
  const yearReports = new Map(codes.map((code, j) => {
    const earlier = Object.keys(ofYear[j]!).filter((p) => p < period).sort().map((p) => ofYear[j]![p]!);
    const current = data.reports.get(code);
    return [code, current ? [...earlier, current] : earlier];
  }));
  const breakdown = buildBreakdown(form, { title: `${reportTitle(period)} · 分类汇总（${scopeName(filter)}）`, scope: scopeName(filter), period, schools: data.schools, month: data.reports, year: yearReports });
  if (filter.city) return { main, breakdown };
  const cities = [...new Set(data.schools.map((s) => s.city))].map((city) => ({ city, table: assembleTable(form, cal, data, data.schools.filter((s) => s.city === city), scopeName({ ...filter, city })) }));
  const summary = options.targets
    ? buildSummary({ title: `${reportTitle(period)} · 汇总（${scopeName(filter)}，${periodLabel(period)}报送与年度目标）`, period, schools: main.schools, ytd: await ports.records.yearToDate(parsePeriod(period).year), targets: options.targets, now: options.now, cal })
    : null;
  return { main, cities, summary, breakdown };
}
