import { yearToDate } from '../../src/report/progress';
import type { Report } from '../../src/report/records';
import { draft } from '../fixtures/records';
import type { RecordsStore } from '../../src/store/records-store';

export { draft, report } from '../fixtures/records';

/** Stores a report as a submission would: with the school's status for the period and the year's sums. */
export async function seedReport(ports: { records: RecordsStore }, r: Report): Promise<void> {
  const snap = await ports.records.read(r.school, r.period);
  const year = Number(r.period.slice(0, 4));
  const reports = [...Object.values(snap.reports).filter((x) => x.period !== r.period), r];
  const ok = await ports.records.commit({ code: r.school, period: r.period, expectedRev: snap.rev, report: r, history: [], status: r.status, ytd: yearToDate(reports, year), expectedReportsRev: snap.reportsRev });
  if (!ok) throw new Error(`could not seed the report of ${r.school} ${r.period}`);
}

/** Stores a draft as the first answer of a report would (the school drafting). */
export async function seedDraft(ports: { records: RecordsStore }, school: string, period: string, values: Record<string, number>, by = 'seed'): Promise<void> {
  const snap = await ports.records.read(school, period);
  const ok = await ports.records.commit({ code: school, period, expectedRev: snap.rev, draft: draft(values, { startedBy: by, updatedBy: by }), history: [], ...(snap.reports[period] ? {} : { status: 'drafting' }) });
  if (!ok) throw new Error(`could not seed the draft of ${school} ${period}`);
}

/** A school's report for a period, or null. */
export async function reportOf(ports: { records: RecordsStore }, school: string, period: string): Promise<Report | null> {
  return (await ports.records.read(school, period)).reports[period] ?? null;
}
