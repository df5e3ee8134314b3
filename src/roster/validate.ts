import { normalizePlace } from './places';
import type { Table, TableRow } from './read-table';
import type { School } from './roster';

export interface RowProblem {
  line: number;
  reason: string;
}

/** The items in file order, each with the line it came from (`lines[i]` is `items[i]`'s). */
export type Validated<T> = { ok: true; items: T[]; lines: number[] } | { ok: false; problems: RowProblem[] };

export interface StaffEntry {
  userId: string;
  name: string;
  role: 'province' | 'city';
  city: string | null;
  phone?: string;
}

const SCHOOL_COLUMNS = ['code', 'name', 'city', 'level', 'category', 'pilot', 'contacts'];
const STAFF_COLUMNS = ['userid', 'name', 'role', 'city'];
const USER_ID = /^[A-Za-z0-9_@.\-]{1,64}$/;
const CODE = /^[A-Za-z0-9_\-]{1,32}$/;
const CATEGORY_LEVEL: Record<string, School['level']> = { A: '高职', B: '高职', C: '中职', D: '中职' };
const YES = new Set(['是', 'y', 'yes', 'true', '1']);
/** A mainland mobile (13800000000) or a landline with its area code (0371-12345678). */
const PHONE = /^(?:1\d{10}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$/u;
const NAME_MAX = 100;

/** A name as a person wrote it: refused with a reason when it has control characters or is too long. */
function badName(value: string, what: string): string | null {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(value)) return `${what}「${value.replace(/[\u0000-\u001f\u007f-\u009f]/gu, '�')}」含有控制字符（如换行），请删去`;
  if ([...value].length > NAME_MAX) return `${what}超过 ${NAME_MAX} 个字`;
  return null;
}
const NO = new Set(['否', 'n', 'no', 'false', '0', '']);

function missingColumns(table: Table, columns: string[]): RowProblem[] {
  const missing = columns.filter((c) => !table.header.includes(c));
  return missing.length > 0 ? [{ line: 1, reason: `表头缺少列：${missing.join('、')}（应为 ${columns.join(',')}）` }] : [];
}

/** Column names as a problem says them. */
const COLUMN_WORDS: Record<string, string> = { code: '学校代码', name: '名称', city: '所在地', level: '层次', category: '类别', contacts: '填报人', contact_names: '姓名', userid: '账号', role: '角色' };

/**
 * The cells of a spreadsheet row that are not the text a column needs: a number (Excel drops
 * leading zeros: 0101 becomes 101), a date, or a formula's error. Phones and 试点 may be numbers.
 */
function typedCells(row: TableRow, say: (reason: string) => void): void {
  for (const [column, kind] of Object.entries(row.kinds ?? {})) {
    const word = COLUMN_WORDS[column];
    if (!word) continue;
    const value = row.cells[column] ?? '';
    if (kind === 'error') say(`${word}（${column}）是公式错误「${value}」，请改成文字`);
    else if (kind === 'date') say(`${word}（${column}）「${value}」是日期格式，请把这一列设为文本后重新填写`);
    else say(`${word}（${column}）「${value}」是数字格式，请把这一列设为文本后重新填写（数字格式会去掉开头的 0）`);
  }
}

