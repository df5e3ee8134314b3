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
  /** 通过 / 退回 a school's report (退回 with its reason; none given: the old 退回 = 解锁, explained). */
  | { kind: 'review'; decision: 'approve' | 'return'; query: string; period: Period | null; periodText: string; reason: string }
  /** 待审: the filed reports in scope that nobody has reviewed yet. */
  | { kind: 'pending'; filter: SchoolFilter; page: number }
  /** 查 学校 历史 [页]. */
  | { kind: 'history'; query: string; page: number }
  /** 广播记录: the recent broadcasts with their delivery; 撤回 [N]: recall one (the latest, or number N of that list). */
  | { kind: 'broadcasts' }
  | { kind: 'recall'; number: number | null }
  | { kind: 'export'; period: Period | null; periodText: string }
  | { kind: 'broadcast' }
  | { kind: 'confirm' }
  | { kind: 'help' }
  | { kind: 'bad-filter'; word: string }
  | { kind: 'unknown' };

const HEADS: [RegExp, StaffCommand['kind'] | 'approve' | 'return'][] = [
  [/^(?:进度|查询进度|统计|报送情况)$/u, 'progress'],
  [/^(?:未报|未报学校|没报)(?:\s+(.*))?$/u, 'owing'],
  [/^(?:催报|催办|提醒)(?:\s+(.*))?$/u, 'nudge'],
  [/^(?:查|查询|查学校)\s*(.+?)\s+(?:历史|记录|修改记录)(?:\s+(\d+))?$/u, 'history'],
  [/^(?:查|查询|查学校)\s*(.+)$/u, 'lookup'],
  [/^(?:解锁|重新打开)\s*(.+)$/u, 'unlock'],
  [/^(?:通过|审核通过|批准)\s*(.+)$/u, 'approve'],
  [/^(?:退回|驳回)\s*(.+)$/u, 'return'],
  [/^(?:待审|待审核|未审)(?:\s+(.*))?$/u, 'pending'],
  [/^(?:广播|群发|发通知)$/u, 'broadcast'],
  [/^(?:广播记录|广播历史|通知记录)$/u, 'broadcasts'],
  [/^(?:撤回|撤回广播|撤销广播)(?:\s*第?\s*(\d+)\s*条?)?$/u, 'recall'],
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
      case 'broadcasts':
        return { kind };
      case 'recall':
        return { kind, number: m[1] ? Number(m[1]) : null };
      case 'export':
        return { kind: 'export', period: rest === '' ? current : parsePeriodWord(rest, current), periodText: rest };
      case 'lookup':
        return { kind, query: rest };
      case 'history':
        return { kind, query: rest, page: m[2] ? Number(m[2]) : 1 };
      case 'approve':
      case 'return': {
        // 退回 学校 [月份] 原因: the month, when the second word is one; the rest is the reason.
        const period = words.length > 1 ? parsePeriodWord(words[1]!, current) : null;
        const periodText = period !== null ? words[1]! : '';
        const reason = words.slice(period !== null ? 2 : 1).join(' ');
        return { kind: 'review', decision: kind === 'approve' ? 'approve' : 'return', query: words[0] ?? '', period, periodText, reason };
      }
      case 'unlock': {
        const last = words[words.length - 1] ?? '';
        const period = words.length > 1 ? parsePeriodWord(last, current) : null;
        return { kind, query: words.length > 1 ? words.slice(0, -1).join(' ') : rest, period, periodText: words.length > 1 ? last : '' };
      }
      case 'owing':
      case 'pending':
      case 'nudge': {
        const page = kind !== 'nudge' && /^\d+$/.test(words[words.length - 1] ?? '') ? Number(words.pop()) : 1;
        const filter = parseFilter(words);
        if ('unknown' in filter) return { kind: 'bad-filter', word: filter.unknown };
        return kind === 'nudge' ? { kind, filter } : { kind, filter, page };
      }
    }
  }
  return { kind: 'unknown' };
}
