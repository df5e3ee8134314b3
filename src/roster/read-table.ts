import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';

export interface TableRow {
  /** 1-based line (CSV) or row (XLSX) number in the file, as the operator sees it. */
  line: number;
  cells: Record<string, string>;
}

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
  if (text.includes('\uFFFD')) throw new TableError('the file is not UTF-8 text: save it as “CSV UTF-8” (Excel: 另存为 → CSV UTF-8)');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, info: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    throw new TableError(`not a valid CSV file: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (records.length === 0) throw new TableError('the file is empty');
  const header = records[0]!.record.map((h) => h.trim());
  return {
    header,
    rows: records.slice(1).map(({ record, info }) => ({ line: info.lines, cells: Object.fromEntries(header.map((h, i) => [h, (record[i] ?? '').trim()])) })),
  };
}

async function readXlsx(data: Buffer): Promise<Table> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.load(data as unknown as ArrayBuffer);
  } catch (error) {
    throw new TableError(`not a valid .xlsx file: ${error instanceof Error ? error.message : String(error)}`);
  }
  const sheet = book.worksheets[0];
  if (!sheet || sheet.rowCount === 0) throw new TableError('the workbook has no rows');
  const text = (v: ExcelJS.CellValue): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'object' && 'text' in v) return String(v.text);
    if (typeof v === 'object' && 'result' in v) return String(v.result ?? '');
    if (typeof v === 'object' && 'richText' in v) return v.richText.map((r) => r.text).join('');
    return String(v);
  };
  const header = (sheet.getRow(1).values as ExcelJS.CellValue[]).slice(1).map((v) => text(v).trim());
  const rows: TableRow[] = [];
  sheet.eachRow((row, number) => {
    if (number === 1) return;
    const values = (row.values as ExcelJS.CellValue[]).slice(1);
    const cells = Object.fromEntries(header.map((h, i) => [h, text(values[i]).trim()]));
    if (Object.values(cells).some((c) => c !== '')) rows.push({ line: number, cells });
  });
  return { header, rows };
}
