import { parsePeriod } from '../calendar/period';
import type { Report } from './records';
import { totalTrainees } from './values';

/** A year's sums over reports: person-times (T), of which subsidized, and trainees from poor households. */
export interface YearToDate {
  year: number;
  trainees: number;
  subsidized: number;
  poor: number;
}

/** Sums a school's reports of one calendar year; a defaulted month counts as 0. */
export function yearToDate(reports: readonly Report[], year: number): YearToDate {
  const out: YearToDate = { year, trainees: 0, subsidized: 0, poor: 0 };
  for (const r of reports) {
    if (parsePeriod(r.period).year !== year || r.status === 'defaulted') continue;
    out.trainees += totalTrainees(r.values);
    out.subsidized += r.values.trainees_subsidized ?? 0;
    out.poor += r.values.group_poor ?? 0;
  }
  return out;
}

/** What the target asks for by now: target × months elapsed / 12, rounded up. */
export function onPace(target: number, monthsElapsed: number): number {
  return Math.ceil((target * Math.min(12, Math.max(0, monthsElapsed))) / 12);
}

/** "14.5%" */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '—' : `${(Math.round((part / whole) * 1000) / 10).toFixed(1)}%`;
}
