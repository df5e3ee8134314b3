import { yearToDate } from '../../src/report/progress';
import { reportSchema, type Draft, type Report } from '../../src/report/records';
import type { Store } from '../../src/store/store';

/** A report of the given status (cells as given, others absent). */
export function report(school: string, period: string, status: Report['status'] = 'filed', values: Record<string, number> = {}): Report {
  return { v: 1, school, period, status, values, submittedBy: status === 'defaulted' ? null : 'seed', submittedAt: 1, firstSubmittedAt: 1, acceptedWarnings: [], zero: Object.keys(values).length === 0 };
}

/** Stores a report as a submission would: with the school's status for the period and the year's sums. */
export async function seedReport(store: Store, r: Report): Promise<void> {
  const snap = await store.readSchool(r.school, r.period);
  const year = Number(r.period.slice(0, 4));
  const reports = [...Object.values(snap.reports).map((json) => reportSchema.parse(JSON.parse(json))).filter((x) => x.period !== r.period), r];
  const ok = await store.commitSchool({ code: r.school, period: r.period, expectedRev: snap.rev, report: JSON.stringify(r), history: [], status: r.status, ytd: { year, sums: JSON.stringify(yearToDate(reports, year)) } });
  if (!ok) throw new Error(`could not seed the report of ${r.school} ${r.period}`);
}

/** Stores a draft as the first answer of a report would (the school drafting). */
export async function seedDraft(store: Store, school: string, period: string, values: Record<string, number>, by = 'seed'): Promise<void> {
  const snap = await store.readSchool(school, period);
  const draft: Draft = { v: 1, values, startedBy: by, startedAt: 1, updatedBy: by, updatedAt: 1, zero: false };
  const ok = await store.commitSchool({ code: school, period, expectedRev: snap.rev, draft: JSON.stringify(draft), history: [], ...(snap.reports[period] ? {} : { status: 'drafting' }) });
  if (!ok) throw new Error(`could not seed the draft of ${school} ${period}`);
}
