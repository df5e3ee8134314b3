import type { CellDef, PartDef } from './form-schema';
import type { Form } from './form';
import { REST_ZERO } from './vocabulary';
import { cellOptions } from './report-texts';
import { findNames, fold, nameTable, resolveName, type NameContext } from './cell-names';

export type { NameContext } from './cell-names';

export interface Assignment {
  cell: CellDef;
  value: number;
  note?: string;
}

export type Answer =
  /** `bare`: a value with no cell name, for the cell being asked. */
  | { kind: 'values'; assignments: Assignment[]; restZero: boolean; bare: boolean }
  /** `which`: the reply named cells ambiguously; the question is which, not for a number. */
  | { kind: 'error'; reason: string; which?: true };

const FILLER = /^[\s,，、;；:：。=＝]*$/u;

/** The names a person can use in a part, as the bot suggests them: each cell's shortest own name. */
function namesHint(part: PartDef): string {
  const shortest = (c: CellDef) => [c.name, ...c.aliases].filter((n) => n.length > 1).sort((a, b) => a.length - b.length)[0] ?? c.name;
  return part.cells.slice(0, 6).map(shortest).join('、') + (part.cells.length > 6 ? ' 等' : '');
}

/** 「其他」 fits several cells: which ones, with their numbers, to say in the question. */
function whichOf(form: Form, name: string, cells: readonly CellDef[]): string {
  return `「${name}」可以指：${cellOptions(form, cells)}。请用「修改 编号 数字」写明，如「修改 ${form.place(cells[0]!.id).position} 10」`;
}

/**
 * Reads a reply while the report is being filled: one value for the cell being asked, or several
 * 「name value」 pairs naming cells anywhere in the form (制造业 120 建筑业 30; 岗前基础培训 10 in
 * part 3 corrects part 2), with 「其余为0」 filling the asked part's untouched cells. A name that
 * fits several cells is resolved by `resolveName`, or asked about — never guessed.
 */
export function parseAnswer(raw: string, form: Form, ctx: NameContext): Answer {
  let text = raw.normalize('NFKC').trim();
  const restZero = REST_ZERO.test(text);
  if (restZero) text = text.replace(REST_ZERO, ' ').trim();
  const matches = findNames(text, form, ctx.part);
  const { current } = ctx;

  if (matches.length === 0) {
    if (text === '' || FILLER.test(text)) return restZero ? { kind: 'values', assignments: [], restZero, bare: false } : { kind: 'error', reason: '没有收到数字' };
    if (current === null) return { kind: 'values', assignments: [], restZero: false, bare: true };
    const one = form.readValue(current, text);
    if (!one.ok) return { kind: 'error', reason: one.reason };
    return { kind: 'values', assignments: [{ cell: current, value: one.value, ...(one.note ? { note: one.note } : {}) }], restZero, bare: true };
  }

  // 「10月培训到帐经费 12.5」: the month the question names may be said before the name.
  const head = text.slice(0, matches[0]!.start).replace(/^\s*\d{1,2}\s*月份?的?/u, '');
  if (!FILLER.test(head)) {
    const example = ctx.part ? `，如「${ctx.part.cells[0]!.name} 30」；本部分可写：${namesHint(ctx.part)}` : '';
    return { kind: 'error', reason: `「${head.trim()}」没看懂，请写成「项目 数字」${example}` };
  }
  const assignments: Assignment[] = [];
  for (let i = 0; i < matches.length; i++) {
    const m = matches[i]!;
    const said = text.slice(m.start, m.end);
    const cell = resolveName(form, m.entry, ctx);
    if (cell === null) return { kind: 'error', reason: whichOf(form, said, m.entry.cells), which: true };
    const valueText = text.slice(m.end, matches[i + 1]?.start ?? text.length).replace(/^[\s:：=＝]+|[\s,，、;；。]+$/gu, '');
    if (valueText === '') return { kind: 'error', reason: `「${said}」后面缺少数字` };
    if (assignments.some((a) => a.cell.id === cell.id)) return { kind: 'error', reason: `「${cell.name}」填了两次` };
    const parsed = form.readValue(cell, valueText);
    if (!parsed.ok) return { kind: 'error', reason: `「${said} ${valueText}」：${parsed.reason}` };
    assignments.push({ cell, value: parsed.value, ...(parsed.note ? { note: parsed.note } : {}) });
  }
  return { kind: 'values', assignments, restZero, bare: false };
}

export type CellRef = { kind: 'cell'; cell: CellDef; rest: string } | { kind: 'ambiguous'; name: string; cells: readonly CellDef[] } | { kind: 'none' };

/**
 * Finds the cell a 「修改 …」 names: by its number in the form (1–51), or by a name from the form's
 * table, longest first, resolved as an answer's names are (修改 其他 in part 2 means part 2's);
 * what follows the name may be a new value (「修改 制造业 150」).
 */
export function findCellRef(text: string, form: Form, ctx: NameContext = { current: null, part: null, errorParts: new Set() }): CellRef {
  const t = text.normalize('NFKC').trim();
  const byNumber = /^(?:第\s*)?(\d{1,2})\s*(?:项)?(?:\s+(.*))?$/u.exec(t);
  if (byNumber) {
    const n = Number(byNumber[1]);
    if (n >= 1 && n <= form.cells.length) return { kind: 'cell', cell: form.cells[n - 1]!, rest: (byNumber[2] ?? '').trim() };
  }
  const folded = fold(t);
  const table = nameTable(form);
  const starting = table.find((e) => (e.letter ? new RegExp(`^${e.name}(?![a-z0-9])`, 'u').test(folded) : folded.startsWith(e.name)));
  if (starting) {
    const said = t.slice(0, starting.name.length);
    const cell = resolveName(form, starting, ctx);
    if (cell === null) return { kind: 'ambiguous', name: said, cells: starting.cells };
    return { kind: 'cell', cell, rest: t.slice(starting.name.length).trim() };
  }
  const containing = [...new Set(table.filter((e) => e.name.length > 1 && folded.length > 1 && e.name.includes(folded)).flatMap((e) => e.cells))];
  if (containing.length === 1) return { kind: 'cell', cell: containing[0]!, rest: '' };
  if (containing.length > 1) return { kind: 'ambiguous', name: t, cells: containing };
  return { kind: 'none' };
}
