import { parsePeriod, periodOf, type Period } from '../calendar/period';
import type { Form } from '../conversation/form';
import { reportValues } from '../conversation/form-versions';
import { BREAKDOWN_PARTS, sumCells, type BreakdownPart } from '../report/breakdown';
import type { Report } from '../report/records';
import type { RecordsStore } from '../store/records-store';

/** A scope's breakdowns for the dashboard: the parts with their cells, the month's sums and the year's. */
export interface Breakdowns {
  parts: BreakdownPart[];
  month: number[];
  year: number[];
}

/**
 * Reads the year's reports so far of the schools given (one read per month) and sums the cells of
 * the broken-down parts, each report through its own form version.
 */
export async function loadBreakdowns(records: RecordsStore, form: Form, period: Period, codes: readonly string[]): Promise<Breakdowns> {
  const parts = form.parts.filter((p) => BREAKDOWN_PARTS.includes(p.id)).map((p) => ({ number: p.number, title: p.title, cells: p.cells.map((c) => ({ id: c.id, name: c.name })) }));
  const cells = parts.flatMap((p) => p.cells);
  const { year, month } = parsePeriod(period);
  const months = await Promise.all(Array.from({ length: month }, (_, i) => records.reports(periodOf(year, i + 1), codes)));
  const read = (list: readonly (Report | null)[]) => list.flatMap((r) => (r ? [{ report: r, values: reportValues(form, r) }] : []));
  return { parts, month: sumCells(cells, read(months.at(-1) ?? [])), year: sumCells(cells, months.flatMap(read)) };
}
