import { DateTime } from 'luxon';
import { localDaysBetween, localTime } from './local-time';

/** A reporting period: the calendar month whose training a report covers, as 'YYYY-MM'. */
export type Period = string;

export interface PeriodCalendar {
  timezone: string;
  /** The filing window closes at the end of this day of the filing month. */
  dueDay: number;
}

export interface Window {
  /** The period being filed (the month before the filing month). */
  period: Period;
  /** Start of the 1st of the filing month, local time. */
  opensAt: Date;
  /** End of the due day (the first instant after it), local time. */
  closesAt: Date;
}

export function periodOf(year: number, month: number): Period {
  return `${year}-${String(month).padStart(2, '0')}`;
}

export function parsePeriod(period: Period): { year: number; month: number } {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(period);
  if (!m) throw new Error(`not a period: ${period}`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

// Windows are asked for on every turn but change once a month, and computing a zone's offset is
// costly (it showed as 40 % of a report turn): keep them, bounded.
const windows = new Map<string, Window>();

/** The filing window for a period: the next month, from the 1st to the end of the due day. */
export function windowFor(period: Period, cal: PeriodCalendar): Window {
  const key = `${cal.timezone}|${cal.dueDay}|${period}`;
  const cached = windows.get(key);
  if (cached) return cached;
  const { year, month } = parsePeriod(period);
  const opens = DateTime.fromObject({ year, month, day: 1 }, { zone: cal.timezone }).plus({ months: 1 });
  const closes = opens.set({ day: cal.dueDay }).plus({ days: 1 });
  const w = { period, opensAt: opens.toJSDate(), closesAt: closes.toJSDate() };
  if (windows.size > 1_000) windows.clear();
  windows.set(key, w);
  return w;
}

/** The period whose window contains `now`, or null between windows. */
export function openWindow(now: Date, cal: PeriodCalendar): Window | null {
  const w = windowFor(previousPeriod(now, cal), cal);
  return now >= w.opensAt && now < w.closesAt ? w : null;
}

/** The window of the previous month's period, open or not: the period filing is about at `now`. */
export function currentWindow(now: Date, cal: PeriodCalendar): Window {
  return windowFor(previousPeriod(now, cal), cal);
}

/** The next window that opens after `now`. */
export function nextWindow(now: Date, cal: PeriodCalendar): Window {
  const current = currentWindow(now, cal);
  return now < current.opensAt ? current : windowFor(shiftPeriod(current.period, 1), cal);
}

/**
 * The last answer of previousPeriod and the local month it holds for: every turn asks, and the
 * answer changes once a month, so the search below (its period strings and keys) runs only when
 * `now` leaves that month.
 */
let lastPrevious: { timezone: string; from: number; until: number; period: Period } | null = null;

/** The month before now's local month: found from the (cached) month boundaries around now's UTC month. */
export function previousPeriod(now: Date, cal: PeriodCalendar): Period {
  const at = now.getTime();
  const last = lastPrevious;
  // Kept by the zone's name, not the calendar object: one built afresh for a call must not miss
  // every time, and one changed since cannot be answered for its old zone. The due day does not
  // move a local month's bounds.
  if (last !== null && last.timezone === cal.timezone && at >= last.from && at < last.until) return last.period;
  const period = searchPreviousPeriod(now, cal);
  // The local month that files `period` runs from its window's opening to the next one's.
  lastPrevious = { timezone: cal.timezone, from: windowFor(period, cal).opensAt.getTime(), until: windowFor(shiftPeriod(period, 1), cal).opensAt.getTime(), period };
  return period;
}

function searchPreviousPeriod(now: Date, cal: PeriodCalendar): Period {
  // The filing month is now's local month; start from its UTC month and move at most one either way.
  let filing = periodOf(now.getUTCFullYear(), now.getUTCMonth() + 1);
  for (;;) {
    // windowFor(P).opensAt is the local start of the month after P.
    const starts = windowFor(shiftPeriod(filing, -1), cal).opensAt;
    const ends = windowFor(filing, cal).opensAt;
    if (now < starts) filing = shiftPeriod(filing, -1);
    else if (now >= ends) filing = shiftPeriod(filing, 1);
    else return shiftPeriod(filing, -1);
  }
}

export function shiftPeriod(period: Period, months: number): Period {
  const { year, month } = parsePeriod(period);
  const index = year * 12 + (month - 1) + months;
  return periodOf(Math.floor(index / 12), (index % 12) + 1);
}

/** 2026年10月 */
/** 「10月」: the month alone, as the words offered to schools say it (「10月无培训」). */
export function monthLabel(period: Period): string {
  return `${parsePeriod(period).month}月`;
}

export function periodLabel(period: Period): string {
  const { year, month } = parsePeriod(period);
  return `${year}年${month}月`;
}

const dueLabels = new WeakMap<Window, string>();

/** 11月10日 — the last day a window is open (its closesAt is the next midnight). */
export function dueDateLabel(w: Window, cal: PeriodCalendar): string {
  let label = dueLabels.get(w);
  if (label === undefined) {
    const last = DateTime.fromJSDate(w.closesAt, { zone: cal.timezone }).minus({ milliseconds: 1 });
    label = `${last.month}月${last.day}日`;
    dueLabels.set(w, label);
  }
  return label;
}

/** 12月1日 */
export function dateLabel(at: Date, cal: PeriodCalendar): string {
  const d = localTime(at, cal.timezone);
  return `${d.month}月${d.day}日`;
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** 2026-11-05 09:40, local. */
export function timeLabel(at: Date, cal: PeriodCalendar): string {
  const d = localTime(at, cal.timezone);
  return `${d.year}-${two(d.month)}-${two(d.day)} ${two(d.hour)}:${two(d.minute)}`;
}

/** Whole local days from now until the window closes, counting today (1 on the due day). */
export function daysLeft(now: Date, w: Window, cal: PeriodCalendar): number {
  return localDaysBetween(now, w.closesAt.getTime() - 1, cal.timezone) + 1;
}
