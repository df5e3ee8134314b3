import type { Form } from '../conversation/form';
import { stepReport, type RecordChange, type SchoolContext } from '../conversation/report-engine';
import { commandOf, normalizeInput, reportRequest, type Command, type ReportRequest } from '../conversation/vocabulary';
import type { Logger } from '../log/logger';
import { currentWindow, nextWindow, parsePeriod, periodLabel, periodOf, windowFor, type PeriodCalendar, type Window } from '../calendar/period';
import { schoolProgress, yearToDate } from '../report/progress';
import type { Targets } from '../targets/targets';
import type { Draft, Report } from '../report/records';
import type { Member, School, StaffMember } from '../roster/roster';
import type { LiveCard, Session } from '../session/session';
import type { RecordsStore, SchoolChange, SchoolRecords } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';
import type { Markers } from '../store/markers';
import type { AuditLog } from '../store/audit-log';
import type { OutboxStore } from '../store/outbox-store';
import { filingStatus, type IndexedStatus } from '../report/status';
import { filingState, periodToFile } from '../report/filing-context';
import { readDraft, readReport } from '../conversation/form-versions';
import { menuWords } from '../wecom/app-menu';
import type { Inbound } from '../wecom/inbound';
import type { Conversation, Located, Outcome } from './conversation';
import { respondToUnregistered } from './unregistered';
import { StaffQueries } from '../queries/staff-queries';
import { parseAudience, stepBroadcast, type Recipients } from '../conversation/broadcast';
import { stepStaff } from '../conversation/staff-step';
import type { StaffContext } from '../conversation/staff-context';
import { dashboardCard, type DashboardLinks } from '../dashboard/dashboard-link';
import { parseStaffCommand, type StaffCommand } from '../conversation/staff-words';
import type { Schedule } from '../calendar/schedule';
import { staffEntries } from '../outbox/staff-entries';
import { turnId } from './turn-runner';
import { messages } from './messages';
import { buttonWord, isStanding, replaceName } from '../conversation/buttons';
import { buttonCardMessage, cardTaskId, textMessages } from '../wecom/sender';
import { reviewCard, staffButtonWord } from '../conversation/staff-review';
import { tileDue, tileEntryId } from '../conversation/workbench';
import type { EntryInit } from '../outbox/entry';
import type { Reply } from '../conversation/reply';

export interface BotDeps {
  roster: RosterStore;
  records: RecordsStore;
  markers: Markers;
  /** The audit log (广播记录 reads the broadcasts from it). */
  audit: AuditLog;
  outbox: OutboxStore;
  /** FIRST_PERIOD, when configured. */
  firstPeriod?: string;
  form: Form;
  cal: PeriodCalendar;
  targets: Targets;
  logger: Logger;
  schedule: Schedule;
  /** A school is nudged at most once within this interval, whoever asks. */
  nudgeIntervalMs: number;
  /** Signs the dashboard link carried on the card that follows a staff member's 进度; absent, no card. */
  links?: DashboardLinks;
  /** REVIEW_REQUIRED: new submissions count once approved. */
  reviewRequired?: boolean;
  /** WORKBENCH: a change to a school's records updates its contacts' tiles (and, on a submission, staff's). */
  workbench?: boolean;
}

interface Who {
  member: Member | null;
  school: School | null;
}

type BotContext =
  | { kind: 'unregistered' }
  /** staleDraft: the stored draft was made with a form version this form cannot read; the turn discards it. */
  | { kind: 'school'; ctx: SchoolContext; rev: number; snapshot: SchoolRecords; staleDraft: boolean }
  | { kind: 'staff'; staff: StaffContext }
  /** A 广播 being composed: the recipients of the audience being chosen or confirmed. */
  | { kind: 'broadcast'; staff: StaffContext; recipients: Recipients | { refused: string } | null };

/**
 * The bot as one conversation: who the user is decides what they talk to. Unregistered users are
 * told whom to ask; school contacts file the report (their turns live with the school's records);
 * staff words arrive with the roster.
 */
