import { answeredCount } from '../conversation/report-texts';
import type { Form } from '../conversation/form';
import type { EntryRef } from '../outbox/entry';
import { daysLeft, dueDateLabel, periodLabel, windowFor, type Period, type PeriodCalendar } from '../calendar/period';
import type { Draft } from '../report/records';
import type { School } from '../roster/roster';
import type { WorkCalendar } from '../calendar/work-calendar';
import type { RecordsStore } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';
import { textMessages } from '../wecom/sender';
import { DateTime } from 'luxon';

export interface NudgeDeps {
  roster: RosterStore;
  records: RecordsStore;
  form: Form;
  cal: PeriodCalendar;
  work: WorkCalendar;
  /** A school is nudged at most once within this interval, whoever asks (default 4 h). */
  intervalMs: number;
}

export interface NudgeRequest {
  period: Period;
  codes: readonly string[];
  /** When the nudges go out (on the business clock): now, or after quiet hours. */
  sendAt: number;
  now: number;
  /** The entry id of a school's nudge: the scheduled stage's, or the staff request's. */
  idOf: (code: string) => string;
}

/** What one nudge request did, school by school. */
export interface NudgeRun {
  /** Written by this request (now, or by an earlier run of the same request). */
  queued: EntryRef[];
  /** Of those, written now. */
  fresh: number;
  /** Nudged by anyone within the interval: left alone. */
  recent: string[];
  filed: string[];
  noContacts: string[];
  /** Codes not on the roster any more. */
  unknown: string[];
}

const CHUNK = 500;

/**
 * The one text of a nudge, whoever asks (the scheduled nudge, 催报 in chat or on the dashboard):
 * the school's place in the report, and the deadline as seen when it goes out.
 */
export function nudgeText(form: Form, cal: PeriodCalendar, work: WorkCalendar, school: School, period: Period, draft: Draft | null, sendAt: Date): string {
  const window = windowFor(period, cal);
  const where = draft ? `已完成 ${answeredCount(form, draft.values)}/${form.cells.length}，回复「继续」接着填` : '还没有开始，回复「填报」开始';
  const left = daysLeft(sendAt, window, cal);
  const due = dueDateLabel(window, cal);
  // The last call may fall the day before the due day (a due day on a holiday moves it): say which.
  const when = left <= 1 ? `今天（${due}）截止` : left === 2 ? `明天（${due}）截止` : `${due}截止，还有 ${left} 天`;
  const dueDay = DateTime.fromJSDate(window.closesAt, { zone: cal.timezone }).minus({ milliseconds: 1 }).toISODate()!;
  const holiday = work.isWorkday(dueDay) ? '' : `${due}是休息日，请提前提交。`;
  return `【月报提醒】${school.name}：${periodLabel(period)}培训月报${where}。${when}。${holiday}`;
}

/**
 * Nudges schools that owe a period. Each school's nudge is written by one atomic step in the
 * school's partition that applies the policy — not twice for one request, not once it has filed
 * (as of this step, which runs when the nudge goes out: a 催报 held for quiet hours fans out in the
 * morning), not within the interval of any other nudge — so that re-runs, other instances and
 * other requesters never nudge a school twice.
 */
export async function nudgeSchools(deps: NudgeDeps, request: NudgeRequest): Promise<NudgeRun> {
  const run: NudgeRun = { queued: [], fresh: 0, recent: [], filed: [], noContacts: [], unknown: [] };
  const sendAt = new Date(request.sendAt);
  for (let i = 0; i < request.codes.length; i += CHUNK) {
    const codes = request.codes.slice(i, i + CHUNK);
    const [schools, drafts] = await Promise.all([deps.roster.schools(codes), deps.records.drafts(request.period, codes)]);
    await Promise.all(
      codes.map(async (code, j) => {
        const school = schools[j];
        if (!school) return void run.unknown.push(code);
        if (school.contacts.length === 0) return void run.noContacts.push(code);
        const draft = drafts[j] ?? null;
        const id = request.idOf(code);
        const entry = { id, payload: { kind: 'message' as const, to: school.contacts, messages: textMessages(nudgeText(deps.form, deps.cal, deps.work, school, request.period, draft, sendAt)) }, due: request.sendAt };
        const verdict = await deps.records.nudge(code, request.period, entry, { sendAt: request.sendAt, intervalMs: deps.intervalMs, now: request.now });
        if (verdict === 'queued') run.fresh++;
        if (verdict === 'queued' || verdict === 'already') run.queued.push({ owner: code, id });
        else if (verdict === 'recent') run.recent.push(code);
        else run.filed.push(code);
      }),
    );
  }
  return run;
}
