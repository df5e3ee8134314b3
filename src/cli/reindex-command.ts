import { periodOf } from '../calendar/period';
import { yearToDate } from '../report/progress';
import { filingStatus, INDEXED_STATUSES, STATUS_LABEL, type FilingStatus, type IndexedStatus } from '../report/status';
import { ytdCodec } from '../store/codecs';
import { ALL_PARTITIONS, groupByPartition } from '../store/partition';
import type { DerivedData, RecordsStore, SchoolRecords } from '../store/records-store';
import { reviewMark, type ReviewMark } from '../report/review';
import type { RosterStore } from '../store/roster-store';

type Ports = { roster: RosterStore; records: RecordsStore };

interface Change {
  code: string;
  period: string;
  from: FilingStatus;
  to: FilingStatus;
}

/** What a school's review marks should be, period by period, from its reports. */
function marksOf(reports: SchoolRecords['reports'], periods: readonly string[]): Record<string, ReviewMark | null> {
  return Object.fromEntries(periods.map((period) => [period, reports[period] ? reviewMark(reports[period]) : null]));
}

/**
 * Puts right the review marks of a partition's schools that differ from their reports: each
 * school's set only while none of its reports changes (a report written meanwhile wrote its own
 * mark; the school is read again). Returns the schools corrected.
 */
async function repairMarks(records: RecordsStore, snapshots: Map<string, SchoolRecords>, periods: readonly string[], current: Record<string, ReviewMark>[]): Promise<number> {
  let corrected = 0;
  for (const [code, first] of snapshots) {
    let snap = first;
    for (let attempt = 0; ; attempt++) {
      const want = marksOf(snap.reports, periods);
      if (attempt === 0 && periods.every((period, j) => (current[j]![code] ?? null) === want[period])) break;
      if (await records.setReviewMarks(code, snap.reportsRev, want)) {
        corrected++;
        break;
      }
      if (attempt >= 5) throw new Error(`school ${code} kept changing; run reindex again`);
      // A report was written meanwhile: set every period's mark again from the reports as they are now.
      snap = await records.read(code, periods[0]!);
    }
  }
  return corrected;
}

/** What a partition's derived data should be, from its schools' records (and the records read). */
async function expected(records: RecordsStore, codes: string[], periods: string[], year: number): Promise<Omit<DerivedData, 'rev'> & { snapshots: Map<string, SchoolRecords> }> {
  const status: DerivedData['status'] = Object.fromEntries(periods.map((p) => [p, { filed: [], late: [], drafting: [], defaulted: [] }]));
  const ytd: DerivedData['ytd'] = {};
  const snapshots = await Promise.all(codes.map((code) => records.read(code, periods[0]!)));
  const drafts = await Promise.all(periods.map((period) => records.drafts(period, codes)));
  codes.forEach((code, i) => {
    const reports = Object.values(snapshots[i]!.reports);
    periods.forEach((period, j) => {
      const s = filingStatus(snapshots[i]!.reports[period] ?? null, drafts[j]![i] ?? null);
      if (s !== 'none') status[period]![s].push(code);
    });
    // As a submission writes them: sums for a school with a filed report in the year (a 零申报 adds nothing).
    if (reports.some((r) => r.period.startsWith(`${year}-`) && r.status !== 'defaulted')) ytd[code] = yearToDate(reports, year);
  });
  return { status, year, ytd, snapshots: new Map(codes.map((code, i) => [code, snapshots[i]!])) };
}

const sameSums = (a: DerivedData['ytd'][string] | undefined, b: DerivedData['ytd'][string] | undefined) => (a && ytdCodec.encode(a)) === (b && ytdCodec.encode(b));

function statusOf(sets: Record<IndexedStatus, string[]> | undefined): Map<string, IndexedStatus> {
  const out = new Map<string, IndexedStatus>();
  for (const s of INDEXED_STATUSES) for (const code of sets?.[s] ?? []) out.set(code, s);
  return out;
}

/**
 * `reindex [--year Y]`: rebuilds the period status sets and year-to-date sums of a year from the
 * records, partition by partition (each replaced only if no commit changed it meanwhile), puts
 * right the review marks (reports written before the review index, or by a version without it),
 * and says what it changed.
 */
export async function reindex(ports: Ports, year: number, print: (line: string) => void): Promise<number> {
  const roster = await ports.roster.read();
  const byPartition = groupByPartition(Object.keys(roster.schools), (code) => code);
  const periods = Array.from({ length: 12 }, (_, i) => periodOf(year, i + 1));
  const changes: Change[] = [];
  let ytdChanged = 0;
  let marksCorrected = 0;
  const marks = await Promise.all(periods.map((period) => ports.records.reviewMarks(period)));
  for (const p of ALL_PARTITIONS) {
    const codes = byPartition.get(p) ?? [];
    let snapshots = new Map<string, SchoolRecords>();
    for (let attempt = 0; ; attempt++) {
      const current = await ports.records.readDerived(p, periods, year);
      const { snapshots: read, ...want } = await expected(ports.records, codes, periods, year);
      snapshots = read;
      const found: Change[] = [];
      for (const period of periods) {
        const before = statusOf(current.status[period]);
        const after = statusOf(want.status[period]);
        for (const code of new Set([...before.keys(), ...after.keys()])) {
          const from = before.get(code) ?? 'none';
          const to = after.get(code) ?? 'none';
          if (from !== to) found.push({ code, period, from, to });
        }
      }
      const ytdDiff = new Set([...Object.keys(current.ytd), ...Object.keys(want.ytd)].filter((code) => !sameSums(current.ytd[code], want.ytd[code]))).size;
      if (found.length === 0 && ytdDiff === 0) break;
      if (await ports.records.replaceDerived(p, { rev: current.rev, ...want })) {
        changes.push(...found);
        ytdChanged += ytdDiff;
        break;
      }
      // A commit changed this partition meanwhile: read it again.
      if (attempt >= 5) throw new Error(`partition ${p} kept changing; run reindex again`);
    }
    // The review marks from the same reading of the schools (each school's set under its own check).
    marksCorrected += await repairMarks(ports.records, snapshots, periods, marks);
  }
  if (changes.length === 0 && ytdChanged === 0 && marksCorrected === 0) {
    print(`${year} 年的状态索引、审核标记和年度累计与记录一致（${Object.keys(roster.schools).length} 所学校），没有改动。`);
    return 0;
  }
  const schools = new Set(changes.map((c) => c.code)).size;
  print(`${year} 年状态索引：更正了 ${schools} 所学校的 ${changes.length} 个月份${changes.length ? '：' : '。'}`);
  for (const c of changes.slice(0, 30)) print(`  ${c.code} ${c.period}：${STATUS_LABEL[c.from]} → ${STATUS_LABEL[c.to]}`);
  if (changes.length > 30) print(`  ……还有 ${changes.length - 30} 处`);
  print(`${year} 年度累计：更正了 ${ytdChanged} 所学校。`);
  print(`${year} 年审核标记：更正了 ${marksCorrected} 所学校。`);
  return 0;
}