/** Checks every row of schools.csv; all problems are returned at once, each with its line. */
export function validateSchools(table: Table): Validated<School> {
  const header = missingColumns(table, SCHOOL_COLUMNS);
  if (header.length > 0) return { ok: false, problems: header };
  const problems: RowProblem[] = [];
  const codes = new Map<string, number>();
  const contactOwner = new Map<string, { line: number; code: string }>();
  const schools: School[] = [];
  const lines: number[] = [];
  for (const row of table.rows) {
    const { line, cells } = row;
    const say = (reason: string) => problems.push({ line, reason });
    typedCells(row, say);
    const code = cells.code ?? '';
    if (!CODE.test(code)) say(code === '' ? '学校代码（code）为空' : `学校代码「${code}」只能包含字母、数字、-、_，最长 32 位`);
    else if (codes.has(code)) say(`学校代码「${code}」重复（第 ${codes.get(code)} 行已有）`);
    else codes.set(code, line);
    const name = cells.name ?? '';
    if (name === '') say('学校名称（name）为空');
    else {
      const bad = badName(name, '学校名称');
      if (bad) say(bad);
    }
    const city = normalizePlace(cells.city ?? '');
    if (city === null) say(`所在地「${cells.city ?? ''}」不是河南的省辖市、济源示范区或省直管县（市）`);
    const level = cells.level ?? '';
    if (level !== '高职' && level !== '中职') say(`层次「${level}」应为 高职 或 中职`);
    const category = (cells.category ?? '').toUpperCase();
    if (!(category in CATEGORY_LEVEL)) say(`类别「${cells.category ?? ''}」应为 A、B（高职）或 C、D（中职）`);
    else if ((level === '高职' || level === '中职') && CATEGORY_LEVEL[category] !== level) say(`类别 ${category} 属于${CATEGORY_LEVEL[category]}，与层次「${level}」不符`);
    const pilotRaw = (cells.pilot ?? '').toLowerCase();
    if (!YES.has(pilotRaw) && !NO.has(pilotRaw)) say(`试点（pilot）「${cells.pilot ?? ''}」应为 是 或 否`);
    const contacts = (cells.contacts ?? '').split('|').map((c) => c.trim()).filter(Boolean);
    for (const contact of contacts) {
      if (!USER_ID.test(contact)) {
        say(`填报人「${contact}」不是有效的企业微信账号（UserID）`);
        continue;
      }
      const owner = contactOwner.get(contact);
      if (owner && owner.code !== code) say(`填报人「${contact}」同时属于第 ${owner.line} 行的学校 ${owner.code}；一个账号只能对应一所学校`);
      else contactOwner.set(contact, { line, code });
    }
    // Names and phones line up with the contacts, in the same order, separated by |.
    const people: NonNullable<School['people']> = {};
    const column = (key: string) => (cells[key] ?? '').split('|').map((c) => c.trim());
    const names = column('contact_names');
    const phones = column('contact_phones');
    for (const [key, list, what] of [['contact_names', names, '姓名'], ['contact_phones', phones, '电话']] as const) {
      const given = list.filter(Boolean).length > 0;
      if (given && list.length !== contacts.length) say(`${key} 有 ${list.length} 个${what}，contacts 有 ${contacts.length} 个填报人：请按同样的顺序用 | 分隔，空着的留空`);
    }
    contacts.forEach((id, i) => {
      const name = names[i] ?? '';
      const phone = phones[i] ?? '';
      const bad = name ? badName(name, `填报人「${id}」的姓名`) : null;
      if (bad) say(bad);
      if (phone && !PHONE.test(phone.replace(/\s+/gu, ''))) say(`填报人「${id}」的电话「${phone}」不像电话号码（手机 11 位，座机如 0371-12345678）`);
      if (name || phone) people[id] = { ...(name ? { name } : {}), ...(phone ? { phone: phone.replace(/\s+/gu, '') } : {}) };
    });
    if (city !== null && (level === '高职' || level === '中职') && category in CATEGORY_LEVEL) {
      schools.push({ code, name, city, level, category: category as School['category'], pilot: YES.has(pilotRaw), contacts: [...new Set(contacts)], ...(Object.keys(people).length > 0 ? { people } : {}) });
      lines.push(line);
    }
  }
  if (table.rows.length === 0) problems.push({ line: 2, reason: '文件里没有学校' });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, items: schools, lines };
}

/** Checks every row of staff.csv. */
export function validateStaff(table: Table): Validated<StaffEntry> {
  const header = missingColumns(table, STAFF_COLUMNS);
  if (header.length > 0) return { ok: false, problems: header };
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  const staff: StaffEntry[] = [];
  const lines: number[] = [];
  for (const row of table.rows) {
    const { line, cells } = row;
    const say = (reason: string) => problems.push({ line, reason });
    typedCells(row, say);
    const userId = cells.userid ?? '';
    if (!USER_ID.test(userId)) say(userId === '' ? '账号（userid）为空' : `「${userId}」不是有效的企业微信账号（UserID）`);
    else if (seen.has(userId)) say(`账号「${userId}」重复（第 ${seen.get(userId)} 行已有）`);
    else seen.set(userId, line);
    const name = cells.name ?? '';
    if (name === '') say('姓名（name）为空');
    else {
      const bad = badName(name, '姓名');
      if (bad) say(bad);
    }
    const phone = (cells.phone ?? '').replace(/\s+/gu, '');
    if (phone && !PHONE.test(phone)) say(`电话「${cells.phone}」不像电话号码（手机 11 位，座机如 0371-12345678）`);
    const role = cells.role ?? '';
    const rawCity = cells.city ?? '';
    let city: string | null = null;
    if (role === 'city') {
      city = normalizePlace(rawCity);
      if (rawCity === '') say('市级人员（role=city）必须填写所在地（city）');
      else if (city === null) say(`所在地「${rawCity}」不是河南的省辖市、济源示范区或省直管县（市）`);
    } else if (role === 'province') {
      if (rawCity !== '') say('省级人员（role=province）的所在地（city）应留空');
    } else {
      say(`角色「${role}」应为 province（省级）或 city（市级）`);
    }
    if ((role === 'province' && rawCity === '') || (role === 'city' && city !== null)) {
      staff.push({ userId, name, role, city, ...(phone ? { phone } : {}) });
      lines.push(line);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, items: staff, lines };
}

export function formatProblems(file: string, problems: RowProblem[]): string {
  return [`${file} 有 ${problems.length} 处问题，未做任何更改：`, ...problems.map((p) => `  第 ${p.line} 行：${p.reason}`)].join('\n');
}
