import type { CellDef, PartDef } from './form-schema';
import type { Form } from './form';
import { REST_ZERO } from './vocabulary';

export interface Assignment {
  cell: CellDef;
  value: number;
  note?: string;
}

export type Answer =
  /** `bare`: a value with no cell name, for the cell being asked. */
  | { kind: 'values'; assignments: Assignment[]; restZero: boolean; bare: boolean }
  | { kind: 'error'; reason: string };

interface Match {
  start: number;
  end: number;
  cell: CellDef;
}

/** Names a person may use for a cell: its name, aliases, and for industries the GB/T 4754 letter. */
function namesOf(cell: CellDef): string[] {
  return [cell.name, ...cell.aliases];
}

interface Candidate {
  name: string;
  cell: CellDef;
  isLetter: boolean;
}

// Names of a set of cells, longest first: built once per part (answers are parsed on every turn).
const candidateCache = new WeakMap<readonly CellDef[], Candidate[]>();

function candidatesOf(cells: readonly CellDef[]): Candidate[] {
  let list = candidateCache.get(cells);
  if (!list) {
    list = cells
      .flatMap((cell) => namesOf(cell).map((name) => ({ name: /^[a-z]$/iu.test(name) ? name.toLowerCase() : name, cell, isLetter: /^[a-z]$/iu.test(name) })))
      .sort((a, b) => b.name.length - a.name.length);
    candidateCache.set(cells, list);
  }
  return list;
}

/** Finds the part's cell names in the text, longest first, never overlapping; letters only standing alone. */
function findNames(text: string, cells: readonly CellDef[]): Match[] {
  const lower = text.toLowerCase();
  const taken: Match[] = [];
  for (const { name, cell, isLetter } of candidatesOf(cells)) {
    if (!(isLetter ? lower : text).includes(name)) continue;
    let from = 0;
    for (;;) {
      const at = isLetter ? lower.indexOf(name, from) : text.indexOf(name, from);
      if (at < 0) break;
      const end = at + name.length;
      from = end;
      if (isLetter && (/[a-z]/iu.test(text[at - 1] ?? '') || /[a-z]/iu.test(text[end] ?? ''))) continue;
      if (taken.some((m) => at < m.end && end > m.start)) continue;
      taken.push({ start: at, end, cell });
    }
  }
  return taken.sort((a, b) => a.start - b.start);
}

const FILLER = /^[\s,，、;；:：。=＝]*$/u;

/**
 * Reads a reply while a part is being asked: one value for the current cell, or several
 * 「name value」 pairs of this part (制造业 120 建筑业 30), with 「其余为0」 filling the part's
 * untouched cells. Names of another part are refused with a hint.
 */
export function parseAnswer(raw: string, form: Form, part: PartDef, current: CellDef): Answer {
  let text = raw.normalize('NFKC').trim();
  const restZero = REST_ZERO.test(text);
  if (restZero) text = text.replace(REST_ZERO, ' ').trim();
  const matches = findNames(text, part.cells);

  if (matches.length === 0) {
    if (text === '' || FILLER.test(text)) return restZero ? { kind: 'values', assignments: [], restZero, bare: false } : { kind: 'error', reason: '没有收到数字' };
    const elsewhere = findNames(text, otherCells(form, part));
    if (elsewhere.length > 0) {
      const other = form.place(elsewhere[0]!.cell.id).part;
      return { kind: 'error', reason: `「${elsewhere[0]!.cell.name}」是第 ${other.number} 部分的项目，现在填的是第 ${part.number} 部分（${part.title}）` };
    }
    const one = form.readValue(current, text);
    if (!one.ok) return { kind: 'error', reason: one.reason };
    return { kind: 'values', assignments: [{ cell: current, value: one.value, ...(one.note ? { note: one.note } : {}) }], restZero, bare: true };
  }

  const head = text.slice(0, matches[0]!.start);
  if (!FILLER.test(head)) return { kind: 'error', reason: `「${head.trim()}」没看懂，请写成「项目 数字」，如「${part.cells[0]!.name} 30」` };
  const assignments: Assignment[] = [];
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i]!;
    const valueText = text.slice(m.end, matches[i + 1]?.start ?? text.length).replace(/^[\s:：=＝]+|[\s,，、;；。]+$/gu, '');
    if (valueText === '') return { kind: 'error', reason: `「${m.cell.name}」后面缺少数字` };
    if (assignments.some((a) => a.cell.id === m.cell.id)) return { kind: 'error', reason: `「${m.cell.name}」填了两次` };
    const parsed = form.readValue(m.cell, valueText);
    if (!parsed.ok) return { kind: 'error', reason: `「${m.cell.name} ${valueText}」：${parsed.reason}` };
    assignments.push({ cell: m.cell, value: parsed.value, ...(parsed.note ? { note: parsed.note } : {}) });
  }
  return { kind: 'values', assignments, restZero, bare: false };
}

const othersCache = new WeakMap<PartDef, CellDef[]>();

/** The cells outside a part (by their multi-character names), for 「that belongs to part N」 hints. */
function otherCells(form: Form, part: PartDef): CellDef[] {
  let cells = othersCache.get(part);
  if (!cells) {
    cells = form.cells.filter((c) => !part.cells.includes(c) && c.name.length > 1);
    othersCache.set(part, cells);
  }
  return cells;
}

export type CellRef = { kind: 'cell'; cell: CellDef; rest: string } | { kind: 'ambiguous'; name: string; cells: CellDef[] } | { kind: 'none' };

/**
 * Finds the cell a 「修改 …」 names: by its number in the form (1–51), or by name or alias anywhere in
 * the form, longest match first; what follows the name may be a new value (「修改 制造业 150」).
 */
export function findCellRef(text: string, form: Form): CellRef {
  const t = text.normalize('NFKC').trim();
  const byNumber = /^(?:第\s*)?(\d{1,2})\s*(?:项)?(?:\s+(.*))?$/u.exec(t);
  if (byNumber) {
    const n = Number(byNumber[1]);
    if (n >= 1 && n <= form.cells.length) return { kind: 'cell', cell: form.cells[n - 1]!, rest: (byNumber[2] ?? '').trim() };
  }
  const candidates = form.cells.flatMap((cell) => namesOf(cell).map((name) => ({ name, cell })));
  const starting = candidates.filter(({ name }) => (/^[a-z]$/iu.test(name) ? new RegExp(`^${name}(?![a-z])`, 'iu').test(t) : t.startsWith(name)));
  if (starting.length > 0) {
    const longest = Math.max(...starting.map((c) => c.name.length));
    const cells = [...new Set(starting.filter((c) => c.name.length === longest).map((c) => c.cell))];
    if (cells.length > 1) return { kind: 'ambiguous', name: t.slice(0, longest), cells };
    return { kind: 'cell', cell: cells[0]!, rest: t.slice(longest).trim() };
  }
  const containing = [...new Set(candidates.filter(({ name }) => name.length > 1 && t.length > 1 && name.includes(t)).map((c) => c.cell))];
  if (containing.length === 1) return { kind: 'cell', cell: containing[0]!, rest: '' };
  if (containing.length > 1) return { kind: 'ambiguous', name: t, cells: containing };
  return { kind: 'none' };
}
