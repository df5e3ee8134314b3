import type { Form } from './form';
import type { CellDef, PartDef } from './form-schema';
import type { Values } from '../report/values';

/**
 * A message that is only numbers, two or more, in the form's order: a part's row copied from a
 * spreadsheet, or the whole report (tab-separated from Excel or the exported .xlsx, or written
 * with spaces, commas or new lines). Pure.
 */
export type RowRead = { kind: 'none' } | { kind: 'row'; tokens: string[] } | { kind: 'error'; reason: string };

const NUMBER = /^\d+(?:\.\d+)?$/u;
/** 「1,200」 is one number written with a thousands separator, not two. */
const GROUPED = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/u;

export function readRow(raw: string): RowRead {
  const text = raw.normalize('NFKC').trim();
  if (!/\d[\s,，、;；\t]+\d/u.test(text)) return { kind: 'none' };
  let tokens: string[];
  if (/[\t\n]/u.test(text)) {
    // Pasted cells: a tab between cells, a new line between rows. An empty cell inside a row would
    // move every later number one cell over, so it is refused rather than skipped.
    tokens = [];
    for (const line of text.split(/\r?\n/u).map((l) => l.trim()).filter((l) => l !== '')) {
      const cells = line.split('\t').map((c) => c.trim());
      const blank = cells.findIndex((c) => c === '');
      if (blank >= 0) return { kind: 'error', reason: `第 ${tokens.length + blank + 1} 个位置是空的：表格里空着的格子请填 0 再复制` };
      tokens.push(...cells);
    }
    tokens = tokens.map((t) => (GROUPED.test(t) ? t.replace(/,/gu, '') : t));
  } else {
    tokens = text
      .split(/[\s，、;；]+/u)
      .flatMap((t) => (GROUPED.test(t) ? [t.replace(/,/gu, '')] : t.split(',')))
      .filter((t) => t !== '');
  }
  if (tokens.length < 2 || !tokens.every((t) => NUMBER.test(t))) return { kind: 'none' };
  return { kind: 'row', tokens };
}

/**
 * The cells a row of `count` numbers fills: the rest of the part from the cell being asked, or
 * the whole form. Null when the count fits neither; `expected` then says what would.
 */
export function rowCells(form: Form, current: CellDef | null, count: number): { cells: readonly CellDef[] } | { cells: null; rest: number; part: PartDef | null } {
  if (count === form.cells.length) return { cells: form.cells };
  if (current === null) return { cells: null, rest: 0, part: null };
  const { part } = form.place(current.id);
  const rest = part.cells.slice(part.cells.indexOf(current));
  if (count === rest.length) return { cells: rest };
  return { cells: null, rest: rest.length, part };
}

/** Reads each number for its cell; the first few problems, each with its place and cell. */
export function rowValues(form: Form, cells: readonly CellDef[], tokens: readonly string[]): { values: Values } | { problems: string[] } {
  const values: Values = {};
  const problems: string[] = [];
  cells.forEach((cell, i) => {
    const parsed = form.readValue(cell, tokens[i]!);
    if (parsed.ok) values[cell.id] = parsed.value;
    else problems.push(`第 ${i + 1} 个数「${tokens[i]}」（${cell.name}）：${parsed.reason}`);
  });
  return problems.length > 0 ? { problems: problems.slice(0, 3) } : { values };
}