export function createBot(deps: BotDeps): Conversation<Who, BotContext> {
  const staff = new StaffQueries(deps);
  return {
    locate: (inbound, now) => locate(deps, inbound, now),
    load: (inbound, session, located, snapshot, now) => loadContext(deps, staff, inbound, session, located, snapshot, now),
    step(inbound, session, context, now) {
      const base: Session = { ...session, turns: session.turns + 1, lastEventAt: now.getTime() };
      if (context.kind === 'unregistered') return respondToUnregistered(inbound, base, now);
      if (context.kind === 'school') return stepSchool(deps, inbound, base, context, now);
      // Opening the app (enter_agent) is not something a staff member said; a review button is its words.
      const said = inbound.kind === 'text' || inbound.event === 'click' || inbound.event === 'subscribe' || (inbound.event === 'template_card_event' && staffButtonWord(inbound.eventKey) !== null);
      if (!said) return { session: base, replies: [] };
      if (context.kind === 'broadcast') return stepBroadcastTurn(inbound, base, context.staff, context.recipients, now);
      return stepStaffTurn(deps, inbound, base, context.staff, now);
    },
  };
}

/** The roster lookup: a school contact's turn lives with their school's records, anyone else's on its own. */
async function locate(deps: BotDeps, inbound: Inbound, now: Date): Promise<Located<Who>> {
  const userId = inbound.userId;
  const { member, school } = await deps.roster.whois(userId);
  if (member?.role !== 'school') return { home: userId, who: { member, school: null } };
  if (school === null) {
    deps.logger.warn({ userId, school: member.school }, 'member of a school missing from the roster; answering as unregistered');
    return { home: userId, who: { member: null, school: null } };
  }
  return { home: school.code, read: { school: school.code, period: currentWindow(now, deps.cal).period }, who: { member, school } };
}

async function loadContext(deps: BotDeps, staffQueries: StaffQueries, inbound: Inbound, session: Session, located: Located<Who>, snapshot: SchoolRecords | null, now: Date): Promise<BotContext> {
  const { member, school } = located.who;
  if (member === null) return { kind: 'unregistered' };
  if (member.role === 'school' && school !== null) {
    const text = normalizeInput(saidBySchool(inbound) ?? '');
    return loadSchool(deps, member.userId, school, located.read!.period, snapshot!, now, reportRequest(text), session.report?.period ?? null);
  }
  const staffMember = member as StaffMember;
  const window = staffQueries.window(now);
  const command = staffCommandOf(inbound, window.period);
  if (session.broadcast !== null || command.kind === 'broadcast') {
    // The audience to count: the one being typed, or the one being confirmed.
    const b = session.broadcast;
    const text = inbound.kind === 'text' ? inbound.content.trim() : '';
    const audienceText = b?.step === 'audience' ? text : b?.step === 'confirm' ? b.audience : null;
    const audience = audienceText ? parseAudience(audienceText) : null;
    const recipients = audience && !('unknown' in audience) ? await staffQueries.recipients(staffMember, audience, window.period) : null;
    return { kind: 'broadcast', staff: { member: staffMember, command, window, period: window.period, firstPeriod: null, data: { kind: 'none' }, ...staffQueries.settings(now, session.nudge) }, recipients };
  }
  // 「确认」 of a 催报 counts the schools again, for the filter that was shown.
  const loadAs: StaffCommand = command.kind === 'confirm' && session.nudge ? { kind: 'nudge', filter: session.nudge.filter } : command;
  const staff = await staffQueries.context(staffMember, loadAs, { now, pendingNudge: session.nudge });
  return { kind: 'staff', staff: { ...staff, command } };
}

/**
 * The month a turn files: the one asked for (「补报 9月」), else the one in hand, when it takes
 * answers (this window's month, or one staff reopened); else the resolver's choice. A month asked
 * for that takes none is said why (`requested`).
 */
