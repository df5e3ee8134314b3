import type { EntryInit } from '../../outbox/entry';
import type { YearToDate } from '../../report/progress';
import type { Draft, HistoryEntry, Report } from '../../report/records';
import { INDEXED_STATUSES, type IndexedStatus } from '../../report/status';
import { isReviewMark, type ReviewMark } from '../../report/review';
import { draftCodec, historyArg, historyFromFields, reportCodec, ytdCodec } from '../codecs';
import { ALL_PARTITIONS, groupByPartition, partitionOf } from '../partition';
import type { DerivedData, NudgeVerdict, RecordsStore, SchoolChange, SchoolRecords } from '../records-store';
import { pairsToRecord } from '../redis-scripts';
import { entryArgs, schoolChangeArgs, schoolReadKeys, schoolRecordsFrom, type RawSchool } from './school-args';
import { RedisPort } from './redis-port';

/** How long a reopen task stays applied (a retried follow-up of it is not applied twice). */
const REOPEN_TASK_MS = 120 * 24 * 3_600_000;

/** Schools read by one script or one MGET (their keys are its arguments). */
const READ_BATCH = 500;

/**
 * The positions of `codes`, grouped by partition (a partition's school keys share its slot, so one
 * command may read them on a Cluster too), at most READ_BATCH to a group.
 */
function partitionBatches(codes: readonly string[]): number[][] {
  const batches: number[][] = [];
  for (const list of groupByPartition(codes.map((_, i) => i), (i) => codes[i]!).values()) {
    for (let from = 0; from < list.length; from += READ_BATCH) batches.push(list.slice(from, from + READ_BATCH));
  }
  return batches;
}

/** A school's records and what is derived from them, each school's in its partition's slot. */
export class RedisRecordsStore extends RedisPort implements RecordsStore {
  async read(code: string, period: string): Promise<SchoolRecords> {
    return schoolRecordsFrom((await this.scripts.ybReadSchool(...schoolReadKeys(this.keys, code, period), period)) as RawSchool);
  }

  async commit(change: SchoolChange): Promise<boolean> {
    const { keys, args } = schoolChangeArgs(this.keys, change, this.historyMax);
    return Number(await this.scripts.ybCommitSchool(...keys, ...args)) === 1;
  }

  async recordDefault(code: string, period: string, report: Report, history: HistoryEntry, notice: EntryInit | null, now: number): Promise<boolean> {
    const k = this.keys;
    const p = partitionOf(code);
    const keys = [k.schoolRev(code, period), k.reports(code), k.history(code), ...k.statusOf(code, period), k.derivedRev(p), k.reportsRev(code), k.outboxDue(p), ...(notice ? [k.outboxEntry(p, notice.id)] : [])];
    const args = [period, code, reportCodec.encode(report), historyArg([history], this.historyMax), now, ...(notice ? entryArgs(code, notice) : [])];
    return Number(await this.scripts.ybRecordDefault(keys.length, ...keys, ...args)) === 1;
  }

  async nudge(code: string, period: string, entry: EntryInit, policy: { sendAt: number; intervalMs: number; now: number }): Promise<NudgeVerdict> {
    const k = this.keys;
    const p = partitionOf(code);
    const [filed, late] = k.statusOf(code, period);
    const [id, owner, , kind, payload] = entryArgs(code, entry);
    return (await this.scripts.ybNudgeSchool(k.nudged(code), filed!, late!, k.outboxDue(p), k.outboxEntry(p, entry.id), k.lastNudge(code), code, policy.sendAt, policy.intervalMs, policy.now, id!, owner!, kind!, payload!)) as NudgeVerdict;
  }

  async reopen(code: string, period: string, taskId: string, history: HistoryEntry, notice: EntryInit | null, now: number): Promise<boolean> {
    const k = this.keys;
    const p = partitionOf(code);
    const keys = [k.applied(code, taskId), k.reopened(code), k.history(code), k.schoolRev(code, period), k.outboxDue(p), ...(notice ? [k.outboxEntry(p, notice.id)] : [])];
    const args = [period, historyArg([history], this.historyMax), REOPEN_TASK_MS, now, ...(notice ? entryArgs(code, notice) : [])];
    return Number(await this.scripts.ybReopenSchool(keys.length, ...keys, ...args)) === 1;
  }

  async reports(period: string, codes: readonly string[]): Promise<(Report | null)[]> {
    // One script reads up to READ_BATCH schools of a partition (a province-wide 进度 at 20,000
    // schools was 10,000 HGETs, each a command for the client to write and parse; now about a hundred).
    const out = new Array<Report | null>(codes.length).fill(null);
    await Promise.all(partitionBatches(codes).map(async (batch) => {
      const found = (await this.scripts.ybReportsOf(batch.length, ...batch.map((i) => this.keys.reports(codes[i]!)), period)) as (string | null)[];
      batch.forEach((i, j) => {
        const json = found[j];
        if (json) out[i] = reportCodec.decode(json);
      });
    }));
    return out;
  }

