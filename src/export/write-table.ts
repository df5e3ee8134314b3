import type ExcelJS from 'exceljs';
import { PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { periodLabel } from '../calendar/period';
import { plainText, type ReportTable } from './report-table';
import type { SummaryTable } from './report-summary';
import type { BreakdownTable } from './report-breakdown';

/**
 * UTF-8 CSV with a BOM (so Excel reads the Chinese): one header row, the schools, the totals row.
 * A machine-readable table: no title or notes, and a zero report's stock figures left empty.
 */
export function tableToCsv(table: ReportTable): Buffer {
  const text = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(v) : plainText(v));
  const carried = new Set(table.carried.map((c) => `${c.row}:${c.column}`));
  const rows = table.rows.map((row, i) => row.map((v, j) => (carried.has(`${i}:${j}`) ? null : v)));
  const csv = stringify([table.header, ...rows, table.totals].map((row) => row.map(text)));
  return Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(csv, 'utf8')]);
}

/** The workbook of an export: the table, then (province-wide) one sheet per city and the summary. */
export interface ReportBook {
  main: ReportTable;
  cities?: { city: string; table: ReportTable }[];
  summary?: SummaryTable | null;
  breakdown?: BreakdownTable;
}

const TITLE_ROW = 1;
const GROUP_ROW = 2;
const HEADER_ROW = 3;
const UNIT_ROW = 4;
const FIRST_DATA_ROW = 5;

/**
 * Style objects shared by every cell of their kind. ExcelJS registers a style once per object (a
 * WeakMap): one object per cell, as `cell.numFmt = …` makes, was a fifth of the CPU of a
 * province-wide export (bench:day at 20,000 schools). Shared, so never changed through a cell:
 * a cell that needs another look gets an object of its own.
 */
const CELL_STYLES: Record<'money' | 'count' | 'text', { plain: Partial<ExcelJS.Style> | undefined; bold: Partial<ExcelJS.Style> }> = {
  money: { plain: { numFmt: '0.0000' }, bold: { numFmt: '0.0000', font: { bold: true } } },
  count: { plain: { numFmt: '#,##0' }, bold: { numFmt: '#,##0', font: { bold: true } } },
  text: { plain: undefined, bold: { font: { bold: true } } },
};

/** The streaming writer's book and sheets: rows go out as they are committed (see bookToXlsx). */
type Book = ExcelJS.stream.xlsx.WorkbookWriter;

/**
 * One sheet in the paper form's layout: the title, a row of part titles merged over their columns,
 * the cell labels, the unit row, one row per school, the totals in bold, and the notes under them.
 * Numbers are numbers (万元 with 4 decimals, counts whole); a zero report's carried stock figures
 * are italic with a note. Headers and the two name columns stay in view (frozen). Strings are
 * written as strings: ExcelJS never makes a formula of them. Written top to bottom, each school's
 * row committed once complete.
 */
function writeReportSheet(book: Book, name: string, table: ReportTable): void {
  const sheet = book.addWorksheet(name, { views: [{ state: 'frozen', xSplit: 2, ySplit: UNIT_ROW }] });
  const width = table.header.length;
  sheet.columns = table.header.map((_, i) => ({ width: i === 1 ? 30 : i === 6 ? 17 : i < 7 ? 10 : 12 }));
  sheet.getCell(TITLE_ROW, 1).value = table.title;
  sheet.mergeCells(TITLE_ROW, 1, TITLE_ROW, Math.min(width, 20));
  sheet.getRow(TITLE_ROW).font = { bold: true, size: 14 };
  sheet.getRow(TITLE_ROW).height = 24;
  let column = 1;
  const groupRow = sheet.getRow(GROUP_ROW);
  for (const g of table.groups) {
    groupRow.getCell(column).value = g.title;
    if (g.span > 1) sheet.mergeCells(GROUP_ROW, column, GROUP_ROW, column + g.span - 1);
    column += g.span;
  }
  groupRow.font = { bold: true };
  groupRow.alignment = { horizontal: 'center' };
  const headerRow = sheet.getRow(HEADER_ROW);
  table.header.forEach((h, i) => (headerRow.getCell(i + 1).value = h));
  headerRow.font = { bold: true };
  headerRow.alignment = { wrapText: true, vertical: 'top' };
  headerRow.height = 48;
  const unitRow = sheet.getRow(UNIT_ROW);
  table.units.forEach((u, i) => (unitRow.getCell(i + 1).value = u === '' ? (i === 0 ? '单位' : null) : u));
  unitRow.font = { color: { argb: 'FF666666' } };
  unitRow.alignment = { horizontal: 'center' };
  const money = new Set(table.moneyColumns);
  const put = (rowIndex: number, values: (string | number | null)[], bold = false) => {
    const row = sheet.getRow(rowIndex);
    values.forEach((v, i) => {
      const cell = row.getCell(i + 1);
      cell.value = v === null ? null : v;
      const kind = CELL_STYLES[typeof v === 'number' ? (money.has(i) ? 'money' : 'count') : 'text'];
      const style = bold ? kind.bold : kind.plain;
      if (style) cell.style = style;
    });
    return row;
  };
  const carried = new Map<number, ReportTable['carried']>();
  for (const c of table.carried) {
    const list = carried.get(c.row);
    if (list) list.push(c);
    else carried.set(c.row, [c]);
  }
  table.rows.forEach((r, i) => {
    const row = put(i + FIRST_DATA_ROW, r);
    for (const c of carried.get(i) ?? []) {
      const cell = row.getCell(c.column + 1);
      // Its own style object: the shared one must not turn every number italic.
      cell.style = { ...cell.style, font: { italic: true, color: { argb: 'FF666666' } } };
      cell.note = `零申报：沿用 ${periodLabel(c.from)}填报的数字`;
    }
    row.commit();
  });
  const totalsRow = table.rows.length + FIRST_DATA_ROW;
  put(totalsRow, table.totals, true);
  table.notes.forEach((n, i) => {
    const row = totalsRow + 2 + i;
    sheet.getCell(row, 1).value = `注${table.notes.length > 1 ? i + 1 : ''}：${n}`;
    sheet.mergeCells(row, 1, row, Math.min(width, 20));
  });
  sheet.commit();
}

