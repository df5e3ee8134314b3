import { parsePeriod } from '../calendar/period';
import type { School } from '../roster/roster';
import { schoolTarget, targetsFor, type Targets } from '../targets/targets';
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

/** A school's year at a period: its sums against its target, and the months counted for pace (the period's month). */
export interface SchoolProgress {
  year: number;
  target: { all: number; subsidized: number };
  pilotBonus: number;
  ytd: YearToDate;
  monthsElapsed: number;
}

export function schoolProgress(school: School, reports: readonly Report[], period: string, targets: Targets): SchoolProgress {
  const { year, month } = parsePeriod(period);
  const yearTargets = targetsFor(targets, year);
  return { year, target: schoolTarget(yearTargets, school), pilotBonus: school.pilot ? yearTargets.pilotBonus[school.level] : 0, ytd: yearToDate(reports, year), monthsElapsed: month };
}
