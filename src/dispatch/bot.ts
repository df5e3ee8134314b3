import type { Form } from '../conversation/form';
import { stepReport, type RecordChange, type SchoolContext } from '../conversation/report-engine';
import { commandOf, normalizeInput, type Command } from '../conversation/vocabulary';
import type { Logger } from '../log/logger';
import { currentWindow, nextWindow, parsePeriod, windowFor, type PeriodCalendar } from '../report/period';
import { yearToDate, type YearToDate } from '../report/progress';
import { schoolTarget, targetsFor, type Targets } from '../targets/targets';
import { draftSchema, reportSchema, type HistoryEntry, type Report } from '../report/records';
import { memberSchema, schoolSchema, type Member } from '../roster/roster';
import type { Session } from '../session/session';
import type { IndexedStatus, Store } from '../store/store';
import { menuWords } from '../wecom/app-menu';
import type { Inbound } from '../wecom/inbound';
import type { Conversation, Outcome } from './conversation';
import { respondToUnregistered } from './unregistered';
import { loadRecipients, loadStaff } from './staff-load';
import { parseAudience, stepBroadcast, type Recipients } from '../conversation/broadcast';
import { stepStaff, type StaffContext, type StaffResult } from '../conversation/staff-step';
import { dashboardCard, type DashboardLinks } from '../dashboard/dashboard-link';
import { parseStaffCommand, type StaffCommand } from '../conversation/staff-words';

export interface BotDeps {
  store: Store;
  form: Form;
  cal: PeriodCalendar;
  targets: Targets;
  logger: Logger;
  /** Signs the dashboard link carried on the card that follows a staff member's 进度; absent, no card. */
  links?: DashboardLinks;
}

interface BotContext {
  member: Member | null;
  school: { ctx: SchoolContext; rev: number } | null;
  staff: StaffContext | null;
  /** A 广播 being composed: the recipients of the audience being chosen or confirmed. */
  broadcast: { recipients: Recipients | { refused: string } | null } | null;
}

type BotChange = SchoolChange | { unlock: NonNullable<StaffResult['unlock']> };

interface SchoolChange {
  school: string;
  period: string;
  rev: number;
  change: RecordChange;
  /** Where the school stands for the period after the change, when that changed (for the status index). */
  status?: IndexedStatus | null;
  /** The school's year-to-date sums after a submission. */
  ytd?: { year: number; sums: YearToDate };
}

/**
 * The bot as one conversation: who the user is decides what they talk to. Unregistered users are
 * told whom to ask; school contacts file the report; staff words arrive with the roster.
 */
export function createBot(deps: BotDeps): Conversation<BotContext, BotChange> {
  return {
    load: (inbound, session, now) => loadContext(deps, inbound, session, now),
    step(inbound, session, context, now) {
      const base: Session = { ...session, turns: session.turns + 1, lastEventAt: now.getTime() };
      if (context.member === null) return respondToUnregistered(inbound, base, now);
      // Opening the app (enter_agent) or a card button is not something a staff member said.
      const said = inbound.kind === 'text' || inbound.event === 'click' || inbound.event === 'subscribe';
      if (context.staff !== null && !said) return { session: base, replies: [] };
      if (context.broadcast !== null && context.staff !== null) return stepBroadcastTurn(inbound, base, context.staff, context.broadcast.recipients);
      if (context.staff !== null) return stepStaffTurn(deps, base, context.staff, now);
      if (context.school === null) return { session: base, replies: [] };
      return stepSchool(deps, inbound, base, context.school, now);
    },
    async commit(outcome) {
      if (!outcome.change) return true;
      if ('unlock' in outcome.change) return commitUnlock(deps, outcome.change.unlock);
      const { school, period, rev, change, status, ytd } = outcome.change;
      const ok = await deps.store.commitSchool(school, period, {
        expectedRev: rev,
        ...(change.draft !== undefined ? { draft: change.draft === null ? null : JSON.stringify(change.draft) } : {}),
        ...(change.report ? { report: JSON.stringify(change.report) } : {}),
        ...(change.reopened !== undefined ? { reopened: change.reopened } : {}),
        history: change.history.map(historyFields),
      });
      if (!ok) return false;
      // The indexes live in the roster's slot, apart from the school's records: written after them.
      if (status !== undefined) await deps.store.setSchoolStatus(period, school, status);
      if (ytd) await deps.store.setYearToDate(ytd.year, school, JSON.stringify(ytd.sums));
      return true;
    },
  };
}

