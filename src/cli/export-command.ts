import { writeFile } from 'node:fs/promises';
import type { Form } from '../conversation/form';
import { beforeStart, firstPeriodIn } from '../calendar/deployment';
import { assembleTable, BEFORE_START, scopeName } from '../export/report-table';
import { readReportBook } from '../export/report-book';
import { tableToCsv } from '../export/write-table';
import { writeReportWorkbook } from '../export/xlsx-thread';
import type { Targets } from '../targets/targets';
import { periodLabel, parsePeriod, type PeriodCalendar } from '../calendar/period';
import type { Stores } from '../store/stores';

/** `report export`: the period's table to a file. Returns the exit code. */
export async function exportReport(
  stores: Pick<Stores, 'roster' | 'records' | 'markers' | 'audit'>,
  form: Form,
  cal: PeriodCalendar,
  options: { period: string; format: string; out: string; by: string; now: Date; firstPeriod?: string; targets?: Targets },
  print: (line: string) => void,
): Promise<number> {
  try {
    parsePeriod(options.period);
  } catch {
    print(`--period「${options.period}」应写成 YYYY-MM，如 2026-10。`);
    return 1;
  }
  if (options.format !== 'csv' && options.format !== 'xlsx') {
    print(`--format「${options.format}」应为 csv 或 xlsx。`);
    return 1;
  }
  const first = await firstPeriodIn(stores.markers, options.firstPeriod, cal);
  const input = await readReportBook(stores, form, options.period, { first, now: options.now, ...(options.targets ? { targets: options.targets } : {}) });
  // The main sheet on this thread for its count and totals (and the CSV); the workbook on its own.
  const table = assembleTable(form, cal, input.data, input.data.schools, scopeName(input.filter));
  const data = options.format === 'csv' ? tableToCsv(table) : (await writeReportWorkbook(form, cal, input, `${periodLabel(options.period)}职业培训情况月报表`)).file;
  await writeFile(options.out, data);
  await stores.audit.append({ action: 'export', by: options.by, at: options.now.getTime(), period: options.period, rows: table.rows.length });
  print(`已导出 ${periodLabel(options.period)}月报表：${table.rows.length} 所学校（${table.totals[5]}）→ ${options.out}`);
  if (beforeStart(options.period, first)) print(`${periodLabel(options.period)}在本系统启用（${periodLabel(first!)}起收集）之前，未提交的学校标为「${BEFORE_START}」，不是未报。`);
  return 0;
}
