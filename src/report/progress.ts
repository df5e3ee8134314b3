import { currentWindow, openWindow, parsePeriod, shiftPeriod, type Period, type PeriodCalendar } from '../calendar/period';
import type { School } from '../roster/roster';
import { schoolTarget, targetsFor, type Targets } from '../targets/targets';
import type { Report } from './records';
import { countsInFigures } from './review';
import { totalTrainees } from './values';

/** A year's sums over reports: person-times (T), of which subsidized, and trainees from poor households. */
export interface YearToDate {
  year: number;
  trainees: number;
  subsidized: number;
  poor: number;
}

/** Sums a school's reports of one calendar year; a defaulted month counts as 0, and so does one awaiting a review it needs. */
export function yearToDate(reports: readonly Report[], year: number): YearToDate {
  const out: YearToDate = { year, trainees: 0, subsidized: 0, poor: 0 };
  for (const r of reports) {
    if (parsePeriod(r.period).year !== year || !countsInFigures(r)) continue;
    out.trainees += totalTrainees(r.values);
    out.subsidized += r.values.trainees_subsidized ?? 0;
    out.poor += r.values.group_poor ?? 0;
  }
  return out;
}

/** What the target asks for after `months` months: target × months / 12, rounded up. */
export function onPace(target: number, months: number): number {
  return Math.ceil((target * Math.min(12, Math.max(0, months))) / 12);
}

/**
 * Which months of a year the pace counts at a moment: the months whose filing window has closed
 * (one not filed by then is a zero report), and the month whose window is open — for a school that
 * has filed it, and only for it. So a school is measured against the months its sums can hold:
 * on 11-05 a school that has not filed October is measured over 1–9月, one that has over 1–10月.
 */
export interface PaceBasis {
  year: number;
  /** Months 1…closed have closed. */
  closed: number;
  /** The open window's month, when it is this year's next one. */
  open: number | null;
  /** Schools that have filed the open month. */
  filedOpen: ReadonlySet<string>;
}

/**
 * The basis at `now`. `filed` are the schools that have filed the period `of` (on time or late):
 * counted only when `of` is the open window's period.
 */
export function paceBasis(year: number, now: Date, cal: PeriodCalendar, filed: { of: Period; codes: Iterable<string> } | null = null): PaceBasis {
  // Windows close in order: every month before the one filing is about has closed, and that one
  // once its window has. So one window tells the closed months of any year.
  const current = currentWindow(now, cal);
  const last = parsePeriod(now >= current.closesAt ? current.period : shiftPeriod(current.period, -1));
  const closed = last.year > year ? 12 : last.year < year ? 0 : last.month;
  const c = parsePeriod(current.period);
  const open = now >= current.opensAt && now < current.closesAt && c.year === year ? c.month : null;
  const codes = open !== null && filed && filed.of === current.period ? new Set(filed.codes) : new Set<string>();
  return { year, closed, open, filedOpen: codes };
}

/** The months counted for one school. */
export function paceMonths(basis: PaceBasis, code: string): number {
  return basis.closed + (basis.open !== null && basis.filedOpen.has(code) ? 1 : 0);
}

/** 「1–10月」, 「1月」; '' for no month. */
export function monthsLabel(months: number): string {
  return months <= 0 ? '' : months === 1 ? '1月' : `1–${months}月`;
}

/**
 * The months a pace covers, as said before 应达: one school's (「1–10月」), or a group's, where the
 * open month counts for the schools that filed it (「1–9月（已报10月的学校含10月）」).
 */
export function paceWords(basis: PaceBasis, code: string | null = null): string {
  if (code !== null) return monthsLabel(paceMonths(basis, code)) || '尚无截止的月份，';
  const closed = monthsLabel(basis.closed);
  if (basis.open === null || basis.filedOpen.size === 0) return closed || '尚无截止的月份，';
  return `${closed}（已报${basis.open}月的学校含${basis.open}月）`;
}

/** "14.5%" */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${(Math.round((part / whole) * 1000) / 10).toFixed(1)}%`;
}

/** A school's year at a period: its sums against its target, and the months its pace counts at `now`. */
export interface SchoolProgress {
  year: number;
  target: { all: number; subsidized: number };
  pilotBonus: number;
  ytd: YearToDate;
  /** Months counted for pace (paceBasis), and how they are said (「1–10月」). */
  paceMonths: number;
  paceWords: string;
}

export function schoolProgress(school: School, reports: readonly Report[], period: string, targets: Targets, now: Date, cal: PeriodCalendar): SchoolProgress {
  const { year } = parsePeriod(period);
  const yearTargets = targetsFor(targets, year);
  // The school's own filings tell whether the open month counts for it.
  const open = openWindow(now, cal)?.period ?? null;
  const filedOpen = open !== null && reports.some((r) => r.period === open && r.status !== 'defaulted');
  const basis = paceBasis(year, now, cal, open ? { of: open, codes: filedOpen ? [school.code] : [] } : null);
  return {
    year,
    target: schoolTarget(yearTargets, school),
    pilotBonus: school.pilot ? yearTargets.pilotBonus[school.level] : 0,
    ytd: yearToDate(reports, year),
    paceMonths: paceMonths(basis, school.code),
    paceWords: paceWords(basis, school.code),
  };
}
