import { monthLabel, dueDateLabel, type PeriodCalendar, type Window } from '../calendar/period';
import { percent } from '../report/progress';
import type { Report } from '../report/records';
import { reviewState } from '../report/review';
import { STATUS_LABEL, statusText, type FilingStatus } from '../report/status';

/**
 * What each person's app tile on the WeCom workbench shows (工作台自定义展示, type keydata: at most
 * four key/data pairs): for a school contact the state that matters now, for staff their scope's
 * filing rate. Pure; the outbox sends it (dispatch/follow-ups.ts) when it changes.
 */
export interface TileItem {
  key: string;
  data: string;
}

/** The template set once for the app (menu sync, and each server's start): the same keys, empty data. */
export const TILE_TEMPLATE: TileItem[] = [
  { key: '本期月报', data: '—' },
  { key: '状态', data: '—' },
  { key: '截止', data: '—' },
];

/** A school contact's tile: 「10月 · 填报中 23/51 · 11月10日截止」, 「10月 · 已报」, 「逾期补报」. */
export function schoolTile(window: Window, now: Date, cal: PeriodCalendar, report: Report | null, answered: number | null, cells: number): TileItem[] {
  const open = now >= window.opensAt && now < window.closesAt;
  const status: FilingStatus = report ? report.status : answered !== null ? 'drafting' : 'none';
  const review = reviewState(report);
  const shown = status === 'drafting' ? `填报中 ${answered}/${cells}` : statusText(status, { zero: report?.zero }) + (review === 'returned' ? ' · 退回' : review === 'approved' ? ' · 已审' : '');
  return [
    { key: '本期月报', data: `${monthLabel(window.period)}` },
    { key: '状态', data: !open && status === 'none' ? STATUS_LABEL.none : shown },
    { key: '截止', data: open ? dueDateLabel(window, cal) : now < window.opensAt ? '未开始' : '已截止' },
  ];
}

/** A staff member's tile: their scope's filing rate for the period. */
export function staffTile(window: Window, now: Date, cal: PeriodCalendar, filed: number, total: number, scope: string): TileItem[] {
  const open = now >= window.opensAt && now < window.closesAt;
  return [
    { key: `${scope}${monthLabel(window.period)}报送率`, data: percent(filed, total) },
    { key: '已报', data: `${filed}/${total}` },
    { key: '截止', data: open ? dueDateLabel(window, cal) : '已截止' },
  ];
}

/** Changes of the shown state are sent at most once a minute per person (WeCom allows 10): the minute an update goes out in. */
export const TILE_INTERVAL_MS = 60_000;

/** The outbox entry id of a person's tile update for the minute `now` falls in: changes within one minute write it once. */
export function tileEntryId(userId: string, now: number): string {
  return `workbench:${userId}:${Math.floor(now / TILE_INTERVAL_MS)}`;
}

/** When that update goes out: the end of its minute, so that two updates are a minute apart at least. */
export function tileDue(now: number): number {
  return (Math.floor(now / TILE_INTERVAL_MS) + 1) * TILE_INTERVAL_MS;
}

/** The outbox entry that sets the app's template: one a day at most, however often servers start. */
export function templateEntry(now: number): { id: string; payload: { kind: 'workbench-template' }; due: number } {
  return { id: `workbench-template:${Math.floor(now / 86_400_000)}`, payload: { kind: 'workbench-template' }, due: now };
}
