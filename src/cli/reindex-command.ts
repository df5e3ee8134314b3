import { periodOf } from '../calendar/period';
import { yearToDate } from '../report/progress';
import { draftSchema, reportSchema, type Report } from '../report/records';
import { STATUSES } from '../store/keys';
import { ALL_PARTITIONS, partitionOf } from '../store/partition';
import type { DerivedData, IndexedStatus, Store } from '../store/store';

const LABEL: Record<IndexedStatus | 'none', string> = { filed: '已报', late: '逾期补报', drafting: '填报中', defaulted: '零申报(未报)', none: '未开始' };

interface Change {
  code: string;
  period: string;
  from: IndexedStatus | 'none';
  to: IndexedStatus | 'none';
}

/** What a partition's derived data should be, from its schools' records. */
async function expected(store: Store, codes: string[], periods: string[], year: number): Promise<Omit<DerivedData, 'rev'>> {
  const status: DerivedData['status'] = Object.fromEntries(periods.map((p) => [p, { filed: [], late: [], drafting: [], defaulted: [] }]));
  const ytd: Record<string, string> = {};
  const snapshots = await Promise.all(codes.map((code) => store.readSchool(code, periods[0]!)));
  const drafts = await Promise.all(periods.map((period) => store.readDrafts(period, codes)));
  codes.forEach((code, i) => {
    const reports: Report[] = Object.values(snapshots[i]!.reports).map((json) => reportSchema.parse(JSON.parse(json)));
    periods.forEach((period, j) => {
      const report = reports.find((r) => r.period === period);
      const draft = drafts[j]![i] ? draftSchema.parse(JSON.parse(drafts[j]![i]!)) : null;
      const s: IndexedStatus | null = report ? report.status : draft ? 'drafting' : null;
      if (s) status[period]![s].push(code);
    });
    // As a submission writes them: sums for a school with a filed report in the year (a 零申报 adds nothing).
    if (reports.some((r) => r.period.startsWith(`${year}-`) && r.status !== 'defaulted')) ytd[code] = JSON.stringify(yearToDate(reports, year));
  });
  return { status, year, ytd };
}

function statusOf(sets: Record<IndexedStatus, string[]> | undefined): Map<string, IndexedStatus> {
  const out = new Map<string, IndexedStatus>();
  for (const s of STATUSES) for (const code of sets?.[s] ?? []) out.set(code, s);
  return out;
}

/**
 * `reindex [--year Y]`: rebuilds the period status sets and year-to-date sums of a year from the
 * records, partition by partition (each replaced only if no commit changed it meanwhile), and
 * says what it changed.
 */
export async function reindex(store: Store, year: number, print: (line: string) => void): Promise<number> {
  const roster = await store.readRoster();
  const byPartition = new Map<number, string[]>();
  for (const code of Object.keys(roster.schools)) byPartition.set(partitionOf(code), [...(byPartition.get(partitionOf(code)) ?? []), code]);
  const periods = Array.from({ length: 12 }, (_, i) => periodOf(year, i + 1));
  const changes: Change[] = [];
  let ytdChanged = 0;
  for (const p of ALL_PARTITIONS) {
    const codes = byPartition.get(p) ?? [];
    for (let attempt = 0; ; attempt++) {
      const current = await store.readDerived(p, periods, year);
      const want = await expected(store, codes, periods, year);
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
      const ytdDiff = new Set([...Object.keys(current.ytd), ...Object.keys(want.ytd)].filter((code) => current.ytd[code] !== want.ytd[code])).size;
      if (found.length === 0 && ytdDiff === 0) break;
      if (await store.replaceDerived(p, { rev: current.rev, ...want })) {
        changes.push(...found);
        ytdChanged += ytdDiff;
        break;
      }
      // A commit changed this partition meanwhile: read it again.
      if (attempt >= 5) throw new Error(`partition ${p} kept changing; run reindex again`);
    }
  }
  if (changes.length === 0 && ytdChanged === 0) {
    print(`${year} 年的状态索引和年度累计与记录一致（${Object.keys(roster.schools).length} 所学校），没有改动。`);
    return 0;
  }
  const schools = new Set(changes.map((c) => c.code)).size;
  print(`${year} 年状态索引：更正了 ${schools} 所学校的 ${changes.length} 个月份${changes.length ? '：' : '。'}`);
  for (const c of changes.slice(0, 30)) print(`  ${c.code} ${c.period}：${LABEL[c.from]} → ${LABEL[c.to]}`);
  if (changes.length > 30) print(`  ……还有 ${changes.length - 30} 处`);
  print(`${year} 年度累计：更正了 ${ytdChanged} 所学校。`);
  return 0;
}
