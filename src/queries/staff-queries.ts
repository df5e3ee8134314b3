import { currentWindow, parsePeriod, windowFor, type Period, type PeriodCalendar, type Window } from '../calendar/period';
import { nextSendingTime, quietHoursLabel, type Schedule } from '../calendar/schedule';
import type { Audience, Recipients } from '../conversation/broadcast';
import { scopedFilter, type StaffContext, type StaffData, type StaffSettings } from '../conversation/staff-context';
import type { BroadcastRecord } from '../conversation/broadcast';
import type { StaffCommand } from '../conversation/staff-words';
import { paceBasis, type YearToDate } from '../report/progress';
import type { School, StaffMember } from '../roster/roster';
import type { NudgeState } from '../session/session';
import type { RecordsStore } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';
import type { Markers } from '../store/markers';
import type { AuditLog } from '../store/audit-log';
import type { OutboxStore } from '../store/outbox-store';
import { firstPeriodIn } from '../calendar/deployment';
import { targetsFor, type Targets } from '../targets/targets';
import { owingSchools, periodIndex } from './period-queries';
import type { Form } from '../conversation/form';
import type { Report } from '../report/records';
import { fromReviewMark, reviewMark, reviewState, type ReviewState } from '../report/review';
import { contactLabel, staffName } from '../roster/people';

export interface StaffQueryDeps {
  roster: RosterStore;
  records: RecordsStore;
  markers: Markers;
  /** FIRST_PERIOD, when configured. */
  firstPeriod?: Period;
  targets: Targets;
  cal: PeriodCalendar;
  schedule: Schedule;
  /** A school is nudged at most once within this interval, whoever asks. */
  nudgeIntervalMs: number;
  /** The form, for the cell labels of a school's history. */
  form: Form;
  /** 广播记录 and 撤回: the broadcasts as logged, and their message entries. */
  audit: AuditLog;
  outbox: OutboxStore;
}

/** Finds schools by code (exact) or name (contains), in and out of the member's scope. */
function findSchools(all: Record<string, School>, query: string, member: StaffMember): { matches: School[]; elsewhere: School[] } {
  const q = query.normalize('NFKC').trim();
  const exact = all[q];
  const found = exact ? [exact] : Object.values(all).filter((s) => s.name.includes(q) || s.code.startsWith(q));
  const inScope = (s: School) => member.role === 'province' || s.city === member.city;
  return { matches: found.filter(inScope), elsewhere: found.filter((s) => !inScope(s)) };
}

/**
 * What staff ask about, loaded the same way for the chat, the dashboard and the digest: the
 * context of one staff command — the period (the one being filed now, or the one given), the
 * nudge policy, and exactly the data the command needs (a province-wide 未报 is one set
 * operation) — for the pure staff step to answer.
 */
export class StaffQueries {
  constructor(private readonly deps: StaffQueryDeps) {}

  /** The nudge policy as a staff step sees it at `now`. */
  settings(now: Date, pendingNudge: NudgeState | null = null): StaffSettings {
    const { schedule, cal, nudgeIntervalMs } = this.deps;
    return { pendingNudge, nudgeSendAt: nextSendingTime(now, schedule, cal), quietHours: quietHoursLabel(schedule), nudgeIntervalHours: Math.round(nudgeIntervalMs / 3_600_000) };
  }

  /** The window staff commands are about at `now` (or the given period's). */
  window(now: Date, period?: Period): Window {
    return period ? windowFor(period, this.deps.cal) : currentWindow(now, this.deps.cal);
  }

  /** Loads one staff command's context. */
  async context(member: StaffMember, command: StaffCommand, options: { now: Date; period?: Period; pendingNudge?: NudgeState | null }): Promise<StaffContext> {
    const window = this.window(options.now, options.period);
    const period = (command.kind === 'unlock' || command.kind === 'review') && command.period ? command.period : window.period;
    const [firstPeriod, data] = await Promise.all([this.firstPeriod(), this.data(member, command, window, period, options.now)]);
    return { member, command, window, period, firstPeriod, ...this.settings(options.now, options.pendingNudge ?? null), data };
  }

  /** The deployment's first period (FIRST_PERIOD, or the first roster import's). */
  firstPeriod(): Promise<Period | null> {
    return firstPeriodIn(this.deps.markers, this.deps.firstPeriod, this.deps.cal);
  }