  /** One string key per school, read with an MGET per partition batch (a nudge of 20,000 schools was 20,000 GETs). */
  private async readEach<T>(codes: readonly string[], keyOf: (code: string) => string, decode: (raw: string) => T): Promise<(T | null)[]> {
    const out = new Array<T | null>(codes.length).fill(null);
    await Promise.all(partitionBatches(codes).map(async (batch) => {
      const found = await this.redis.mget(...batch.map((i) => keyOf(codes[i]!)));
      batch.forEach((i, j) => {
        const raw = found[j];
        if (raw) out[i] = decode(raw);
      });
    }));
    return out;
  }

  async reportsOfYear(year: number, codes: readonly string[]): Promise<Record<string, Report>[]> {
    // One HGETALL per school: the hash holds a field per month filed, a dozen a year.
    const prefix = `${year}-`;
    return Promise.all(codes.map(async (code) => {
      const all = await this.redis.hgetall(this.keys.reports(code));
      const out: Record<string, Report> = {};
      for (const [period, json] of Object.entries(all)) if (period.startsWith(prefix)) out[period] = reportCodec.decode(json);
      return out;
    }));
  }

  async lastNudged(codes: readonly string[]): Promise<(number | null)[]> {
    return this.readEach(codes, (code) => this.keys.lastNudge(code), Number);
  }

  async drafts(period: string, codes: readonly string[]): Promise<(Draft | null)[]> {
    return this.readEach(codes, (code) => this.keys.draft(code, period), (json) => draftCodec.decode(json));
  }

  async history(code: string, limit?: number): Promise<HistoryEntry[]> {
    if (limit === 0) return [];
    const key = this.keys.history(code);
    const entries = limit === undefined ? await this.redis.xrange(key, '-', '+') : (await this.redis.xrevrange(key, '+', '-', 'COUNT', limit)).reverse();
    return entries.map(([, flat]) => historyFromFields(pairsToRecord(flat)));
  }

  async statusSets(period: string, statuses: readonly IndexedStatus[] = INDEXED_STATUSES): Promise<Record<IndexedStatus, string[]>> {
    // Each partition's sets in its own slot, issued together.
    const out: Record<IndexedStatus, string[]> = { filed: [], late: [], drafting: [], defaulted: [] };
    const parts = await Promise.all(ALL_PARTITIONS.map((p) => Promise.all(statuses.map((s) => this.redis.smembers(this.keys.status(p, period, s))))));
    for (const sets of parts) sets.forEach((codes, i) => out[statuses[i]!].push(...codes));
    return out;
  }

  async reviewMarks(period: string): Promise<Record<string, ReviewMark>> {
    const out: Record<string, ReviewMark> = {};
    const parts = await Promise.all(ALL_PARTITIONS.map((p) => this.redis.hgetall(this.keys.reviews(p, period))));
    for (const marks of parts) for (const [code, mark] of Object.entries(marks)) if (isReviewMark(mark)) out[code] = mark;
    return out;
  }

  async setReviewMarks(code: string, expectedReportsRev: number, marks: Record<string, ReviewMark | null>): Promise<boolean> {
    const periods = Object.keys(marks);
    const keys = [this.keys.reportsRev(code), ...periods.map((period) => this.keys.reviewsOf(code, period))];
    return Number(await this.scripts.ybSetReviewMarks(keys.length, ...keys, code, expectedReportsRev, ...periods.map((period) => marks[period] ?? ''))) === 1;
  }

  async yearToDate(year: number): Promise<Record<string, YearToDate>> {
    const parts = await Promise.all(ALL_PARTITIONS.map((p) => this.redis.hgetall(this.keys.ytd(p, year))));
    const out: Record<string, YearToDate> = {};
    for (const part of parts) for (const [code, json] of Object.entries(part)) out[code] = ytdCodec.decode(json);
    return out;
  }

  async readDerived(partition: number, periods: readonly string[], year: number): Promise<DerivedData> {
    const k = this.keys;
    const [rev, sets, ytd] = await Promise.all([
      this.redis.get(k.derivedRev(partition)),
      Promise.all(periods.map((period) => Promise.all(INDEXED_STATUSES.map((s) => this.redis.smembers(k.status(partition, period, s)))))),
      this.redis.hgetall(k.ytd(partition, year)),
    ]);
    const status: DerivedData['status'] = {};
    periods.forEach((period, i) => {
      status[period] = Object.fromEntries(INDEXED_STATUSES.map((s, j) => [s, sets[i]![j]!])) as Record<IndexedStatus, string[]>;
    });
    return { rev: Number(rev ?? 0), status, year, ytd: Object.fromEntries(Object.entries(ytd).map(([code, json]) => [code, ytdCodec.decode(json)])) };
  }

  async replaceDerived(partition: number, data: DerivedData): Promise<boolean> {
    const k = this.keys;
    const periods = Object.keys(data.status);
    const keys = [k.derivedRev(partition), ...periods.flatMap((period) => INDEXED_STATUSES.map((s) => k.status(partition, period, s))), k.ytd(partition, data.year)];
    const body = { status: periods.flatMap((period) => INDEXED_STATUSES.map((s) => data.status[period]![s])), ytd: Object.entries(data.ytd).flatMap(([code, sums]) => [code, ytdCodec.encode(sums)]) };
    return Number(await this.scripts.ybReplaceDerived(keys.length, ...keys, data.rev, JSON.stringify(body))) === 1;
  }
}