async function loadContext(deps: BotDeps, inbound: Inbound, session: Session, now: Date): Promise<BotContext> {
  const userId = inbound.userId;
  const raw = await deps.store.getMemberWithSchool(userId);
  const member = raw.member === null ? null : memberSchema.parse(JSON.parse(raw.member));
  if (member === null) return { member, school: null, staff: null, broadcast: null };
  if (member.role !== 'school') {
    const window = currentWindow(now, deps.cal);
    const command = staffCommandOf(inbound, window.period);
    if (session.broadcast !== null || command.kind === 'broadcast') {
      // The audience to count: the one being typed, or the one being confirmed.
      const b = session.broadcast;
      const text = inbound.kind === 'text' ? inbound.content.trim() : '';
      const audienceText = b?.step === 'audience' ? text : b?.step === 'confirm' ? b.audience : null;
      const audience = audienceText ? parseAudience(audienceText) : null;
      const recipients = audience && !('unknown' in audience) ? await loadRecipients(deps.store, member, audience, window) : null;
      return { member, school: null, staff: { member, command, window, period: window.period, data: { kind: 'none' } }, broadcast: { recipients } };
    }
    const staff = await loadStaff(deps.store, deps.targets, member, command, window);
    return { member, school: null, staff, broadcast: null };
  }
  const rawSchool = raw.school;
  if (rawSchool === null) {
    deps.logger.warn({ userId, school: member.school }, 'member of a school missing from the roster; answering as unregistered');
    return { member: null, school: null, staff: null, broadcast: null };
  }
  const school = schoolSchema.parse(JSON.parse(rawSchool));
  const current = currentWindow(now, deps.cal);
  let window = current;
  let snap = await deps.store.readSchool(school.code, current.period);
  // A month staff reopened is filed next — unless this month's window is open and not yet filed.
  const older = snap.reopenedPeriods.filter((p) => p < current.period).pop();
  const currentOpen = now >= current.opensAt && now < current.closesAt;
  const currentFiled = snap.reports[current.period] !== undefined && !snap.reopened;
  if (older && (!currentOpen || currentFiled)) {
    window = windowFor(older, deps.cal);
    snap = await deps.store.readSchool(school.code, older);
  }
  const reports = Object.entries(snap.reports).map(([, json]) => reportSchema.parse(JSON.parse(json)));
  const history: Report[] = reports.filter((r) => r.period < window.period && r.status !== 'defaulted').sort((a, b) => a.period.localeCompare(b.period));
  const { year, month } = parsePeriod(window.period);
  const yearTargets = targetsFor(deps.targets, year);
  const target = schoolTarget(yearTargets, school);
  return {
    member,
    staff: null,
    broadcast: null,
    school: {
      rev: snap.rev,
      ctx: {
        userId,
        school,
        window,
        open: (now >= window.opensAt && now < window.closesAt) || snap.reopened,
        reopened: snap.reopened,
        next: nextWindow(now, deps.cal),
        draft: snap.draft === null ? null : draftSchema.parse(JSON.parse(snap.draft)),
        report: reports.find((r) => r.period === window.period) ?? null,
        history: history.map((r) => ({ period: r.period, values: r.values })),
        allReports: reports,
        progress: { year, target, pilotBonus: school.pilot ? yearTargets.pilotBonus[school.level] : 0, ytd: yearToDate(reports, year), monthsElapsed: month },
      },
    },
  };
}

