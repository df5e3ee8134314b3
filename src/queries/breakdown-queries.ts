import { parsePeriod, periodOf, type Period } from '../calendar/period';
import type { Form } from '../conversation/form';
import { reportValues } from '../conversation/form-versions';
import { BREAKDOWN_PARTS, sumCells, type BreakdownPart } from '../report/breakdown';
import type { Report } from '../report/records';
import type { RosterIndex, StaffMember } from '../roster/roster';
import type { RecordsStore } from '../store/records-store';

/** One group's sums, cell by cell in the parts' order: the month's and the year's so far. */
export interface BreakdownSums {
  /** What the page offers to choose: 「全省」, 「郑州」, 「A 类」. */
  label: string;
  month: number[];
  year: number[];
}

/** The breakdowns for the dashboard: the parts with their cells, and the sums of each group (the viewer's scope first). */
export interface Breakdowns {
  parts: BreakdownPart[];
  groups: BreakdownSums[];
}

/** A group of schools to sum: the scope, a city, a category. */
export interface BreakdownGroup {
  label: string;
  codes: readonly string[];
}

/**
 * Reads the year's reports so far of every school in the groups (one read per month) and sums the
 * cells of the broken-down parts for each group, each report through its own form version.
 */
export async function loadBreakdowns(records: RecordsStore, form: Form, period: Period, groups: readonly BreakdownGroup[]): Promise<Breakdowns> {
  const parts = form.parts.filter((p) => BREAKDOWN_PARTS.includes(p.id)).map((p) => ({ number: p.number, title: p.title, cells: p.cells.map((c) => ({ id: c.id, name: c.name })) }));
  const cells = parts.flatMap((p) => p.cells);
  const codes = [...new Set(groups.flatMap((g) => g.codes))];
  const { year, month } = parsePeriod(period);
  const months = await Promise.all(Array.from({ length: month }, (_, i) => records.reports(periodOf(year, i + 1), codes)));
  // Each report read once, whatever number of groups it counts in.
  const read = months.map((list) => new Map(list.flatMap((r, i) => (r ? [[codes[i]!, { report: r, values: reportValues(form, r) }] as const] : []))));
  const of = (byCode: Map<string, { report: Report; values: ReturnType<typeof reportValues> }>, group: BreakdownGroup) => group.codes.flatMap((c) => byCode.get(c) ?? []);
  return {
    parts,
    groups: groups.map((g) => ({ label: g.label, month: sumCells(cells, of(read.at(-1) ?? new Map(), g)), year: sumCells(cells, read.flatMap((m) => of(m, g))) })),
  };
}

/**
 * The groups a viewer may choose between: their scope, then (for provincial staff) each city, then
 * each category within the scope.
 */
export function breakdownGroups(member: StaffMember, index: RosterIndex, scopeLabel: string): BreakdownGroup[] {
  const scope = member.role === 'province' ? index.all : (index.byCity[member.city] ?? []);
  const inScope = new Set(scope);
  const cities = member.role === 'province' ? Object.keys(index.byCity).sort((a, b) => a.localeCompare(b, 'zh')).map((city) => ({ label: city, codes: index.byCity[city]! })) : [];
  const categories = Object.keys(index.byCategory)
    .sort()
    .map((cat) => ({ label: `${cat} 类`, codes: index.byCategory[cat]!.filter((c) => inScope.has(c)) }))
    .filter((g) => g.codes.length > 0);
  return [{ label: scopeLabel, codes: scope }, ...cities, ...categories];
}
