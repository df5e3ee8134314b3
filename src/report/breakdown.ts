import type { Report } from './records';
import { countsInFigures } from './review';
import type { Values } from './values';

/**
 * The breakdowns the notice asks every level for (分行业领域、分培训对象): person-times by training
 * content, form, industry and key group, for the month and for the year to date. Pure: the caller
 * reads the reports (each through its own form version) and names the scopes.
 */
export interface BreakdownPart {
  number: number;
  title: string;
  cells: readonly { id: string; name: string }[];
}

/** The parts broken down: everything but the basic figures and the trainers. */
export const BREAKDOWN_PARTS = ['content', 'mode', 'industry', 'groups'];

/** Sums the filed reports' values (on time or late; a zero report's month counts as 0). */
export function sumCells(cells: readonly { id: string }[], reports: readonly { report: Report; values: Values }[]): number[] {
  const totals = cells.map(() => 0);
  for (const { report, values } of reports) {
    if (!countsInFigures(report)) continue;
    cells.forEach((c, j) => (totals[j]! += values[c.id] ?? 0));
  }
  return totals;
}
