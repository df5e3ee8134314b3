import { parsePeriod, periodLabel, type Period, type PeriodCalendar } from '../calendar/period';
import { buildBreakdown } from './report-breakdown';
import type { Form } from '../conversation/form';
import type { SchoolFilter } from '../conversation/staff-words';
import type { YearToDate } from '../report/progress';
import type { Report } from '../report/records';
import type { RecordsStore } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';
import type { Targets } from '../targets/targets';
import { buildSummary } from './report-summary';
import { assembleTable, loadReportData, reportTitle, scopeName, type ReportData } from './report-table';
import type { ReportBook } from './write-table';

/**
 * Everything an export's workbook is made of, as read from the stores: plain data, so that the
 * workbook can be assembled and written on a thread of its own (xlsx-thread.ts).
 */
export interface ReportBookInput {
  period: Period;
  filter: SchoolFilter;
  data: ReportData;
  /** Each school's reports of the months before the period in its year (data's order), for the 累计. */
  earlier: Record<Period, Report>[];
  /** Province-wide with targets: the year's sums and the targets, for the summary sheet. */
  summary: { ytd: Record<string, YearToDate>; targets: Targets } | null;
  now: Date;
}

/** Reads an export's workbook: the table of the scope, the year so far and (province-wide) the year's sums. */
export async function readReportBook(
  ports: { roster: RosterStore; records: RecordsStore },
  form: Form,
  period: Period,
  options: { filter?: SchoolFilter; first?: string | null; targets?: Targets; now: Date },
): Promise<ReportBookInput> {
  const filter = options.filter ?? {};
  // Each school's year in one read, the period's report with it (a read per school and month was
  // 200,000 commands for a province-wide export in October, and the period was read twice).
  const { year } = parsePeriod(period);
  let ofYear: Record<Period, Report>[] = [];
  const data = await loadReportData(ports, form, period, filter, options.first ?? null, async (codes) => {
    ofYear = await ports.records.reportsOfYear(year, codes);
    return ofYear.map((reports) => reports[period] ?? null);
  });
  const earlier = ofYear.map((reports) => Object.fromEntries(Object.entries(reports).filter(([p]) => p < period)));
  const summary = !filter.city && options.targets ? { ytd: await ports.records.yearToDate(year), targets: options.targets } : null;
  return { period, filter, data, earlier, summary, now: options.now };
}

/**
 * An export's workbook from what was read: the table of the scope, the breakdowns; province-wide
 * also a sheet per city and the summary (filing rate and the year against target by city and
 * category). Pure: run on the workbook's thread.
 */
export function assembleReportBook(form: Form, cal: PeriodCalendar, input: ReportBookInput): ReportBook {
  const { period, filter, data } = input;
  const main = assembleTable(form, cal, data, data.schools, scopeName(filter));
  const yearReports = new Map(data.schools.map((s, j) => {
    const earlier = Object.keys(input.earlier[j]!).sort().map((p) => input.earlier[j]![p]!);
    const current = data.reports.get(s.code);
    return [s.code, current ? [...earlier, current] : earlier];
  }));
  const breakdown = buildBreakdown(form, { title: `${reportTitle(period)} · 分类汇总（${scopeName(filter)}）`, scope: scopeName(filter), period, schools: data.schools, month: data.reports, year: yearReports });
  if (filter.city) return { main, breakdown };
  const byCity = new Map<string, ReportData['schools']>();
  for (const s of data.schools) {
    const list = byCity.get(s.city);
    if (list) list.push(s);
    else byCity.set(s.city, [s]);
  }
  const cities = [...byCity].map(([city, schools]) => ({ city, table: assembleTable(form, cal, data, schools, scopeName({ ...filter, city })) }));
  const summary = input.summary
    ? buildSummary({ title: `${reportTitle(period)} · 汇总（${scopeName(filter)}，${periodLabel(period)}报送与年度目标）`, period, schools: main.schools, ytd: input.summary.ytd, targets: input.summary.targets, now: input.now, cal })
    : null;
  return { main, cities, summary, breakdown };
}

/** Read and assemble on this thread (the benches, tests). */
export async function buildReportBook(
  ports: { roster: RosterStore; records: RecordsStore },
  form: Form,
  cal: PeriodCalendar,
  period: Period,
  options: { filter?: SchoolFilter; first?: string | null; targets?: Targets; now: Date },
): Promise<ReportBook> {
  return assembleReportBook(form, cal, await readReportBook(ports, form, period, options));
}