function chooseMonth(now: Date, currentW: Window, current: SchoolRecords, wish: ReportRequest | null, inHand: string | null): { filing: string; requested: SchoolContext['requested'] } {
  const filing = periodToFile(now, currentW, current);
  const reopened = current.reopenedPeriods.filter((p) => p < currentW.period);
  let wanted = inHand;
  if (wish) {
    if ('late' in wish) wanted = reopened.at(-1) ?? null;
    else {
      const { year, month } = parsePeriod(currentW.period);
      wanted = periodOf(wish.year ?? (month >= wish.month ? year : year - 1), wish.month);
    }
    if (wanted === null) return { filing, requested: { period: null, why: 'none' } };
  }
  if (wanted === null || wanted === filing) return { filing, requested: null };
  if (wanted === currentW.period || reopened.includes(wanted)) return { filing: wanted, requested: null };
  const why = wanted > currentW.period ? 'future' : current.reports[wanted] !== undefined ? 'filed' : 'closed';
  return { filing, requested: wish ? { period: wanted, why } : null };
}

async function loadSchool(deps: BotDeps, userId: string, school: School, period: string, current: SchoolRecords, now: Date, wish: ReportRequest | null, inHand: string | null): Promise<BotContext> {
  // The period whose records were read with the session (a turn at a month's turn stays on it).
  const currentW = windowFor(period, deps.cal);
  const { filing, requested } = chooseMonth(now, currentW, current, wish, inHand);
  const window = filing === currentW.period ? currentW : windowFor(filing, deps.cal);
  const snap = filing === currentW.period ? current : await deps.records.read(school.code, filing);
  // Records made with another version of the form are read in this one (renamed cells, removed ones).
  const reports = Object.values(snap.reports).map((r) => readReport(deps.form, r));
  const draft = readDraft(deps.form, snap.draft);
  const history: Report[] = reports.filter((r) => r.period < window.period && r.status !== 'defaulted').sort((a, b) => a.period.localeCompare(b.period));
  return {
    kind: 'school',
    rev: snap.rev,
    snapshot: snap,
    staleDraft: draft.stale,
    ctx: {
      userId,
      school,
      window,
      open: filingState(now, window, snap.reopened).open,
      reopened: snap.reopened,
      next: nextWindow(now, deps.cal),
      draft: draft.draft,
      formNotice: draft.notice,
      report: reports.find((r) => r.period === window.period) ?? null,
      history: history.map((r) => ({ period: r.period, values: r.values })),
      allReports: reports,
      progress: schoolProgress(school, reports, window.period, deps.targets, now, deps.cal),
      requested,
      reviewRequired: deps.reviewRequired ?? false,
    },
  };
}

/**
 * What a school contact's event says, as the words it stands for: the text typed, a menu key's
 * word, or a card button's word (a click is read as the word typed). Null: nothing was said.
 */
function saidBySchool(inbound: Inbound): string | null {
  if (inbound.kind === 'text') return inbound.content;
  if (inbound.event === 'click') return menuWords[inbound.eventKey] ?? null;
  if (inbound.event === 'template_card_event') return buttonWord(inbound.eventKey);
  return null;
}

