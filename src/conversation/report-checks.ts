import type { Finding } from '../report/rules';
import type { Values } from '../report/values';
import type { Form } from './form';
import { replies } from './report-replies';
import { findingsText } from './report-texts';

/**
 * What to say after an answer: once a part is complete, its breakdown rules (and R10 for what
 * changed) — the ones failing, and the errors that this answer resolved. Pure.
 */
export function checksAfter(form: Form, findings: (v: Values) => Finding[], before: Values, after: Values, touched: string[]): { text: string; said: string[] } {
  const completed = form.parts.filter((p) => p.cells.every((c) => after[c.id] !== undefined) && (p.cells.some((c) => before[c.id] === undefined) || p.cells.some((c) => touched.includes(c.id))));
  const cells = completed.flatMap((p) => p.cells.map((c) => c.id));
  const rules = new Set(form.rulesTouching(cells).map((r) => r.id));
  const relevant = (x: Finding) => (rules.has(x.rule) && x.rule !== 'R10') || (x.rule === 'R10' && x.cells.some((c) => touched.includes(c)));
  const found = findings(after).filter(relevant);
  const failing = new Set(found.map((x) => x.rule));
  const resolved = [...new Set(findings(before).filter((x) => x.level === 'error' && relevant(x) && !failing.has(x.rule)).map((x) => x.rule))];
  const lines: string[] = resolved.map((id) => replies.passed(form.def.rules.find((r) => r.id === id)!.title));
  if (found.length > 0) lines.push(findingsText(found));
  const errors = found.filter((x) => x.level === 'error');
  if (errors.length > 0) lines.push(replies.fixLater(suspectCell(form, errors[0]!, touched, after)));
  return { text: lines.join('\n'), said: found.map((x) => x.message) };
}

/** The cell to suggest fixing: the largest of those just changed that the finding involves (else of all it involves). */
export function suspectCell(form: Form, finding: Finding, touched: string[], values: Values): string {
  if (finding.fix) return form.place(finding.fix).cell.name;
  const changed = finding.cells.filter((c) => touched.includes(c));
  const pool = changed.length > 0 ? changed : finding.cells;
  const largest = [...pool].sort((a, b) => (values[b] ?? 0) - (values[a] ?? 0))[0]!;
  return form.place(largest).cell.name;
}
