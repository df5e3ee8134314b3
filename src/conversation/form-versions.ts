import { formatNumber } from '../report/number-parser';
import type { Draft, Report } from '../report/records';
import type { Values } from '../report/values';
import type { Form, ValuesMigration } from './form';

/** A draft as the current form reads it. */
export interface DraftReading {
  draft: Draft | null;
  /** What to tell the contact about the form having changed under their draft (null: nothing changed). */
  notice: string | null;
  /** The stored draft cannot be read in this form and is to be discarded. */
  stale: boolean;
}

/**
 * A draft made with another version of the form, read in this one: migrated through the form's
 * explicit map (renamed cells kept, removed ones dropped and named), or — where the form knows no
 * way from that version — given up, with a clear word, rather than misread.
 */
export function readDraft(form: Form, draft: Draft | null): DraftReading {
  if (draft === null || draft.form === form.version) return { draft, notice: null, stale: false };
  const moved = form.migrateValues(draft.values, draft.form);
  if (moved === null) {
    const filled = Object.keys(draft.values).length;
    return { draft: null, notice: `月报表格已更新为第 ${form.version} 版，之前按第 ${draft.form} 版填写的 ${filled} 项无法对应到新表，之前的草稿已作废，需要重新填写。`, stale: true };
  }
  return { draft: { ...draft, form: form.version, values: moved.values }, notice: migratedNotice(form, moved), stale: false };
}

/** A report as the current form reads it: its values in this form's cells (the rules and the export read these). */
export function readReport(form: Form, report: Report): Report {
  if (report.form === form.version) return report;
  return { ...report, form: form.version, values: reportValues(form, report) };
}

/** A report's values in this form's cells: migrated, or (no way known) only the cells this form still has. */
export function reportValues(form: Form, report: Report): Values {
  if (report.form === form.version) return report.values;
  const moved = form.migrateValues(report.values, report.form);
  if (moved) return moved.values;
  return Object.fromEntries(Object.entries(report.values).filter(([id]) => form.hasCell(id)));
}

function migratedNotice(form: Form, m: ValuesMigration): string {
  const parts: string[] = [];
  if (m.renamed.length > 0) parts.push(`${m.renamed.map((id) => `「${form.place(id).cell.name}」`).join('')}已按新表的名称保留`);
  if (m.removed.length > 0) parts.push(`${m.removed.map((r) => `「${r.name}」（原填 ${formatNumber(r.value)}）`).join('')}新表不再填报，已去掉`);
  return `月报表格已更新为第 ${form.version} 版：${parts.length > 0 ? `${parts.join('；')}；` : ''}其余已填数据不变。`;
}