function stepSchool(deps: BotDeps, inbound: Inbound, session: Session, school: Extract<BotContext, { kind: 'school' }>, now: Date): Outcome {
  const outbox: EntryInit[] = [];
  if (inbound.kind === 'event' && inbound.event === 'template_card_event') {
    // The clicked card: its button is replaced by what was chosen (or by 已处理), so it cannot be clicked again.
    const live = session.card?.taskId === inbound.taskId ? session.card : null;
    const button = live?.buttons.find((b) => b.key === inbound.eventKey);
    const taken = button !== undefined || (isStanding(inbound.eventKey) && buttonWord(inbound.eventKey) !== null);
    const name = taken ? replaceName(button ?? { key: inbound.eventKey, text: buttonWord(inbound.eventKey)! }) : '已处理';
    if (inbound.responseCode) outbox.push({ id: `${turnId(inbound)}:card-update`, payload: { kind: 'card-update', to: inbound.userId, responseCode: inbound.responseCode, replaceName: name }, due: now.getTime() });
    // A button of an older card: the conversation has moved on since, and acting on it could answer a question no longer asked.
    if (!taken) return { session, replies: [{ kind: 'text', text: messages.cardExpired }], outbox };
  }
  const subscribed = inbound.kind === 'event' && inbound.event === 'subscribe';
  const text = subscribed ? '' : saidBySchool(inbound);
  // Opening the app (enter_agent) or a menu key with no meaning here: nothing to say.
  if (text === null) return { session, replies: [] };
  const normalized = normalizeInput(text);
  const command: Command | null = subscribed ? 'help' : commandOf(normalized);
  const result = stepReport(deps.form, deps.cal, { text, command, normalized }, session.report, school.ctx, now);
  const replies: Reply[] = [...result.replies];
  let card: LiveCard | null = null;
  if (result.card) {
    card = { taskId: cardTaskId(turnId(inbound)), buttons: result.card.buttons.map((b) => ({ key: b.key, text: b.text })) };
    replies.push({ kind: 'buttons', card: result.card, taskId: card.taskId });
  }
  // Every reply replaces the card whose buttons count: the one it carries, or none.
  const outcome: Outcome = { session: { ...session, report: result.state, card }, replies, outbox };
  let change = result.change;
  let ctx = school.ctx;
  if (school.staleDraft && change?.draft === undefined) {
    // The draft the form could not read goes now, so that the contact is told once; the index follows.
    change = { ...change, draft: null, history: [...(change?.history ?? []), { type: 'discard', period: ctx.window.period, by: 'system', at: now.getTime(), cells: [] }] };
    ctx = { ...ctx, draft: school.snapshot.draft };
  }
  if (change) outcome.school = schoolWrite(ctx, school.rev, school.snapshot.reportsRev, change);
  if (deps.workbench && change) outbox.push(...tileEntries(ctx.school, change.report !== undefined, now.getTime()));
  // A report sent back is submitted again: the reviewer who sent it back is told, with the buttons.
  const was = ctx.report?.review;
  if (change?.report && was?.state === 'returned' && was.by) {
    const id = `${turnId(inbound)}:resubmitted`;
    const textOf = `【重新提交】${ctx.school.name} 已按退回意见更正并重新提交 ${periodLabel(ctx.window.period)}月报（退回原因：${was.reason ?? ''}）。\n回复「查 ${ctx.school.code}」看报告，「通过 ${ctx.school.code}」或「退回 ${ctx.school.code} 原因」审核。`;
    outbox.push({ id, payload: { kind: 'message', to: [was.by], messages: [...textMessages(textOf), buttonCardMessage(reviewCard(ctx.school, ctx.window.period), cardTaskId(id))] }, due: now.getTime() });
  }
  return outcome;
}

/**
 * The workbench updates a change to a school's records calls for: each contact's tile, and after a
 * submission the staff tiles of the school's city and the province (fanned out by the outbox).
 * Ids by the minute: however many answers a minute holds, each tile is updated once in it.
 */
function tileEntries(school: School, submitted: boolean, now: number): EntryInit[] {
  const contacts = school.contacts.map((userId): EntryInit => ({ id: tileEntryId(userId, now), payload: { kind: 'workbench', userId }, due: tileDue(now) }));
  if (!submitted) return contacts;
  return [...contacts, { id: `workbench-fanout:${school.city}:${Math.floor(now / 60_000)}`, payload: { kind: 'workbench-fanout', who: 'staff', city: school.city }, due: now }];
}

/**
 * The store's write for a change to a school's records, with what is derived from them: the
 * school's status for the period (only when it changes) and, after a submission, the year's sums.
 */
function schoolWrite(ctx: SchoolContext, rev: number, reportsRev: number, change: RecordChange): SchoolChange {
  const report = change.report ?? ctx.report;
  const draft = change.draft === undefined ? ctx.draft : change.draft;
  const statusOf = (r: Report | null, d: Draft | null): IndexedStatus | null => {
    const status = filingStatus(r, d);
    return status === 'none' ? null : status;
  };
  const status = statusOf(report, draft);
  const write: SchoolChange = {
    code: ctx.school.code,
    period: ctx.window.period,
    expectedRev: rev,
    ...(change.draft !== undefined ? { draft: change.draft } : {}),
    ...(change.report ? { report: change.report } : {}),
    ...(change.reopened !== undefined ? { reopened: change.reopened } : {}),
    history: change.history,
  };
  // An answer to a draft in progress leaves the school where it was: no index write.
  if (status !== statusOf(ctx.report, ctx.draft)) write.status = status;
  if (change.report) {
    const year = ctx.progress.year;
    const reports = [...ctx.allReports.filter((r) => r.period !== ctx.window.period), change.report];
    write.ytd = yearToDate(reports, year);
    // The sums hold only if no other month's report was written meanwhile.
    write.expectedReportsRev = reportsRev;
  }
  return write;
}