  private async data(member: StaffMember, command: StaffCommand, window: Window, period: Period, now: Date): Promise<StaffData> {
    const { roster, records, targets, cal } = this.deps;
    const { year } = parsePeriod(window.period);
    if (command.kind === 'progress') {
      const [index, all, ytd] = await Promise.all([periodIndex(this.deps, window.period), roster.read(), records.yearToDate(year)]);
      const filed = [...index.status.filed, ...index.status.late];
      const pace = paceBasis(year, now, cal, { of: window.period, codes: filed });
      return { kind: 'progress', index, schools: all.schools, ytd, targets: targetsFor(targets, year), year, pace, ...(await this.reviews(window.period, filed)) };
    }
    if (command.kind === 'owing' || command.kind === 'nudge') {
      const scope = scopedFilter(member, command.filter);
      if ('refused' in scope) return { kind: 'none' };
      const [codes, status] = await Promise.all([owingSchools(this.deps, window.period, scope), records.statusSets(window.period, ['drafting', 'defaulted'])]);
      const schools: Record<string, School> = {};
      (await roster.schools(codes)).forEach((school, i) => {
        if (school) schools[codes[i]!] = school;
      });
      const statusOf: Record<string, 'drafting' | 'defaulted'> = {};
      for (const c of status.drafting) statusOf[c] = 'drafting';
      for (const c of status.defaulted) statusOf[c] = 'defaulted';
      return { kind: 'owing', codes, schools, status: statusOf };
    }
    if (command.kind === 'broadcasts' || command.kind === 'recall') return { kind: 'broadcasts', list: await this.broadcasts(member) };
    if (command.kind === 'pending') {
      const scope = scopedFilter(member, command.filter);
      if ('refused' in scope) return { kind: 'none' };
      const [inScope, status, all] = await Promise.all([roster.codesIn(scope), records.statusSets(window.period, ['filed', 'late']), roster.read()]);
      const filed = new Set([...status.filed, ...status.late]);
      const codes = inScope.filter((c) => filed.has(c));
      const reports = (await records.reports(window.period, codes)).filter((r): r is Report => r !== null && reviewState(r) === 'pending');
      return { kind: 'pending', reports, schools: all.schools };
    }
    if (command.kind === 'lookup' || command.kind === 'history' || ((command.kind === 'unlock' || command.kind === 'review') && command.query)) {
      const { matches, elsewhere } = findSchools((await roster.read()).schools, command.query, member);
      let found = null;
      let ytd: YearToDate | null = null;
      let filedOpen = false;
      if (matches.length === 1) {
        const [snap, sums] = await Promise.all([records.read(matches[0]!.code, period), records.yearToDate(year)]);
        found = { report: snap.reports[period] ?? null, hasDraft: snap.draft !== null, reopened: snap.reopened };
        ytd = sums[matches[0]!.code] ?? { year, trainees: 0, subsidized: 0, poor: 0 };
        const current = snap.reports[window.period];
        filedOpen = current !== undefined && current.status !== 'defaulted';
      }
      const pace = paceBasis(year, now, cal, { of: window.period, codes: filedOpen ? [matches[0]!.code] : [] });
      const history = command.kind === 'history' && matches.length === 1 ? await this.history(matches[0]!) : undefined;
      return { kind: 'school', matches, elsewhere, records: found, ytd, targets: targetsFor(targets, year), pace, ...(history ? { history } : {}) };
    }
    return { kind: 'none' };
  }

  /**
   * Where each filed report of a period stands in review, and whether review is in use at all (a
   * report needs it, or someone has reviewed one).
   */
  async reviews(period: Period, filed: readonly string[]): Promise<{ reviews: Record<string, ReviewState>; reviewInUse: boolean }> {
    const reviews: Record<string, ReviewState> = {};
    let reviewInUse = false;
    // The period's review index; a report written before there was one is read whole.
    const marks = await this.deps.records.reviewMarks(period);
    const unmarked = filed.filter((code) => marks[code] === undefined);
    (await this.deps.records.reports(period, unmarked)).forEach((r, i) => {
      const mark = r ? reviewMark(r) : null;
      if (mark) marks[unmarked[i]!] = mark;
    });
    for (const code of filed) {
      const mark = marks[code];
      if (mark === undefined) continue;
      const { state, inUse } = fromReviewMark(mark);
      reviews[code] = state;
      if (inUse) reviewInUse = true;
    }
    return { reviews, reviewInUse };
  }

