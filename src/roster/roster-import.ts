import type { SchoolIndex, Store } from '../store/store';
import { readTable } from './read-table';
import type { School } from './roster';
import { formatProblems, validateSchools, validateStaff, type RowProblem, type StaffEntry } from './validate';

/** What an import would change, and the full next state it writes. */
export interface ImportPlan {
  kind: 'schools' | 'staff';
  added: string[];
  changed: string[];
  removed: string[];
  /** School contacts who gain or lose access (schools import only). */
  contactsAdded: string[];
  contactsRemoved: string[];
  write: { schools: Record<string, string>; members: Record<string, string>; index: SchoolIndex } | { staff: Record<string, string> };
}

export type ImportResult = { ok: true; plan: ImportPlan } | { ok: false; message: string; problems: RowProblem[] };

function diff(before: Record<string, string>, after: Record<string, string>) {
  return {
    added: Object.keys(after).filter((k) => !(k in before)).sort(),
    changed: Object.keys(after).filter((k) => k in before && before[k] !== after[k]).sort(),
    removed: Object.keys(before).filter((k) => !(k in after)).sort(),
  };
}

function schoolsWrite(schools: School[]) {
  const bySchool: Record<string, string> = {};
  const members: Record<string, string> = {};
  const index: SchoolIndex = { byCity: {}, byCategory: {} };
  for (const school of schools) {
    bySchool[school.code] = JSON.stringify(school);
    for (const userId of school.contacts) members[userId] = JSON.stringify({ userId, role: 'school', school: school.code });
    (index.byCity[school.city] ??= []).push(school.code);
    (index.byCategory[school.category] ??= []).push(school.code);
  }
  return { schools: bySchool, members, index };
}

/** Reads and checks a roster file and plans the import; nothing is written. */
export async function planImport(store: Store, kind: 'schools' | 'staff', fileName: string, data: Buffer): Promise<ImportResult> {
  const table = await readTable(fileName, data);
  const current = await store.readRoster();
  if (kind === 'schools') {
    const checked = validateSchools(table);
    if (!checked.ok) return { ok: false, message: formatProblems(fileName, checked.problems), problems: checked.problems };
    const write = schoolsWrite(checked.items);
    const schools = diff(current.schools, write.schools);
    const contacts = diff(current.members, write.members);
    return { ok: true, plan: { kind, ...schools, contactsAdded: contacts.added, contactsRemoved: contacts.removed, write } };
  }
  const checked = validateStaff(table);
  if (!checked.ok) return { ok: false, message: formatProblems(fileName, checked.problems), problems: checked.problems };
  const staff = Object.fromEntries(checked.items.map((s: StaffEntry) => [s.userId, JSON.stringify({ userId: s.userId, role: s.role, name: s.name, ...(s.city ? { city: s.city } : {}) })]));
  return { ok: true, plan: { kind, ...diff(current.staff, staff), contactsAdded: [], contactsRemoved: [], write: { staff } } };
}

/** Writes a planned import (all at once) and records it in the audit log. */
export async function applyImport(store: Store, plan: ImportPlan, by: string, now: Date): Promise<void> {
  if ('staff' in plan.write) await store.replaceStaff(plan.write.staff);
  else {
    await store.replaceSchools(plan.write.schools, plan.write.members, plan.write.index);
    // The first roster sets where the deployment's records begin (see calendar/deployment.ts).
    await store.startCalendar(now.getTime());
  }
  await store.appendAudit({
    action: plan.kind === 'schools' ? 'roster-import' : 'staff-import',
    by,
    at: String(now.getTime()),
    added: String(plan.added.length),
    changed: String(plan.changed.length),
    removed: String(plan.removed.length),
  });
}

/** What an import adds, changes and removes, for the operator. */
export function summarizeImport(plan: ImportPlan, dryRun: boolean): string {
  const noun = plan.kind === 'schools' ? '学校' : '工作人员';
  const list = (xs: string[]) => (xs.length === 0 ? '' : `：${xs.slice(0, 20).join('、')}${xs.length > 20 ? ` 等 ${xs.length} 个` : ''}`);
  const lines = [
    `${dryRun ? '（试运行，未做更改）' : '已导入。'}${noun}：新增 ${plan.added.length}，变更 ${plan.changed.length}，删除 ${plan.removed.length}，不变 ${Object.keys('staff' in plan.write ? plan.write.staff : plan.write.schools).length - plan.added.length - plan.changed.length}`,
  ];
  if (plan.added.length) lines.push(`  新增${list(plan.added)}`);
  if (plan.changed.length) lines.push(`  变更${list(plan.changed)}`);
  if (plan.removed.length) lines.push(`  删除${list(plan.removed)}`);
  if (plan.kind === 'schools') {
    lines.push(`填报人：新增 ${plan.contactsAdded.length}，移除 ${plan.contactsRemoved.length}${plan.contactsRemoved.length ? '（移除的账号即刻失去填报权限，学校草稿保留）' : ''}`);
    if (plan.contactsRemoved.length) lines.push(`  移除${list(plan.contactsRemoved)}`);
  }
  return lines.join('\n');
}
