import { monthLabel, parsePeriod } from '../calendar/period';
import type { Form } from './form';
import type { CellDef, PartDef } from './form-schema';
import { formatNumber as f } from '../report/number-parser';
import type { Finding } from '../report/rules';
import { totalTrainees, type Values } from '../report/values';

/** "按培训内容" from "按培训内容分培训人数（人次）": the part's short name for headers. */
export function partShort(part: PartDef): string {
  return part.title.replace(/分?培训人数（人次）$/u, '');
}

export function answeredCount(form: Form, values: Values): number {
  return form.cells.filter((c) => values[c.id] !== undefined).length;
}

export function firstUnanswered(form: Form, values: Values): CellDef | null {
  return form.cells.find((c) => values[c.id] === undefined) ?? null;
}

/**
 * The form's words with the report's month for 本月: the report covers the month before the one
 * it is filed in, so 「本月」 would name the wrong month (10月完成的培训项目, filed in November).
 */
export function ofMonth(text: string, period: string): string {
  return text.replace(/本月/gu, monthLabel(period));
}

/** A stock cell's value in the last month filed, offered as 「同上月」. */
export interface LastFiled {
  period: string;
  value: number;
}

/** The question for a cell: a header with where we are, the part's intro on its first cell, the prompt. */
export function question(form: Form, cell: CellDef, values: Values, editing: boolean, repeat: boolean, period: string, last: LastFiled | null = null): string {
  const { part, position } = form.place(cell.id);
  const header = `${editing ? '修改 · ' : ''}第 ${part.number} 部分 ${partShort(part)} · ${position}/${form.cells.length}`;
  const lines = [header];
  const firstOfPart = part.cells[0]!.id === cell.id;
  if (firstOfPart && !editing && !repeat && values[cell.id] === undefined) lines.push(ofMonth(part.intro, period));
  lines.push(ofMonth(cell.prompt, period));
  if (values[cell.id] !== undefined) lines.push(`（现在是 ${f(values[cell.id]!)} ${cell.unit}，回复新数字即可修改）`);
  else if (last) lines.push(`（${sameLabel(last.period, period)}为 ${f(last.value)} ${cell.unit}，没有变化回复「同上月」）`);
  return lines.join('\n');
}

/** The month a stock figure is carried from: 「9月」 (with its year when another year's). */
export function sameLabel(lastPeriod: string, period: string): string {
  const m = parsePeriod(lastPeriod);
  return m.year === parsePeriod(period).year ? `${m.month}月` : `${m.year}年${m.month}月`;
}

export function cellHelp(cell: CellDef, period: string): string {
  return `【${cell.label}】单位：${cell.unit}\n${ofMonth(cell.help, period)}\n例：${cell.example}\n填写中可回复：上一项、修改 项目、查看、暂停、提交。`;
}

/** A value's unit as echoes show it: only 万元 (counts read plainly). */
const unitSuffix = (c: CellDef) => (c.unit === '万元' ? ' 万元' : '');

/** Cells a name could mean, for the question which: 「16 其他（第 2 部分）、42 其他（第 5 部分）」. */
export function cellOptions(form: Form, cells: readonly CellDef[]): string {
  return cells.map((c) => `${form.place(c.id).position} ${c.name}（第 ${form.place(c.id).part.number} 部分）`).join('、');
}

/** What was understood: 「✓ 制造业 120、建筑业 30；其余 19 项记为 0」. */
export function echo(items: { cell: CellDef; value: number; note?: string }[], restZeroCount: number, partNumber?: number): string {
  const parts = items.map((i) => `${i.cell.name} ${f(i.value)}${unitSuffix(i.cell)}${i.note ? `（${i.note}）` : ''}`);
  const where = partNumber === undefined ? '' : `第 ${partNumber} 部分 `;
  const rest = restZeroCount > 0 ? `其余 ${restZeroCount} 项记为 0` : '';
  // Names such as 「交通运输、仓储和邮政业」 contain 、: then cells are set apart with ，so each reads as one.
  const sep = items.some((i) => i.cell.name.includes('、')) ? '，' : '、';
  return `✓ ${where}${[parts.join(sep), rest].filter(Boolean).join('；')}`;
}

