import { schoolCodec, staffCodec } from '../store/codecs';
import type { AuditLog } from '../store/audit-log';
import type { Markers } from '../store/markers';
import { rosterDerived, type RosterStore } from '../store/roster-store';
import { readTable } from '../roster/read-table';
import type { School, StaffMember } from '../roster/roster';
import { formatProblems, validateSchools, validateStaff, type RowProblem, type StaffEntry } from '../roster/validate';

/** What an import would change, and the full next state it writes. */
export interface ImportPlan {
  kind: 'schools' | 'staff';
  added: string[];
  changed: string[];
  removed: string[];
  /** School contacts who gain or lose access (schools import only). */
  contactsAdded: string[];
  contactsRemoved: string[];
  write: { schools: School[] } | { staff: StaffMember[] };
  /** Every UserID in the file with its line, to check against WeCom's address book. */
  accounts: { userId: string; line: number }[];
}

export type ImportResult = { ok: true; plan: ImportPlan } | { ok: false; message: string; problems: RowProblem[] };

/** The ports an import reads and writes. */
export interface ImportPorts {
  roster: RosterStore;
  markers: Markers;
  audit: AuditLog;
}

/** Keys added, changed (by their encoded value) and removed between two states. */
function diff(before: Record<string, string>, after: Record<string, string>) {
  return {
    added: Object.keys(after).filter((k) => !(k in before)).sort(),
    changed: Object.keys(after).filter((k) => k in before && before[k] !== after[k]).sort(),
    removed: Object.keys(before).filter((k) => !(k in after)).sort(),
  };
}

const encoded = <T>(items: Record<string, T>, encode: (t: T) => string) => Object.fromEntries(Object.entries(items).map(([k, v]) => [k, encode(v)]));

function staffMember(s: StaffEntry): StaffMember {
  const phone = s.phone ? { phone: s.phone } : {};
  return s.role === 'city' ? { userId: s.userId, role: 'city', name: s.name, city: s.city!, ...phone } : { userId: s.userId, role: 'province', name: s.name, ...phone };
}

/** Reads and checks a roster file and plans the import; nothing is written. */
export async function planImport(ports: Pick<ImportPorts, 'roster'>, kind: 'schools' | 'staff', fileName: string, data: Buffer): Promise<ImportResult> {
  const table = await readTable(fileName, data);
  const current = await ports.roster.read();
  if (kind === 'schools') {
    const checked = validateSchools(table);
    if (!checked.ok) return { ok: false, message: formatProblems(fileName, checked.problems), problems: checked.problems };
    const next = Object.fromEntries(checked.items.map((s) => [s.code, s]));
    const schools = diff(encoded(current.schools, schoolCodec.encode), encoded(next, schoolCodec.encode));
    const contacts = diff(current.contacts, rosterDerived(checked.items).contacts);
    const accounts = checked.items.flatMap((school, i) => school.contacts.map((userId) => ({ userId, line: checked.lines[i]! })));
    return { ok: true, plan: { kind, ...schools, contactsAdded: contacts.added, contactsRemoved: contacts.removed, write: { schools: checked.items }, accounts } };
  }
  const checked = validateStaff(table);
  if (!checked.ok) return { ok: false, message: formatProblems(fileName, checked.problems), problems: checked.problems };
  const staff = checked.items.map(staffMember);
  const changes = diff(encoded(current.staff, staffCodec.encode), encoded(Object.fromEntries(staff.map((s) => [s.userId, s])), staffCodec.encode));
  return { ok: true, plan: { kind, ...changes, contactsAdded: [], contactsRemoved: [], write: { staff }, accounts: staff.map((m, i) => ({ userId: m.userId, line: checked.lines[i]! })) } };
}

/** Writes a planned import (all at once) and records it in the audit log. */
export async function applyImport(ports: ImportPorts, plan: ImportPlan, by: string, now: Date): Promise<void> {
  if ('staff' in plan.write) await ports.roster.replaceStaff(plan.write.staff);
  else {
    await ports.roster.replaceSchools(plan.write.schools);
    // The first roster sets where the deployment's records begin (see calendar/deployment.ts).
    await ports.markers.startCalendar(now.getTime());
  }
  await ports.audit.append({
    action: plan.kind === 'schools' ? 'roster-import' : 'staff-import',
    by,
    at: now.getTime(),
    added: plan.added.length,
    changed: plan.changed.length,
    removed: plan.removed.length,
  });
}

/** What an import adds, changes and removes, for the operator. */
export function summarizeImport(plan: ImportPlan, dryRun: boolean): string {
  const noun = plan.kind === 'schools' ? '学校' : '工作人员';
  const list = (xs: string[]) => (xs.length === 0 ? '' : `：${xs.slice(0, 20).join('、')}${xs.length > 20 ? ` 等 ${xs.length} 个` : ''}`);
  const lines = [
    `${dryRun ? '（试运行，未做更改）' : '已导入。'}${noun}：新增 ${plan.added.length}，变更 ${plan.changed.length}，删除 ${plan.removed.length}，不变 ${('staff' in plan.write ? plan.write.staff : plan.write.schools).length - plan.added.length - plan.changed.length}`,
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
