import type { Form } from './form';
import type { CellDef, PartDef } from './form-schema';

/**
 * The names people give a cell, as one table generated from the form: each cell's name and
 * aliases, its label and each part of it (「培训学时 · 政府补贴性培训」 gives 培训学时 and
 * 政府补贴性培训 — the paper form's column headers), the words of its own question
 * (「学校专任教师数：多少人？」 gives 学校专任教师数), and a name ending in 数 without it. A name may fit
 * several cells (培训学时, 其他, 专任教师): `resolveName` says which one is meant, or that it cannot tell.
 */
export interface CellName {
  name: string;
  cells: readonly CellDef[];
  /** A GB/T 4754 section letter: a name only standing alone, and only in its own part. */
  letter: boolean;
  /**
   * A column header over several cells (培训项目/班次数, 培训学时): the person may mean any of them
   * or their sum, so it is always asked about, even while one of them is being asked.
   */
  header: boolean;
}

/** Text as names are compared: NFKC, lower case, 账 read as 帐 (the form writes 到帐). */
export function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/账/gu, '帐');
}

/** The question's own words: the prompt up to its colon, without 本月 / 其中. */
function questionWords(prompt: string): string {
  return (prompt.split(/[：:？?，,]/u)[0] ?? '').replace(/^(?:本月的?|其中)/u, '').trim();
}

/** 专任教师数 → 专任教师, 培训项目/班次数 → 培训项目/班次: people leave the 数 off. */
const withoutCount = (names: string[]) => [...names, ...names.filter((n) => n.endsWith('数') && n.length >= 5).map((n) => n.slice(0, -1))];

/** A cell's own names, and the column header it sits under (none for a label without ·). */
function namesOf(cell: CellDef): { own: string[]; headers: string[] } {
  const segments = cell.label.split('·').map((s) => s.trim());
  const own = withoutCount([cell.name, ...cell.aliases, cell.label, ...segments.slice(1), questionWords(cell.prompt)]);
  return { own: own.filter((n) => n.length > 0), headers: segments.length > 1 ? withoutCount([segments[0]!]) : [] };
}

const tables = new WeakMap<Form, CellName[]>();

/** Every name of the form, longest first (so 非财政 is found before 财政), built once per form. */
export function nameTable(form: Form): CellName[] {
  let table = tables.get(form);
  if (!table) {
    const byName = new Map<string, Set<CellDef>>();
    const owned = new Set<string>();
    for (const cell of form.cells) {
      const { own, headers } = namesOf(cell);
      for (const name of [...own, ...headers]) byName.set(fold(name), (byName.get(fold(name)) ?? new Set()).add(cell));
      for (const name of own) owned.add(fold(name));
    }
    table = [...byName].map(([name, cells]) => ({ name, cells: [...cells], letter: /^[a-z]$/u.test(name), header: !owned.has(name) && cells.size > 1 })).sort((a, b) => b.name.length - a.name.length || (a.name < b.name ? -1 : 1));
    tables.set(form, table);
  }
  return table;
}

export interface NameMatch {
  start: number;
  end: number;
  entry: CellName;
}

/**
 * The names in a text, longest first, never overlapping. A letter counts only standing alone
 * (not next to a letter or a digit: 3o0 is a mistyped number) and only while its part is asked.
 */
export function findNames(text: string, form: Form, part: PartDef | null): NameMatch[] {
  const folded = fold(text);
  const taken: NameMatch[] = [];
  for (const entry of nameTable(form)) {
    if (entry.letter && !(part && entry.cells.some((c) => part.cells.includes(c)))) continue;
    let from = 0;
    for (;;) {
      const at = folded.indexOf(entry.name, from);
      if (at < 0) break;
      const end = at + entry.name.length;
      from = end;
      if (entry.letter && (/[a-z0-9]/u.test(folded[at - 1] ?? '') || /[a-z0-9]/u.test(folded[end] ?? ''))) continue;
      if (taken.some((m) => at < m.end && end > m.start)) continue;
      taken.push({ start: at, end, entry });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}

/** Where a reply is read: the cell asked, its part, and the parts an open rule error names. */
export interface NameContext {
  current: CellDef | null;
  part: PartDef | null;
  errorParts: ReadonlySet<string>;
}

/**
 * The cell a name means, by fixed steps: the only one; none for a column header; the cell being asked; the one in the
 * asked cell's column group (培训学时 while hours are asked); the one in the part being asked;
 * the one in a part an open error names. Otherwise null — the reply asks which.
 */
export function resolveName(form: Form, entry: CellName, ctx: NameContext): CellDef | null {
  const cells = entry.cells;
  if (cells.length === 1) return cells[0]!;
  if (entry.header) return null;
  const { current, part } = ctx;
  if (current && cells.includes(current)) return current;
  const one = (list: readonly CellDef[]) => (list.length === 1 ? list[0]! : null);
  const group = (c: CellDef) => (c.label.includes('·') ? c.label.split('·')[0]!.trim() : null);
  const byGroup = current && group(current) ? one(cells.filter((c) => group(c) === group(current) && form.place(c.id).part === form.place(current.id).part)) : null;
  if (byGroup) return byGroup;
  const inPart = part ? one(cells.filter((c) => part.cells.includes(c))) : null;
  if (inPart) return inPart;
  return one(cells.filter((c) => ctx.errorParts.has(form.place(c.id).part.id)));
}
