import { monthLabel, timeLabel, type PeriodCalendar } from '../calendar/period';
import { formatNumber as f } from '../report/number-parser';
import type { HistoryEntry } from '../report/records';
import { STATUS_LABEL } from '../report/status';

/** What each kind of history entry is called. */
export const HISTORY_WORD: Record<HistoryEntry['type'], string> = {
  submit: '提交',
  edit: '修改',
  reopen: '重新打开',
  discard: '放弃草稿',
  default: '零申报（到期未报）',
  approve: '审核通过',
  return: '退回',
};

/** How a history entry names people and cells: resolved by the caller (names from the roster, labels from the form). */
export interface HistoryNames {
  person: (userId: string) => string;
  cell: (id: string) => string;
}

/** At most this many changed cells are spelled out in one line. */
const CELLS_SHOWN = 6;

/** One entry as a line: when, who, what, and the cells old → new. */
export function historyLine(h: HistoryEntry, names: HistoryNames, cal: PeriodCalendar): string {
  const who = h.by === 'system' ? '系统' : names.person(h.by);
  const what = `${HISTORY_WORD[h.type]} ${monthLabel(h.period)}月报${h.status ? `（${STATUS_LABEL[h.status]}）` : ''}`;
  const cells = h.cells.map((c) => `${names.cell(c.id)} ${c.old === null ? '空' : f(c.old)}→${c.new === null ? '空' : f(c.new)}`);
  const shown = cells.length === 0 ? '' : ` · ${cells.slice(0, CELLS_SHOWN).join('，')}${cells.length > CELLS_SHOWN ? ` 等 ${cells.length} 项` : ''}`;
  return `${timeLabel(new Date(h.at), cal)} · ${who} · ${what}${h.reason ? ` · 原因：${h.reason}` : ''}${shown}`;
}

export const HISTORY_PAGE = 10;

/** A page of a school's history, newest first: the lines, and where the page stands. */
export function historyPage(entries: readonly HistoryEntry[], page: number): { shown: HistoryEntry[]; page: number; pages: number } {
  const newest = [...entries].reverse();
  const pages = Math.max(1, Math.ceil(newest.length / HISTORY_PAGE));
  const p = Math.min(Math.max(1, page), pages);
  return { shown: newest.slice((p - 1) * HISTORY_PAGE, p * HISTORY_PAGE), page: p, pages };
}