  /**
   * The recent broadcasts a member may see and recall — their own; everyone's for provincial staff —
   * newest first, from the audit log (each broadcast is logged once its delivery is reported).
   */
  private async broadcasts(member: StaffMember): Promise<BroadcastRecord[]> {
    const { audit, outbox, markers, roster } = this.deps;
    const logged = (await audit.read(2_000)).filter((a) => a.action === 'broadcast' && typeof a.ref === 'string' && (member.role === 'province' || a.by === member.userId));
    const recent = logged.reverse().slice(0, 10);
    const staff = (await roster.read()).staff;
    return Promise.all(
      recent.map(async (a) => {
        const ref = String(a.ref);
        const chunks = Array.from({ length: Number(a.chunks ?? 0) }, (_, i) => ({ owner: a.by, id: `${ref}:broadcast:${i + 1}` }));
        const [first] = chunks.length > 0 ? await outbox.get([chunks[0]!]) : [null];
        const message = first?.payload.kind === 'message' ? first.payload.messages[0] : undefined;
        const text = message && 'text' in message ? String((message.text as { content?: string }).content ?? '') : '';
        const by = staff[a.by];
        return {
          ref,
          by: a.by,
          byName: by ? staffName(by) : '已不在名单中的人员',
          at: a.at,
          audience: String(a.audience ?? ''),
          recipients: Number(a.recipients ?? 0),
          sent: Number(a.sent ?? 0),
          invalid: Number(a.invalid ?? 0),
          failed: Number(a.failed ?? 0),
          // The text as typed: without the 【通知】 head and the ——name signature the broadcast adds.
          preview: text.replace(/^【通知】/u, '').replace(/\s*——[^—]*$/u, '').replace(/\s+/gu, ' ').slice(0, 30),
          recalled: await markers.isMarked('recall', ref),
          chunks,
        };
      }),
    );
  }

  /** A school's history (every entry kept: the page is chosen by the step), with the names and labels its lines need. */
  private async history(school: School): Promise<NonNullable<Extract<StaffData, { kind: 'school' }>['history']>> {
    const { roster, records, form } = this.deps;
    const entries = await records.history(school.code);
    const all = await roster.read();
    const people: Record<string, string> = {};
    for (const h of entries) {
      if (people[h.by] !== undefined) continue;
      const staff = all.staff[h.by];
      people[h.by] = staff ? staffName(staff) : school.contacts.includes(h.by) || school.people?.[h.by] ? contactLabel(school, h.by) : '已不在名单中的人员';
    }
    const labels: Record<string, string> = {};
    for (const h of entries) for (const c of h.cells) labels[c.id] ??= form.hasCell(c.id) ? form.place(c.id).cell.label : c.id;
    return { entries, people, labels };
  }

  /** The users a 广播 audience reaches, within the member's scope. */
  async recipients(member: StaffMember, audience: Audience, period: Period): Promise<Recipients | { refused: string }> {
    const roster = await this.deps.roster.read();
    if (audience.who === 'city-staff') {
      if (member.role !== 'province') return { refused: '只有省级工作人员可以发给市县工作人员。' };
      const users = Object.values(roster.staff)
        .filter((s) => s.role === 'city' && (!audience.filter.city || s.city === audience.filter.city))
        .map((s) => s.userId);
      return { users, schools: 0 };
    }
    const scope = scopedFilter(member, audience.filter);
    if ('refused' in scope) return scope;
    let schools = Object.values(roster.schools).filter((s) => (!scope.city || s.city === scope.city) && (!scope.category || s.category === scope.category));
    if (audience.status) {
      const status = await this.deps.records.statusSets(period, ['filed', 'late']);
      const filed = new Set([...status.filed, ...status.late]);
      schools = schools.filter((s) => filed.has(s.code) === (audience.status === 'filed'));
    }
    return { users: [...new Set(schools.flatMap((s) => s.contacts))], schools: schools.length };
  }
}