function stepSchool(deps: BotDeps, inbound: Inbound, session: Session, school: { ctx: SchoolContext; rev: number }, now: Date): Outcome<SchoolChange> {
  let text = '';
  let command: Command | null = null;
  if (inbound.kind === 'text') {
    text = inbound.content;
    command = commandOf(normalizeInput(text));
  } else if (inbound.event === 'click' && menuWords[inbound.eventKey]) {
    text = menuWords[inbound.eventKey]!;
    command = commandOf(text);
  } else if (inbound.event === 'subscribe') {
    command = 'help';
  } else {
    // Opening the app (enter_agent) or a card button with no meaning here: nothing to say.
    return { session, replies: [] };
  }
  const result = stepReport(deps.form, deps.cal, { text, command, normalized: normalizeInput(text) }, session.report, school.ctx, now);
  const outcome: Outcome<SchoolChange> = { session: { ...session, report: result.state }, replies: result.replies };
  if (result.change) {
    const ctx = school.ctx;
    const report = result.change.report ?? ctx.report;
    const draft = result.change.draft === undefined ? ctx.draft : result.change.draft;
    const statusOf = (r: Report | null, d: unknown): IndexedStatus | null => (r ? r.status : d ? 'drafting' : null);
    const status = statusOf(report, draft);
    outcome.change = { school: ctx.school.code, period: ctx.window.period, rev: school.rev, change: result.change };
    // An answer to a draft in progress leaves the school where it was: no index write.
    if (status !== statusOf(ctx.report, ctx.draft)) outcome.change.status = status;
    if (result.change.report) {
      const year = ctx.progress.year;
      const reports = [...ctx.allReports.filter((r) => r.period !== ctx.window.period), result.change.report];
      outcome.change.ytd = { year, sums: yearToDate(reports, year) };
    }
  }
  return outcome;
}

/** A staff member's message or menu click as a staff command. */
function staffCommandOf(inbound: Inbound, current: string): StaffCommand {
  if (inbound.kind === 'text') return parseStaffCommand(normalizeInput(inbound.content), current);
  if (inbound.event === 'click') return parseStaffCommand(menuWords[inbound.eventKey] ?? '', current);
  return { kind: inbound.event === 'subscribe' ? 'help' : 'unknown' };
}

function stepStaffTurn(deps: BotDeps, session: Session, staff: StaffContext, now: Date): Outcome<BotChange> {
  const result = stepStaff(staff, deps.cal, now);
  const effects = [...result.effects];
  // The card after 进度: a passive reply cannot carry one, so it is sent as an active message.
  const card = staff.command.kind === 'progress' ? dashboardCard(deps.links, staff.member, staff.window.period, now, deps.cal) : null;
  if (card) effects.push({ kind: 'card', users: [staff.member.userId], card });
  const outcome: Outcome<BotChange> = { session, replies: result.text ? [{ kind: 'text', text: result.text }] : [], effects };
  if (result.unlock) outcome.change = { unlock: { ...result.unlock, entry: { ...result.unlock.entry, at: now.getTime() } } };
  return outcome;
}

function stepBroadcastTurn(inbound: Inbound, session: Session, staff: StaffContext, recipients: Recipients | { refused: string } | null): Outcome<BotChange> {
  const text = inbound.kind === 'text' ? inbound.content : '';
  const result = stepBroadcast(staff.member, session.broadcast, text, recipients);
  return { session: { ...session, broadcast: result.state }, replies: result.text ? [{ kind: 'text', text: result.text }] : [], effects: result.effect ? [result.effect] : [] };
}

async function commitUnlock(deps: BotDeps, unlock: NonNullable<StaffResult['unlock']>): Promise<boolean> {
  const ok = await deps.store.commitSchool(unlock.school, unlock.period, { expectedRev: unlock.rev, reopened: true, history: [historyFields(unlock.entry)] });
  if (ok) await deps.store.appendAudit({ action: 'reopen', by: unlock.entry.by, at: String(unlock.entry.at), school: unlock.school, period: unlock.period });
  return ok;
}

function historyFields(entry: HistoryEntry): Record<string, string> {
  return {
    type: entry.type,
    period: entry.period,
    by: entry.by,
    at: String(entry.at),
    cells: JSON.stringify(entry.cells),
    ...(entry.status ? { status: entry.status } : {}),
  };
}
