import type { Finding } from '../report/rules';
import type { Values } from '../report/values';
import type { Form } from './form';
import { replies } from './report-replies';
import { findingsText } from './report-texts';

/**
 * What to say after an answer: once a part is complete, its breakdown rules (and R10 for what
 * changed) — the ones failing, and the errors that this answer resolved. Pure.
 */
export function checksAfter(form: Form, findings: (v: Values) => Finding[], before: Values, after: Values, touched: string[], shown: ReadonlySet<string>): { text: string; said: Finding[] } {
  const completed = form.parts.filter((p) => p.cells.every((c) => after[c.id] !== undefined) && (p.cells.some((c) => before[c.id] === undefined) || p.cells.some((c) => touched.includes(c.id))));
  const cells = completed.flatMap((p) => p.cells.map((c) => c.id));
  const rules = new Set(form.rulesTouching(cells).map((r) => r.id));
  const relevant = (x: Finding) => (rules.has(x.rule) && x.rule !== 'R10') || (x.rule === 'R10' && x.cells.some((c) => touched.includes(c)));
  const all = findings(after).filter(relevant);
  const failing = new Set(all.map((x) => x.rule));
  // A warning already said (the same words, so the same numbers) is not said again.
  const found = all.filter((x) => x.level === 'error' || !shown.has(x.message));
  const resolved = [...new Set(findings(before).filter((x) => x.level === 'error' && relevant(x) && !failing.has(x.rule)).map((x) => x.rule))];
  const lines: string[] = resolved.map((id) => replies.passed(form.def.rules.find((r) => r.id === id)!.title));
  if (found.length > 0) lines.push(findingsText(found));
  const errors = found.filter((x) => x.level === 'error');
  if (errors.length > 0) lines.push(replies.fixLater(fixHint(form, errors[0]!)));
  return { text: lines.join('\n'), said: found };
}

/**
 * Where to look for the fix: the cell, when the rule can tell which (补贴性人数 above the total is
 * the 补贴性 cell); else the cells that make up the sum, since any of them may be the wrong one.
 */
export function fixHint(form: Form, finding: Finding): string {
  if (finding.fix) return `如「修改 ${form.place(finding.fix).cell.name}」`;
  // A part the sum takes whole is named by its number when long; otherwise its cells by name.
  const parts = form.parts.filter((p) => p.cells.some((c) => finding.cells.includes(c.id)));
  const listed = parts
    .map((p) => {
      const covered = p.cells.filter((c) => finding.cells.includes(c.id));
      return covered.length === p.cells.length && covered.length > 4 ? `第 ${p.number} 部分各项` : covered.map((c) => c.name).join('、');
    })
    .join('，或');
  return `可能是：${listed}`;
}