/**
 * 退回's reason as it was typed (normalising for the words turns 「，」 into 「,」): the same
 * number of words from the end of the message, when its words line up with the normalised ones.
 */
function withTypedReason(command: StaffCommand, typed: string): StaffCommand {
  if (command.kind !== 'review' || command.reason === '') return command;
  const words = typed.trim().split(/\s+/u);
  const count = command.reason.split(' ').length;
  return words.length > count ? { ...command, reason: words.slice(-count).join(' ') } : command;
}

/** A staff member's message or menu click as a staff command. */
function staffCommandOf(inbound: Inbound, current: string): StaffCommand {
  if (inbound.kind === 'text') return withTypedReason(parseStaffCommand(normalizeInput(inbound.content), current), inbound.content);
  if (inbound.event === 'click') return parseStaffCommand(menuWords[inbound.eventKey] ?? '', current);
  // A review button is read as its words (通过 0101 2026-10); saying them twice is answered as such.
  if (inbound.event === 'template_card_event') return parseStaffCommand(staffButtonWord(inbound.eventKey) ?? '', current);
  return { kind: inbound.event === 'subscribe' ? 'help' : 'unknown' };
}

function stepStaffTurn(deps: BotDeps, inbound: Inbound, session: Session, staff: StaffContext, now: Date): Outcome {
  const result = stepStaff(staff, deps.cal, now);
  const effects = [...result.effects];
  // The card after 进度: a passive reply cannot carry one, so it is sent as an active message.
  const card = staff.command.kind === 'progress' ? dashboardCard(deps.links, staff.member, staff.window.period, now, deps.cal) : null;
  if (card) effects.push({ kind: 'card', card });
  // Anything but 「确认」 (or 催报 itself) withdraws a 催报 that was waiting for it.
  const waiting = session.nudge !== null && result.nudge === undefined && staff.command.kind !== 'confirm';
  const nudge = result.nudge !== undefined ? result.nudge : waiting ? null : session.nudge;
  const text = waiting ? `已取消催报。${result.text ? `\n${result.text}` : ''}` : result.text;
  const outbox = staffEntries(turnId(inbound), staff.member, effects, now);
  // A press that decided something replaces the buttons by what was chosen, so that it cannot be
  // pressed again; one that only asked for more (退回 without its reason) leaves the card as it is.
  if (inbound.kind === 'event' && inbound.event === 'template_card_event' && inbound.responseCode && effects.some((e) => e.kind === 'review')) {
    const word = staffButtonWord(inbound.eventKey);
    outbox.push({ id: `${turnId(inbound)}:card-update`, payload: { kind: 'card-update', to: inbound.userId, responseCode: inbound.responseCode, replaceName: word ? `已选：${word.split(' ')[0]}` : '已处理' }, due: now.getTime() });
  }
  return {
    session: { ...session, nudge },
    replies: text ? [{ kind: 'text', text }] : [],
    outbox,
  };
}

function stepBroadcastTurn(inbound: Inbound, session: Session, staff: StaffContext, recipients: Recipients | { refused: string } | null, now: Date): Outcome {
  const text = inbound.kind === 'text' ? inbound.content : '';
  const result = stepBroadcast(staff.member, session.broadcast, text, recipients);
  return {
    session: { ...session, broadcast: result.state, nudge: null },
    replies: result.text ? [{ kind: 'text', text: result.text }] : [],
    outbox: result.effect ? staffEntries(turnId(inbound), staff.member, [result.effect], now) : [],
  };
}
