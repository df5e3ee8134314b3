import type { StaffContext, StaffData, StaffMember, StaffSettings } from '../conversation/staff-step';
import type { Audience, Recipients } from '../conversation/broadcast';
import { scopedFilter } from '../conversation/staff-step';
import type { StaffCommand } from '../conversation/staff-words';
import { parsePeriod, type Window } from '../calendar/period';
import type { YearToDate } from '../report/progress';
import { reportSchema } from '../report/records';
import { nextSendingTime, quietHoursLabel, type Schedule } from '../calendar/schedule';
import type { PeriodCalendar } from '../calendar/period';
import { schoolSchema, type School } from '../roster/roster';
import type { Store } from '../store/store';
import { targetsFor, type Targets } from '../targets/targets';

function parseSchools(raw: Record<string, string>): Record<string, School> {
  return Object.fromEntries(Object.entries(raw).map(([code, json]) => [code, schoolSchema.parse(JSON.parse(json))]));
}

function parseYtd(raw: Record<string, string>): Record<string, YearToDate> {
  return Object.fromEntries(Object.entries(raw).map(([code, json]) => [code, JSON.parse(json) as YearToDate]));
}

/** Finds schools by code (exact) or name (contains), in and out of the member's scope. */
function findSchools(all: Record<string, School>, query: string, member: StaffMember): { matches: School[]; elsewhere: School[] } {
  const q = query.normalize('NFKC').trim();
  const exact = all[q];
  const found = exact ? [exact] : Object.values(all).filter((s) => s.name.includes(q) || s.code.startsWith(q));
  const inScope = (s: School) => member.role === 'province' || s.city === member.city;
  return { matches: found.filter(inScope), elsewhere: found.filter((s) => !inScope(s)) };
}

/** The users a 广播 audience reaches, within the member's scope. */
export async function loadRecipients(store: Store, member: StaffMember, audience: Audience, window: Window): Promise<Recipients | { refused: string }> {
  const roster = await store.readRoster();
  if (audience.who === 'city-staff') {
    if (member.role !== 'province') return { refused: '只有省级工作人员可以发给市县工作人员。' };
    const users = Object.values(roster.staff)
      .map((json) => JSON.parse(json) as { userId: string; role: string; city?: string })
      .filter((s) => s.role === 'city' && (!audience.filter.city || s.city === audience.filter.city))
      .map((s) => s.userId);
    return { users, schools: 0 };
  }
  const scope = scopedFilter(member, audience.filter);
  if ('refused' in scope) return scope;
  let schools = Object.values(parseSchools(roster.schools)).filter((s) => (!scope.city || s.city === scope.city) && (!scope.category || s.category === scope.category));
  if (audience.status) {
    const index = await store.readPeriodIndex(window.period);
    const filed = new Set([...index.status.filed, ...index.status.late]);
    schools = schools.filter((s) => filed.has(s.code) === (audience.status === 'filed'));
  }
  return { users: [...new Set(schools.flatMap((s) => s.contacts))], schools: schools.length };
}

/** The nudge policy as a staff step sees it at `now`. */
export function staffSettings(schedule: Schedule, cal: PeriodCalendar, nudgeIntervalMs: number, now: Date): StaffSettings {
  return { pendingNudge: null, nudgeSendAt: nextSendingTime(now, schedule, cal), quietHours: quietHoursLabel(schedule), nudgeIntervalHours: Math.round(nudgeIntervalMs / 3_600_000) };
}

/** Loads what one staff command needs, and nothing more (a province-wide 未报 is one set operation). */
export async function loadStaff(store: Store, targets: Targets, member: StaffMember, command: StaffCommand, window: Window, settings: StaffSettings): Promise<StaffContext> {
  const period = command.kind === 'unlock' && command.period ? command.period : window.period;
  const { year, month } = parsePeriod(window.period);
  const base = { member, command, window, period, ...settings };
  let data: StaffData = { kind: 'none' };
  if (command.kind === 'progress') {
    const [index, roster, ytd] = await Promise.all([store.readPeriodIndex(window.period), store.readRoster(), store.readYearToDate(year)]);
    data = { kind: 'progress', index, schools: parseSchools(roster.schools), ytd: parseYtd(ytd), targets: targetsFor(targets, year), year, monthsElapsed: month };
  } else if (command.kind === 'owing' || command.kind === 'nudge') {
    const scope = scopedFilter(member, command.filter);
    if (!('refused' in scope)) {
      const [codes, index] = await Promise.all([store.owingSchools(window.period, scope), store.readPeriodIndex(window.period)]);
      const schools: Record<string, School> = {};
      (await store.getSchools(codes)).forEach((json, i) => {
        if (json) schools[codes[i]!] = schoolSchema.parse(JSON.parse(json));
      });
      const status: Record<string, 'drafting' | 'defaulted'> = {};
      for (const c of index.status.drafting) status[c] = 'drafting';
      for (const c of index.status.defaulted) status[c] = 'defaulted';
      data = { kind: 'owing', codes, schools, status };
    }
  } else if (command.kind === 'lookup' || (command.kind === 'unlock' && command.query)) {
    const all = parseSchools((await store.readRoster()).schools);
    const { matches, elsewhere } = findSchools(all, command.query, member);
    let records = null;
    let ytd = null;
    if (matches.length === 1) {
      const snap = await store.readSchool(matches[0]!.code, period);
      const raw = snap.reports[period];
      records = { report: raw ? reportSchema.parse(JSON.parse(raw)) : null, hasDraft: snap.draft !== null, reopened: snap.reopened };
      const sums = (await store.readYearToDate(year))[matches[0]!.code];
      ytd = sums ? (JSON.parse(sums) as YearToDate) : { year, trainees: 0, subsidized: 0, poor: 0 };
    }
    data = { kind: 'school', matches, elsewhere, records, ytd, targets: targetsFor(targets, year) };
  }
  return { ...base, data };
}
