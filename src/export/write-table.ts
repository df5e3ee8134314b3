import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { plainText, type ReportTable } from './report-table';

/** UTF-8 CSV with a BOM (so Excel reads the Chinese), one header row, the totals row last. */
export function tableToCsv(table: ReportTable): Buffer {
  const text = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? String(v) : plainText(v));
  const csv = stringify([table.header, ...table.rows, table.totals].map((row) => row.map(text)));
  return Buffer.concat([Buffer.from('\uFEFF'), Buffer.from(csv, 'utf8')]);
}

/**
 * The paper form's layout as .xlsx: a row of part titles merged over their columns, the cell
 * labels under them, numbers as numbers (万元 with 4 decimals), the totals row in bold. Strings are
 * written as strings: ExcelJS never makes a formula of them.
 */
export async function tableToXlsx(table: ReportTable, title: string): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(table.period, { views: [{ state: 'frozen', xSplit: 2, ySplit: 2 }] });
  let column = 1;
  const groupRow = sheet.getRow(1);
  for (const g of table.groups) {
    groupRow.getCell(column).value = g.title;
    if (g.span > 1) sheet.mergeCells(1, column, 1, column + g.span - 1);
    column += g.span;
  }
  groupRow.font = { bold: true };
  groupRow.alignment = { horizontal: 'center' };
  const headerRow = sheet.getRow(2);
  table.header.forEach((h, i) => (headerRow.getCell(i + 1).value = h));
  headerRow.font = { bold: true };
  headerRow.alignment = { wrapText: true, vertical: 'top' };
  headerRow.height = 48;
  const put = (rowIndex: number, values: (string | number | null)[], bold = false) => {
    const row = sheet.getRow(rowIndex);
    values.forEach((v, i) => {
      const cell = row.getCell(i + 1);
      cell.value = v === null ? null : v;
      if (typeof v === 'number' && table.moneyColumns.includes(i)) cell.numFmt = '0.0000';
    });
    if (bold) row.font = { bold: true };
  };
  table.rows.forEach((r, i) => put(i + 3, r));
  put(table.rows.length + 3, table.totals, true);
  sheet.columns.forEach((c, i) => (c.width = i === 1 ? 30 : i < 7 ? 12 : 10));
  book.title = title;
  return Buffer.from(await book.xlsx.writeBuffer());
}