function writeSummarySheet(book: Book, summary: SummaryTable): void {
  const sheet = book.addWorksheet('汇总', { views: [{ state: 'frozen', xSplit: 1, ySplit: 2 }] });
  sheet.columns = summary.header.map((_, i) => ({ width: i === 0 ? 14 : 12 }));
  sheet.getCell(1, 1).value = summary.title;
  sheet.mergeCells(1, 1, 1, summary.header.length);
  sheet.getRow(1).font = { bold: true, size: 14 };
  const header = sheet.getRow(2);
  summary.header.forEach((h, i) => (header.getCell(i + 1).value = h));
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'top' };
  summary.rows.forEach((r, i) => {
    const row = sheet.getRow(i + 3);
    r.forEach((v, j) => {
      const cell = row.getCell(j + 1);
      cell.value = v;
      if (typeof v === 'number') cell.numFmt = '#,##0';
    });
    if (r.length === 1) row.font = { bold: true };
  });
  summary.notes.forEach((n, i) => (sheet.getCell(summary.rows.length + 4 + i, 1).value = `注：${n}`));
  sheet.commit();
}

/** The breakdowns: scope and span down the side, the person-times of each part's cells across. */
function writeBreakdownSheet(book: Book, table: BreakdownTable): void {
  const sheet = book.addWorksheet('分类汇总', { views: [{ state: 'frozen', xSplit: 2, ySplit: 3 }] });
  sheet.columns = table.header.map((_, i) => ({ width: i < 2 ? 12 : 10 }));
  sheet.getCell(1, 1).value = table.title;
  sheet.mergeCells(1, 1, 1, Math.min(table.header.length, 20));
  sheet.getRow(1).font = { bold: true, size: 14 };
  let column = 1;
  for (const g of table.groups) {
    sheet.getCell(2, column).value = g.title || null;
    if (g.span > 1) sheet.mergeCells(2, column, 2, column + g.span - 1);
    column += g.span;
  }
  sheet.getRow(2).font = { bold: true };
  sheet.getRow(2).alignment = { horizontal: 'center' };
  table.header.forEach((h, i) => (sheet.getCell(3, i + 1).value = h));
  sheet.getRow(3).font = { bold: true };
  sheet.getRow(3).alignment = { wrapText: true, vertical: 'top' };
  sheet.getRow(3).height = 48;
  table.rows.forEach((r, i) =>
    r.forEach((v, j) => {
      const cell = sheet.getCell(i + 4, j + 1);
      cell.value = v;
      if (typeof v === 'number') cell.numFmt = '#,##0';
    }),
  );
  table.notes.forEach((n, i) => (sheet.getCell(table.rows.length + 5 + i, 1).value = `注：${n}`));
  sheet.commit();
}

/**
 * The workbook as .xlsx, through ExcelJS's streaming writer: each row leaves memory once committed
 * (zipped as it goes). The in-memory workbook of a province-wide export (20,000 schools, the table
 * and a sheet per city, 2.4 million cells) took its thread to 2.4 GiB.
 */
export async function bookToXlsx(report: ReportBook, title: string): Promise<Buffer> {
  // Loaded on the first workbook: ExcelJS is about 26 MiB of every process's memory, and most never write one.
  const { default: Excel } = await import('exceljs');
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve, reject) => out.once('end', resolve).once('error', reject));
  const book = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: true });
  book.title = title;
  book.creator = '月报';
  writeReportSheet(book, report.main.period, report.main);
  if (report.summary) writeSummarySheet(book, report.summary);
  if (report.breakdown) writeBreakdownSheet(book, report.breakdown);
  // Sheet names: at most 31 characters, unique (a city's name is both).
  for (const c of report.cities ?? []) writeReportSheet(book, c.city.slice(0, 31), c.table);
  await book.commit();
  await ended;
  return Buffer.concat(chunks);
}

/** A single table as .xlsx. */
export function tableToXlsx(table: ReportTable, title: string): Promise<Buffer> {
  return bookToXlsx({ main: table }, title);
}
