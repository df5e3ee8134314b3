import type ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';

export interface TableRow {
  /** 1-based line (CSV) or row (XLSX) number in the file, as the operator sees it. */
  line: number;
  cells: Record<string, string>;
  /**
   * XLSX cells that were not text, by column: a number, a date, or a formula's error (#N/A).
   * The checks refuse them where a text is expected (a number loses leading zeros, a date is no name).
   */
  kinds?: Record<string, CellKind>;
}

export type CellKind = 'number' | 'date' | 'error';

export interface Table {
  header: string[];
  rows: TableRow[];
}

export class TableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableError';
  }
}

/** Reads a roster file: UTF-8 CSV (a BOM is fine) or .xlsx (its first sheet), first row the header. */
export async function readTable(fileName: string, data: Buffer): Promise<Table> {
  return /\.xlsx$/i.test(fileName) ? readXlsx(data) : readCsv(data);
}

function readCsv(data: Buffer): Table {
  const text = data.toString('utf8');
  if (text.includes('\uFFFD')) throw new TableError('文件不是 UTF-8 编码：请在 Excel 里「另存为 → CSV UTF-8」后再导入');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    throw new TableError(`不是有效的 CSV 文件（${error instanceof Error ? error.message : String(error)}）`);
  }
  if (records.length === 0) throw new TableError('文件是空的');
  const header = records[0]!.record.map((h) => h.trim());
  return {
    header,
    rows: records.slice(1).map(({ record, info }) => ({ line: info.lines, cells: Object.fromEntries(header.map((h, i) => [h, (record[i] ?? '').trim()])) })),
  };
}

async function readXlsx(data: Buffer): Promise<Table> {
  // Loaded on the first .xlsx roster (see bookToXlsx).
  const { default: Excel } = await import('exceljs');
  const book = new Excel.Workbook();
  try {
    await book.xlsx.load(data as unknown as ArrayBuffer);
  } catch (error) {
    throw new TableError(`不是有效的 .xlsx 文件（${error instanceof Error ? error.message : String(error)}）`);
  }
  const sheet = book.worksheets[0];
  if (!sheet || sheet.rowCount === 0) throw new TableError('工作簿的第一张表是空的');
  const header = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map((v) => cellText(v).text.trim());
  const rows: TableRow[] = [];
  sheet.eachRow((row, number) => {
    if (number === 1) return;
    const values = (row.values as ExcelJS.CellValue[]).slice(1);
    const read = header.map((h, i) => [h, cellText(values[i])] as const);
    const cells = Object.fromEntries(read.map(([h, c]) => [h, c.text.trim()]));
    const kinds = Object.fromEntries(read.filter(([, c]) => c.kind !== 'text').map(([h, c]) => [h, c.kind as CellKind]));
    if (Object.values(cells).some((c) => c !== '')) rows.push({ line: number, cells, ...(Object.keys(kinds).length > 0 ? { kinds } : {}) });
  });
  return { header, rows };
}

/**
 * A cell as text, and what it held: a formula is its cached value (what Excel showed), a rich or
 * linked text its text, a date as YYYY-MM-DD, an error as its code (#N/A).
 */
function cellText(v: ExcelJS.CellValue | undefined): { text: string; kind: CellKind | 'text' } {
  if (v === null || v === undefined) return { text: '', kind: 'text' };
  if (v instanceof Date) return { text: v.toISOString().slice(0, 10), kind: 'date' };
  if (typeof v === 'number') return { text: String(v), kind: 'number' };
  if (typeof v === 'object') {
    if ('error' in v) return { text: String(v.error), kind: 'error' };
    if ('formula' in v || 'sharedFormula' in v) return cellText((v as { result?: ExcelJS.CellValue }).result);
    if ('richText' in v) return { text: v.richText.map((r) => r.text).join(''), kind: 'text' };
    if ('text' in v) return cellText(v.text as ExcelJS.CellValue);
    return { text: '', kind: 'text' };
  }
  return { text: String(v), kind: 'text' };
}
