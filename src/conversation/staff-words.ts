import { normalizePlace } from '../roster/places';
import { periodOf, shiftPeriod, parsePeriod, type Period } from '../calendar/period';

/** A filter on schools: a place, a category, or both. */
export interface SchoolFilter {
  city?: string;
  category?: 'A' | 'B' | 'C' | 'D';
}

export type StaffCommand =
  | { kind: 'progress' }
  | { kind: 'owing'; filter: SchoolFilter; page: number }
  | { kind: 'lookup'; query: string }
  | { kind: 'nudge'; filter: SchoolFilter }
  | { kind: 'unlock'; query: string; period: Period | null; periodText: string }
  | { kind: 'export'; period: Period | null; periodText: string }
  | { kind: 'broadcast' }
  | { kind: 'confirm' }
  | { kind: 'help' }
  | { kind: 'bad-filter'; word: string }
  | { kind: 'unknown' };

const HEADS: [RegExp, StaffCommand['kind'] | 'broadcast' | 'export'][] = [
  [/^(?:进度|查询进度|统计|报送情况)$/u, 'progress'],
  [/^(?:未报|未报学校|没报)(?:\s+(.*))?$/u, 'owing'],
  [/^(?:催报|催办|提醒)(?:\s+(.*))?$/u, 'nudge'],
  [/^(?:查|查询|查学校)\s*(.+)$/u, 'lookup'],
  [/^(?:解锁|重新打开|退回)\s*(.+)$/u, 'unlock'],
  [/^(?:广播|群发|发通知)$/u, 'broadcast'],
  [/^(?:导出|下载)(?:\s+(.*))?$/u, 'export'],
  [/^(?:帮助|帮忙|说明|菜单|help|\?|？)$/u, 'help'],
  [/^(?:确认|确定|发送|是|好)$/u, 'confirm'],
];

/** Reads a filter: a place (郑州, 郑州市, 济源) and/or a category (A, A类); returns null on a word it does not know. */
export function parseFilter(words: string[]): SchoolFilter | { unknown: string } {
  const filter: SchoolFilter = {};
  for (const word of words) {
    const cat = /^([abcd])类?$/iu.exec(word);
    if (cat) {
      filter.category = cat[1]!.toUpperCase() as SchoolFilter['category'];
      continue;
    }
    const place = normalizePlace(word);
    if (place) {
      filter.city = place;
      continue;
    }
    return { unknown: word };
  }
  return filter;
}

/** 2026-10, 2026年10月, 10月 (the latest such month up to `current`). */
export function parsePeriodWord(word: string, current: Period): Period | null {
  const full = /^(\d{4})[-年./](\d{1,2})月?$/u.exec(word);
  if (full) {
    const month = Number(full[2]);
    return month >= 1 && month <= 12 ? periodOf(Number(full[1]), month) : null;
  }
  const monthOnly = /^(\d{1,2})月$/u.exec(word);
  if (monthOnly) {
    const month = Number(monthOnly[1]);
    if (month < 1 || month > 12) return null;
    const { year } = parsePeriod(current);
    const candidate = periodOf(year, month);
    return candidate > current ? shiftPeriod(candidate, -12) : candidate;
  }
  return null;
}

/** What a staff member's message asks for. `current`: the period filing is about now. */
export function parseStaffCommand(normalized: string, current: Period): StaffCommand {
  for (const [re, kind] of HEADS) {
    const m = re.exec(normalized);
    if (!m) continue;
    const rest = (m[1] ?? '').trim();
    const words = rest === '' ? [] : rest.split(' ');
    switch (kind) {
      case 'progress':
        return { kind };
      case 'help':
      case 'confirm':
        return { kind };
      case 'broadcast':
        return { kind: 'broadcast' };
      case 'export':
        return { kind: 'export', period: rest === '' ? current : parsePeriodWord(rest, current), periodText: rest };
      case 'lookup':
        return { kind, query: rest };
      case 'unlock': {
        const last = words[words.length - 1] ?? '';
        const period = words.length > 1 ? parsePeriodWord(last, current) : null;
        return { kind, query: words.length > 1 ? words.slice(0, -1).join(' ') : rest, period, periodText: words.length > 1 ? last : '' };
      }
      case 'owing':
      case 'nudge': {
        const page = kind === 'owing' && /^\d+$/.test(words[words.length - 1] ?? '') ? Number(words.pop()) : 1;
        const filter = parseFilter(words);
        if ('unknown' in filter) return { kind: 'bad-filter', word: filter.unknown };
        return kind === 'owing' ? { kind, filter, page } : { kind, filter };
      }
    }
  }
  return { kind: 'unknown' };
}