export function findingsText(findings: Finding[]): string {
  const errors = findings.filter((x) => x.level === 'error');
  const warnings = findings.filter((x) => x.level === 'warning');
  const lines: string[] = [];
  if (errors.length) lines.push('✗ 需要更正：', ...errors.map((x) => `· ${x.message}`));
  if (warnings.length) lines.push('⚠ 请核实：', ...warnings.map((x) => `· ${x.message}`));
  return lines.join('\n');
}

/** Cells corrected outside the part being asked: 「✓ 已更正 岗前基础培训 8 → 10」. */
export function corrections(items: { cell: CellDef; old: number; value: number }[]): string {
  return `✓ 已更正 ${items.map((i) => `${i.cell.name} ${f(i.old)} → ${f(i.value)}${unitSuffix(i.cell)}`).join('；')}`;
}

/**
 * The totals a receipt and a summary show. Projects, hours and funds are read through the form
 * (the basic part's cells counted in 个, in 学时, and in 万元), so a form version that renames or drops
 * one of them still sums what it has.
 */
export function totalsText(form: Form, values: Values): string[] {
  const basic = form.hasPart('basic') ? form.part('basic').cells : [];
  const total = (keep: (c: CellDef) => boolean) => basic.filter(keep).reduce((acc, c) => acc + (values[c.id] ?? 0), 0);
  const projects = total((c) => c.unit === '个');
  const hours = total((c) => c.unit === '学时');
  const funds = Math.round(total((c) => c.kind === 'wanyuan') * 10_000) / 10_000;
  return [
    `培训人数 ${f(totalTrainees(values))} 人次（在校学生 ${f(values.trainees_students ?? 0)}，社会人员 ${f(values.trainees_public ?? 0)}），其中政府补贴性 ${f(values.trainees_subsidized ?? 0)}`,
    `培训项目 ${f(projects)} 个，学时 ${f(hours)}，到帐经费 ${f(funds)} 万元`,
    `专任教师 ${f(values.teachers_fulltime ?? 0)} 人，全日制在校学生 ${f(values.students_fulltime ?? 0)} 人`,
  ];
}

/**
 * A part's values as one line: 「财政资金项目 3，非财政资金项目 2」; a long part (the 21 industries)
 * names its non-zero cells and counts the zeros.
 */
export function partValues(part: PartDef, values: Values): string {
  const long = part.cells.length > 11;
  const filled = part.cells.filter((c) => values[c.id] !== undefined);
  const body = filled
    .filter((c) => values[c.id] !== 0 || !long)
    .map((c) => `${c.name} ${f(values[c.id]!)}${unitSuffix(c)}`)
    .join('，');
  const zeros = filled.filter((c) => values[c.id] === 0).length;
  return body + (long && zeros > 0 ? `${body ? '；' : ''}其余 ${zeros} 项为 0` : '');
}

/** A pasted row as read, part by part, for 「确认」. */
export function rowEcho(form: Form, row: Values): string[] {
  return form.parts.filter((p) => p.cells.some((c) => row[c.id] !== undefined)).map((p) => `第 ${p.number} 部分 ${partShort(p)}：${partValues(p, row)}`);
}

/** Everything entered so far, by part, then every rule's state. */
export function viewText(form: Form, values: Values, findings: Finding[], title: string): string {
  const lines = [title];
  for (const part of form.parts) {
    const filled = part.cells.filter((c) => values[c.id] !== undefined);
    lines.push(`第 ${part.number} 部分 ${partShort(part)}（${filled.length}/${part.cells.length}）：${partValues(part, values)}` + (filled.length === 0 ? '未填' : ''));
  }
  // The rules' states counted, without their codes (R1 … mean nothing to a school).
  const state = (id: string) => {
    const own = findings.filter((x) => x.rule === id);
    if (own.some((x) => x.level === 'error')) return '需更正';
    if (own.length > 0) return '请核实';
    return form.ruleReady(id, values) ? '通过' : '待填完再查';
  };
  const counts = new Map<string, number>();
  for (const r of form.def.rules) {
    const s = state(r.id);
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  lines.push(`检查 ${form.def.rules.length} 项：${['通过', '需更正', '请核实', '待填完再查'].filter((k) => counts.has(k)).map((k) => `${k} ${counts.get(k)}`).join('，')}`);
  const detail = findingsText(findings);
  if (detail) lines.push(detail);
  return lines.join('\n');
}
