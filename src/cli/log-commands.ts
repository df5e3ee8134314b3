import { HISTORY_WORD } from '../conversation/history-text';
import { DateTime } from 'luxon';
import type { Form } from '../conversation/form';
import { formatNumber as f } from '../report/number-parser';
import type { AuditEntry, AuditLog } from '../store/audit-log';
import type { RecordsStore } from '../store/records-store';
import type { Roster, RosterStore } from '../store/roster-store';

type Ports = { roster: RosterStore; records: RecordsStore; audit: AuditLog };

const AUDIT_ACTION: Record<string, string> = {
  'roster-import': '导入学校名单',
  'staff-import': '导入工作人员名单',
  export: '导出',
  nudge: '催报',
  broadcast: '广播',
  reopen: '解锁',
  approve: '审核通过',
  return: '审核退回',
};


const stamp = (at: number, zone: string) => DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm');

/** A person as the roster names them: the name with the UserID, or the UserID alone. */
function who(roster: Roster, userId: string): string {
  if (userId === 'system') return '系统';
  const name = roster.staff[userId]?.name;
  if (name) return `${name}（${userId}）`;
  const code = roster.contacts[userId];
  if (code) return `${roster.schools[code]?.name ?? code} 联系人 ${userId}`;
  return userId;
}

/** The entry's own details (everything past what, who, when), as `key=value`. */
function details(entry: AuditEntry): string {
  const { action: _a, by: _b, at: _t, ...rest } = entry;
  return Object.entries(rest)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** `audit [--limit N] [--action A]`: the newest staff and operator actions, oldest first. */
export async function auditLog(ports: Ports, opts: { limit: number; action?: string; timezone: string }, print: (line: string) => void): Promise<number> {
  // With a filter, read wider so that the newest N of that action are found among other actions.
  const entries = (await ports.audit.read(opts.action ? undefined : opts.limit)).filter((e) => !opts.action || e.action === opts.action).slice(-opts.limit);
  if (entries.length === 0) {
    print(opts.action ? `审计日志里没有「${opts.action}」的记录。` : '审计日志还是空的。');
    return 0;
  }
  const roster = await ports.roster.read();
  print(`最近 ${entries.length} 条操作记录（时间 · 操作 · 操作人 · 内容）：`);
  for (const e of entries) print(`  ${stamp(e.at, opts.timezone)} · ${AUDIT_ACTION[e.action] ?? e.action} · ${who(roster, e.by)} · ${details(e)}`);
  return 0;
}

/** `history <school> [--limit N]`: a school's submissions, changes, reopenings and defaults, oldest first. */
export async function schoolHistory(ports: Ports, form: Form, code: string, opts: { limit: number; timezone: string }, print: (line: string) => void): Promise<number> {
  const roster = await ports.roster.read();
  const school = roster.schools[code];
  if (!school) {
    print(`名单里没有代码为「${code}」的学校。`);
    return 1;
  }
  const entries = await ports.records.history(code, opts.limit);
  if (entries.length === 0) {
    print(`${school.name}（${code}）还没有任何填报记录。`);
    return 0;
  }
  const label = (id: string) => (form.hasCell(id) ? form.place(id).cell.label : id);
  print(`${school.name}（${code}）最近 ${entries.length} 条记录：`);
  for (const h of entries) {
    const cells = h.cells.map((c) => `${label(c.id)} ${c.old === null ? '空' : f(c.old)}→${c.new === null ? '空' : f(c.new)}`);
    const shown = cells.slice(0, 8).join('，') + (cells.length > 8 ? ` 等 ${cells.length} 项` : '');
    print(`  ${stamp(h.at, opts.timezone)} · ${h.period} · ${HISTORY_WORD[h.type]} · ${who(roster, h.by)}${shown ? ` · ${shown}` : ''}`);
  }
  return 0;
}
