import type { EntryInit } from '../../outbox/entry';
import type { YearToDate } from '../../report/progress';
import type { Draft, HistoryEntry, Report } from '../../report/records';
import { INDEXED_STATUSES, type IndexedStatus } from '../../report/status';
import type { ReviewMark } from '../../report/review';
import { draftCodec, historyFromFields, reportCodec, ytdCodec } from '../codecs';
import { ALL_PARTITIONS, partitionOf } from '../partition';
import type { DerivedData, NudgeVerdict, RecordsStore, SchoolChange, SchoolRecords } from '../records-store';
import type { MemoryDb } from './db';

const REOPEN_TASK_MS = 120 * 24 * 3_600_000;

/** School records on the embedded store; each method runs to completion, as a script does. */
export class MemoryRecordsStore implements RecordsStore {
  constructor(private readonly db: MemoryDb) {}

  async read(code: string, period: string): Promise<SchoolRecords> {
    return this.db.schoolRecords(code, period);
  }

  async commit(change: SchoolChange): Promise<boolean> {
    if (!this.db.schoolChangeHolds(change)) return false;
    this.db.applySchool(structuredClone(change));
    return true;
  }

  async recordDefault(code: string, period: string, report: Report, history: HistoryEntry, notice: EntryInit | null, now: number): Promise<boolean> {
    if ((this.db.get<Record<string, string>>(`reports:${code}`) ?? {})[period] !== undefined) return false;
    this.db.putReport(code, period, reportCodec.encode(report));
    this.db.bumpRev(code, period);
    this.db.appendHistory(code, [history]);
    this.db.setStatus(code, period, 'defaulted');
    if (notice) this.db.enqueue(code, notice, now);
    return true;
  }

  async nudge(code: string, period: string, entry: EntryInit, policy: { sendAt: number; intervalMs: number; now: number }): Promise<NudgeVerdict> {
    const p = partitionOf(code);
    if (this.db.get(this.db.entryKey(p, entry.id)) !== undefined) return 'already';
    if (this.db.set(`status:${p}:${period}:filed`).has(code) || this.db.set(`status:${p}:${period}:late`).has(code)) return 'filed';
    const last = this.db.get<number>(`nudged:${code}`);
    if (last !== undefined && last > policy.sendAt - policy.intervalMs) return 'recent';
    this.db.put(`nudged:${code}`, policy.sendAt, Math.max(policy.intervalMs, 1) + Math.max(0, policy.sendAt - policy.now));
    this.db.put(`last-nudge:${code}`, policy.sendAt);
    this.db.enqueue(code, { ...entry, due: policy.sendAt }, policy.now);
    return 'queued';
  }

  async reopen(code: string, period: string, taskId: string, history: HistoryEntry, notice: EntryInit | null, now: number): Promise<boolean> {
    if (this.db.get(`applied:${code}:${taskId}`) !== undefined) return false;
    this.db.put(`applied:${code}:${taskId}`, true, REOPEN_TASK_MS);
    this.db.put(`reopened:${code}`, new Set([...this.db.set(`reopened:${code}`), period]));
    this.db.appendHistory(code, [history]);
    this.db.bumpRev(code, period);
    if (notice) this.db.enqueue(code, notice, now);
    return true;
  }

  async reports(period: string, codes: readonly string[]): Promise<(Report | null)[]> {
    return codes.map((code) => {
      const json = this.db.get<Record<string, string>>(`reports:${code}`)?.[period];
      return json ? reportCodec.decode(json) : null;
    });
  }

  async reportsOfYear(year: number, codes: readonly string[]): Promise<Record<string, Report>[]> {
    return codes.map((code) => {
      const all = this.db.get<Record<string, string>>(`reports:${code}`) ?? {};
      return Object.fromEntries(Object.entries(all).filter(([period]) => period.startsWith(`${year}-`)).map(([period, json]) => [period, reportCodec.decode(json)]));
    });
  }

  async lastNudged(codes: readonly string[]): Promise<(number | null)[]> {
    return codes.map((code) => this.db.get<number>(`last-nudge:${code}`) ?? null);
  }

  async drafts(period: string, codes: readonly string[]): Promise<(Draft | null)[]> {
    return codes.map((code) => {
      const json = this.db.get<string>(`draft:${code}:${period}`);
      return json ? draftCodec.decode(json) : null;
    });
  }

  async history(code: string, limit?: number): Promise<HistoryEntry[]> {
    const all = this.db.get<Record<string, string>[]>(`history:${code}`) ?? [];
    return (limit === undefined ? all : limit === 0 ? [] : all.slice(-limit)).map(historyFromFields);
  }

  async statusSets(period: string, statuses: readonly IndexedStatus[] = INDEXED_STATUSES): Promise<Record<IndexedStatus, string[]>> {
    const out: Record<IndexedStatus, string[]> = { filed: [], late: [], drafting: [], defaulted: [] };
    for (const p of ALL_PARTITIONS) for (const s of statuses) out[s].push(...this.db.set(`status:${p}:${period}:${s}`));
    return out;
  }

  async reviewMarks(period: string): Promise<Record<string, ReviewMark>> {
    const out: Record<string, ReviewMark> = {};
    for (const p of ALL_PARTITIONS) Object.assign(out, this.db.get<Record<string, ReviewMark>>(`review:${p}:${period}`) ?? {});
    return out;
  }

  async setReviewMarks(code: string, expectedReportsRev: number, marks: Record<string, ReviewMark | null>): Promise<boolean> {
    if ((this.db.get<number>(`reports-rev:${code}`) ?? 0) !== expectedReportsRev) return false;
    for (const [period, mark] of Object.entries(marks)) this.db.setReviewMark(code, period, mark);
    return true;
  }

  async yearToDate(year: number): Promise<Record<string, YearToDate>> {
    const out: Record<string, YearToDate> = {};
    for (const p of ALL_PARTITIONS) for (const [code, json] of Object.entries(this.db.get<Record<string, string>>(`ytd:${p}:${year}`) ?? {})) out[code] = ytdCodec.decode(json);
    return out;
  }

  async readDerived(partition: number, periods: readonly string[], year: number): Promise<DerivedData> {
    const status: DerivedData['status'] = {};
    for (const period of periods) status[period] = Object.fromEntries(INDEXED_STATUSES.map((s) => [s, [...this.db.set(`status:${partition}:${period}:${s}`)]])) as Record<IndexedStatus, string[]>;
    const ytd = Object.fromEntries(Object.entries(this.db.get<Record<string, string>>(`ytd:${partition}:${year}`) ?? {}).map(([code, json]) => [code, ytdCodec.decode(json)]));
    return { rev: this.db.get<number>(`derived-rev:${partition}`) ?? 0, status, year, ytd };
  }

  async replaceDerived(partition: number, data: DerivedData): Promise<boolean> {
    if ((this.db.get<number>(`derived-rev:${partition}`) ?? 0) !== data.rev) return false;
    for (const [period, sets] of Object.entries(data.status)) for (const s of INDEXED_STATUSES) this.db.put(`status:${partition}:${period}:${s}`, new Set(sets[s]));
    this.db.put(`ytd:${partition}:${data.year}`, Object.fromEntries(Object.entries(data.ytd).map(([code, sums]) => [code, ytdCodec.encode(sums)])));
    this.db.put(`derived-rev:${partition}`, data.rev + 1);
    return true;
  }
}
