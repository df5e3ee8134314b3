import type { School } from '../roster/roster';
import { schoolTarget, type YearTargets } from '../targets/targets';
import { onPace, paceMonths, type PaceBasis, type YearToDate } from './progress';

/** A group's year against target: what was done, what the schools' targets add up to, and the pace. */
export interface GroupProgress {
  group: string;
  schools: number;
  trainees: number;
  subsidized: number;
  poor: number;
  target: number;
  subsidizedTarget: number;
  pace: number;
}

/**
 * Rolls schools' year-to-date sums up by a key (city, category, or one group for the province):
 * a group's target is the sum of its schools' targets (category figures plus pilot bonuses), and its
 * pace the sum of theirs.
 */
export function rollUp(
  schools: readonly School[],
  ytd: Record<string, YearToDate>,
  targets: YearTargets,
  pace: PaceBasis,
  key: (s: School) => string,
): GroupProgress[] {
  const groups = new Map<string, GroupProgress>();
  for (const school of schools) {
    const name = key(school);
    const g = groups.get(name) ?? { group: name, schools: 0, trainees: 0, subsidized: 0, poor: 0, target: 0, subsidizedTarget: 0, pace: 0 };
    const t = schoolTarget(targets, school);
    const done = ytd[school.code];
    g.schools++;
    g.trainees += done?.trainees ?? 0;
    g.subsidized += done?.subsidized ?? 0;
    g.poor += done?.poor ?? 0;
    g.target += t.all;
    g.subsidizedTarget += t.subsidized;
    // Each school against the months its sums can hold (paceBasis): the open month only if it filed it.
    g.pace += onPace(t.all, paceMonths(pace, school.code));
    groups.set(name, g);
  }
  return [...groups.values()].sort((a, b) => a.group.localeCompare(b.group, 'zh'));
}
