import pLimit from 'p-limit';
import type { FilingSettings } from '../conversation/filing-settings';
import { sleep, type Clock } from '../clock/clock';
import { firstPeriodIn } from '../calendar/deployment';
import { readReportBook } from '../export/report-book';
import { WorkbookTooLarge, writeReportWorkbook } from '../export/xlsx-thread';
import type { Targets } from '../targets/targets';
import { dedupeSeconds, messageHandler } from '../delivery/deliver-message';
import { deliveryReportText, summarize } from '../delivery/delivery-report';
import type { Leased } from '../outbox/entry';
import type { OutboxStore } from '../store/outbox-store';
import type { Handled, HandlerContext, Handlers } from '../delivery/worker';
import { nudgeSchools } from '../nudge/nudge-service';
import { currentWindow, parsePeriod, periodLabel, windowFor } from '../calendar/period';
import { schoolTile, staffTile, tileDue, tileEntryId, TILE_TEMPLATE } from '../conversation/workbench';
import { answeredCount } from '../conversation/report-texts';
import type { WeComMessage } from '../outbox/entry';
import { decided } from '../report/review';
import { readReport } from '../conversation/form-versions';
import { yearToDate } from '../report/progress';
import { nextSendingTime } from '../calendar/schedule';
import type { AuditEntry, AuditLog } from '../store/audit-log';
import type { RecordsStore } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';
import type { Markers } from '../store/markers';
import type { SendBudget } from '../store/send-budget';
import { classifyFailure } from '../wecom/api-error';
import { buttonCardMessage, cardTaskId, MEMBER_LIMITS, textMessages, type WeComSender } from '../wecom/sender';
import { cards } from '../conversation/buttons';

export interface FollowUpDeps extends FilingSettings {
  roster: RosterStore;
  records: RecordsStore;
  markers: Markers;
  audit: AuditLog;
  budget: SendBudget;
  outbox: OutboxStore;
  sender: WeComSender;
  /** Real time, for WeCom's per-member limits. */
  realClock: Clock;
  /** The year's targets, for the summary sheet of a province-wide export. */
  targets?: Targets;
  /** Something was written for `owner`'s partition: deliver it soon. */
  kick: (owner: string) => void;
  /** WORKBENCH: a review changes the school's contacts' tiles. */
  workbench?: boolean;
}

/** How long a delivery report waits in hand for its messages before it looks again later. */
const REPORT_WAIT_MS = 3_000;

/** An export that failed this often tells the staff member, rather than keep them waiting. */
const EXPORT_ATTEMPTS = 3;

/**
 * What the outbox does with each kind of entry: send a message; or carry out a follow-up that a
 * commit could not do in its own hash slot — a reopen, a 催报's fan-out to schools, an export —
 * and the delivery report once the messages of an action are out.
 */
export function followUpHandlers(deps: FollowUpDeps): Handlers {
  return {
    message: messageHandler({ sender: deps.sender, budget: deps.budget, limits: MEMBER_LIMITS, realClock: deps.realClock }),
    'card-update': (entry) => updateCard(deps, entry),
    export: (entry, ctx) => exportFile(deps, entry, ctx),
    reopen: (entry, ctx) => reopen(deps, entry, ctx),
    review: (entry, ctx) => review(deps, entry, ctx),
    recall: (entry, ctx) => recallBroadcast(deps, entry, ctx),
    'workbench-template': () => workbenchTemplate(deps),
    'workbench-fanout': (entry, ctx) => workbenchFanout(deps, entry, ctx),
    workbench: (entry, ctx) => workbenchTile(deps, entry, ctx),
    nudge: (entry, ctx) => nudge(deps, entry, ctx),
    report: (entry, ctx) => report(deps, entry, ctx),
  };
}

/** A clicked card's button replaced by what was chosen, so that it cannot be clicked again. */
async function updateCard(deps: FollowUpDeps, entry: Leased): Promise<Handled> {
  if (entry.payload.kind !== 'card-update') throw new Error(`not a card update: ${entry.id}`);
  const p = entry.payload;
  try {
    await deps.sender.updateButton(p.to, p.responseCode, p.replaceName);
  } catch (error) {
    // A code spent or past its 72 hours stays so: given up at once (classifyFailure: permanent).
    return { kind: 'failed', failure: classifyFailure(error) };
  }
  return { kind: 'finish', state: 'sent' };
}

async function reopen(deps: FollowUpDeps, entry: Leased, ctx: HandlerContext): Promise<Handled> {
  if (entry.payload.kind !== 'reopen') throw new Error(`not a reopen: ${entry.id}`);
  const p = entry.payload;
  const history = { type: 'reopen' as const, period: p.period, by: p.by, at: p.at, cells: [] };
  const sendAt = nextSendingTime(new Date(ctx.now), deps.schedule, deps.cal).getTime();
  // The notice, and a button that opens the month (补报 10月).
  const messages = [...textMessages(p.notice), buttonCardMessage(cards.reopened(p.period), cardTaskId(`${entry.id}:notice`))];
  const notice = p.contacts.length > 0 ? { id: `${entry.id}:notice`, payload: { kind: 'message' as const, to: p.contacts, messages }, due: sendAt } : null;
  await deps.records.reopen(p.school, p.period, entry.id, history, notice, ctx.now);
  await deps.audit.append({ action: 'reopen', by: p.by, at: p.at, school: p.school, period: p.period }, entry.id);
  deps.kick(p.school);
  return { kind: 'finish', state: 'done' };
}

/**
 * A review decision, applied in the school's partition through the one write path (a commit at
 * the records' revision): the report's review, the reopen flag (退回), the history entry and the
 * year's sums (a report that needs review counts once approved). Applied once: a retry finds its
 * own decision on the report and only makes sure of the notice and the audit line, which are
 * keyed by this entry. A report resubmitted (or being corrected) since staff looked is left alone,
 * and the staff member is told.
 */
async function review(deps: FollowUpDeps, entry: Leased, ctx: HandlerContext): Promise<Handled> {
  if (entry.payload.kind !== 'review') throw new Error(`not a review: ${entry.id}`);
  const p = entry.payload;
  const snap = await deps.records.read(p.school, p.period);
  const report = snap.reports[p.period];
  const tell = async (id: string, to: string[], messages: WeComMessage[], owner: string) => {
    const due = nextSendingTime(new Date(ctx.now), deps.schedule, deps.cal).getTime();
    if (to.length > 0) await deps.outbox.enqueue(owner, [{ id, payload: { kind: 'message', to, messages }, due }], ctx.now);
    deps.kick(owner);
  };
  if (report?.review?.id !== entry.id) {
    if (!report || report.submittedAt !== p.submittedAt || snap.draft !== null) {
      const why = snap.draft !== null ? '学校正在修改这份报告' : '学校在您审核前重新提交了报告';
      await tell(`${entry.id}:stale`, [p.by], textMessages(`${periodLabel(p.period)}月报的${p.decision === 'approve' ? '通过' : '退回'}没有执行：${why}。请回复「查 ${p.school}」看最新的报告后再审核。`), entry.owner);
      return { kind: 'finish', state: 'done' };
    }
    const next = decided(report, { decision: p.decision, by: p.by, byName: p.byName, at: p.at, id: entry.id, ...(p.reason ? { reason: p.reason } : {}) });
    const year = parsePeriod(p.period).year;
    // Each report read through its own form version, as a submission's sums are.
    const reports = [...Object.values(snap.reports).filter((r) => r.period !== p.period).map((r) => readReport(deps.form, r)), readReport(deps.form, next)];
    const committed = await deps.records.commit({
      code: p.school,
      period: p.period,
      expectedRev: snap.rev,
      report: next,
      // 退回 opens the month for the school's correction; 通过 closes one an earlier 退回 left open.
      ...(p.decision === 'return' ? { reopened: true } : snap.reopened ? { reopened: false } : {}),
      history: [{ type: p.decision, period: p.period, by: p.by, at: p.at, cells: [], ...(p.reason ? { reason: p.reason } : {}) }],
      ytd: yearToDate(reports, year),
      expectedReportsRev: snap.reportsRev,
    });
    // Someone wrote the school's records meanwhile: read again and decide again, shortly.
    if (!committed) return { kind: 'later', due: ctx.now + 200 };
  }
  const messages = [...textMessages(p.notice), ...(p.decision === 'return' ? [buttonCardMessage(cards.reopened(p.period), cardTaskId(`${entry.id}:notice`))] : [])];
  await tell(`${entry.id}:notice`, p.contacts, messages, p.school);
  if (deps.workbench) await deps.outbox.enqueue(p.school, p.contacts.map((userId) => ({ id: tileEntryId(userId, ctx.now), payload: { kind: 'workbench' as const, userId }, due: tileDue(ctx.now) })), ctx.now);
  await deps.audit.append({ action: p.decision === 'approve' ? 'approve' : 'return', by: p.by, at: p.at, school: p.school, period: p.period, ...(p.reason ? { reason: p.reason } : {}) }, entry.id);
  return { kind: 'finish', state: 'done' };
}

/** How long a recalled broadcast's mark is kept (longer than anyone looks back in 广播记录). */
const RECALLED_KEEP_MS = 45 * 24 * 3_600_000;

/**
 * 撤回: every msgid the broadcast's message entries got back from WeCom, recalled (message/recall).
 * A retry after a death midway asks again; a message it had recalled comes back as recalled
 * already and is counted so. Then the broadcast is marked recalled, the staff member told how
 * many were and which could not be, and the action audited (once, by this entry).
 */
async function recallBroadcast(deps: FollowUpDeps, entry: Leased, ctx: HandlerContext): Promise<Handled> {
  if (entry.payload.kind !== 'recall') throw new Error(`not a recall: ${entry.id}`);
  const p = entry.payload;
  const chunks = (await deps.outbox.get(p.chunks)).filter((e) => e !== null);
  const msgIds = chunks.flatMap((e) => e.result.msgIds);
  let recalled = 0;
  const refused: string[] = [];
  try {
    for (const msgid of msgIds) {
      const answer = await deps.sender.recall(msgid);
      if (answer === null || /recalled|撤回/iu.test(answer.errmsg)) recalled++;
      else refused.push(answer.errmsg);
    }
  } catch (error) {
    return { kind: 'failed', failure: classifyFailure(error) };
  }
  await deps.markers.markOnce('recall', [p.ref], RECALLED_KEEP_MS);
  const people = chunks.reduce((n, e) => n + (e.payload.kind === 'message' ? e.payload.to.length : 0), 0);
  const text =
    msgIds.length === 0
      ? `${p.label}没有已发出的消息可撤回（可能还没有发出）。`
      : `撤回完成：${p.label}（${people} 人）${recalled} 条消息已撤回${refused.length > 0 ? `，${refused.length} 条未能撤回（${[...new Set(refused)].join('；')}）` : ''}。`;
  await deps.outbox.enqueue(entry.owner, [{ id: `${entry.id}:report`, payload: { kind: 'message', to: [p.by], messages: textMessages(text) }, due: ctx.now }], ctx.now);
  await deps.audit.append({ action: 'recall', by: p.by, at: p.at, broadcast: p.ref, recalled, refused: refused.length }, entry.id);
  deps.kick(entry.owner);
  return { kind: 'finish', state: 'done' };
}

async function workbenchTemplate(deps: FollowUpDeps): Promise<Handled> {
  try {
    await deps.sender.setWorkbenchTemplate(TILE_TEMPLATE);
  } catch (error) {
    return { kind: 'failed', failure: classifyFailure(error) };
  }
  return { kind: 'finish', state: 'done' };
}

/** Each touched person's tile update, in their own partition, coalesced by the minute like any other. */
async function workbenchFanout(deps: FollowUpDeps, entry: Leased, ctx: HandlerContext): Promise<Handled> {
  if (entry.payload.kind !== 'workbench-fanout') throw new Error(`not a workbench fan-out: ${entry.id}`);
  const p = entry.payload;
  const roster = await deps.roster.read();
  const staff = Object.values(roster.staff).filter((m) => m.role === 'province' || p.city === null || m.city === p.city).map((m) => m.userId);
  const users = p.who === 'everyone' ? [...staff, ...Object.keys(roster.contacts)] : staff;
  await Promise.all(
    users.map(async (userId) => {
      await deps.outbox.enqueue(userId, [{ id: tileEntryId(userId, ctx.now), payload: { kind: 'workbench', userId }, due: tileDue(ctx.now) }], ctx.now);
      deps.kick(userId);
    }),
  );
  return { kind: 'finish', state: 'done' };
}

/** One person's tile as it stands when the update goes out (whatever changed within its minute). */
async function workbenchTile(deps: FollowUpDeps, entry: Leased, ctx: HandlerContext): Promise<Handled> {
  if (entry.payload.kind !== 'workbench') throw new Error(`not a workbench update: ${entry.id}`);
  const userId = entry.payload.userId;
  const now = new Date(ctx.now);
  const window = currentWindow(now, deps.cal);
  const { member, school } = await deps.roster.whois(userId);
  if (member === null) return { kind: 'finish', state: 'done' };
  let items;
  if (member.role === 'school' && school) {
    const snap = await deps.records.read(school.code, window.period);
    items = schoolTile(window, now, deps.cal, snap.reports[window.period] ?? null, snap.draft ? answeredCount(deps.form, snap.draft.values) : null, deps.form.cells.length);
  } else if (member.role !== 'school') {
    const index = await deps.roster.index();
    const codes = member.role === 'province' ? index.all : (index.byCity[member.city] ?? []);
    const sets = await deps.records.statusSets(window.period, ['filed', 'late']);
    const filed = new Set([...sets.filed, ...sets.late]);
    items = staffTile(window, now, deps.cal, codes.filter((c) => filed.has(c)).length, codes.length, member.role === 'province' ? '全省' : member.city);
  } else return { kind: 'finish', state: 'done' };
  try {
    await deps.sender.setWorkbenchData(userId, items);
  } catch (error) {
    return { kind: 'failed', failure: classifyFailure(error) };
  }
  return { kind: 'finish', state: 'sent' };
}

async function nudge(deps: FollowUpDeps, entry: Leased, ctx: HandlerContext): Promise<Handled> {
  if (entry.payload.kind !== 'nudge') throw new Error(`not a nudge: ${entry.id}`);
  const p = entry.payload;
  // Held past the close (the instance was down through it): nobody is nudged for a closed month.
  if (ctx.now >= windowFor(p.period, deps.cal).closesAt.getTime()) {
    const text = `${periodLabel(p.period)}月报已截止，${p.label}的催报没有发出。`;
    await deps.outbox.enqueue(entry.owner, [{ id: `${entry.id}:closed`, payload: { kind: 'message', to: [p.by], messages: textMessages(text) }, due: ctx.now }], ctx.now);
    deps.kick(entry.owner);
    return { kind: 'finish', state: 'done' };
  }
  const run = await nudgeSchools(
    { roster: deps.roster, records: deps.records, form: deps.form, cal: deps.cal, work: deps.work, intervalMs: deps.nudgeIntervalMs },
    { period: p.period, codes: p.schools, sendAt: p.sendAt, now: ctx.now, idOf: (code) => `${entry.id}:${code}` },
  );
  const hours = Math.round(deps.nudgeIntervalMs / 3_600_000);
  const notes = [
    run.recent.length ? `跳过 ${run.recent.length} 所（${hours} 小时内已提醒过）。` : '',
    run.filed.length ? `${run.filed.length} 所刚刚已提交，不再提醒。` : '',
    run.noContacts.length ? `${run.noContacts.length} 所学校没有登记填报人，请补充名单。` : '',
    run.unknown.length ? `${run.unknown.length} 所学校已不在名单中。` : '',
  ].filter(Boolean);
  await deps.outbox.enqueue(
    entry.owner,
    [
      {
        id: `${entry.id}:report`,
        payload: {
          kind: 'report',
          to: p.by,
          of: run.queued,
          head: `催报完成：${p.label} ${run.queued.length} 所学校`,
          notes,
          audit: { action: 'nudge', by: p.by, at: ctx.now, period: p.period, schools: run.queued.length },
        },
        due: p.sendAt,
      },
    ],
    ctx.now,
  );
  for (const ref of run.queued) deps.kick(ref.owner);
  deps.kick(entry.owner);
  return { kind: 'finish', state: 'done' };
}

/**
 * Waits until every entry it reports on is final — a few seconds here, as those are usually being
 * sent right now, then again later — then tells the staff member and logs the action.
 */
async function report(deps: FollowUpDeps, entry: Leased, ctx: HandlerContext): Promise<Handled> {
  if (entry.payload.kind !== 'report') throw new Error(`not a report: ${entry.id}`);
  const p = entry.payload;
  let entries = await deps.outbox.get(p.of);
  let summary = summarize(entries);
  // Entries due now are being sent: wait for them a little. Ones put off (a back-off, a limit, the
  // morning) are looked at again when they come due.
  const dueLater = () => entries.filter((e) => e !== null && e.state === 'pending' && e.due > ctx.now + 1_000).map((e) => e!.due);
  for (let waited = 0; summary.pending > dueLater().length && waited < REPORT_WAIT_MS; waited += 100) {
    await sleep(100);
    entries = await deps.outbox.get(p.of);
    summary = summarize(entries);
  }
  if (summary.pending > 0) {
    const later = dueLater();
    // Looked at again when the entries it waits for come due, or soon (later the longer it has waited).
    const next = later.length === summary.pending ? Math.min(...later) : ctx.now + Math.min(60_000, Math.max(2_000, (ctx.now - entry.createdAt) / 4));
    return { kind: 'later', due: next };
  }
  const text = deliveryReportText(p.head, summary, p.notes);
  await deps.outbox.enqueue(entry.owner, [{ id: `${entry.id}:message`, payload: { kind: 'message', to: [p.to], messages: textMessages(text) }, due: ctx.now }], ctx.now);
  await deps.audit.append({ ...(p.audit as AuditEntry), sent: summary.reached.length, invalid: summary.invalid.length, failed: summary.failed.length }, entry.id);
  deps.kick(entry.owner);
  return { kind: 'finish', state: 'done' };
}

/**
 * One workbook built at a time per process. A province-wide export of 20,000 schools takes seconds
 * of CPU and hundreds of MiB: made on a thread of its own (writeReportWorkbook), but several at
 * once (staff asking together) would take both cores and the memory from the callbacks. The others
 * wait here, their entries leased.
 */
const workbookSlot = pLimit(1);

/** What a handler that lost its entry's lease returns: the entry's next holder goes on. */
const LEASE_LOST: Handled = { kind: 'failed', failure: { kind: 'transient', reason: 'lease lost' } };

/**
 * The period's table as an .xlsx in the staff member's chat. The uploaded file's media id is kept
 * before it is sent, so that a resend is the same request (WeCom's duplicate check).
 */
async function exportFile(deps: FollowUpDeps, entry: Leased, ctx: HandlerContext): Promise<Handled> {
  if (entry.payload.kind !== 'export') throw new Error(`not an export: ${entry.id}`);
  const p = entry.payload;
  let media = entry.media;
  /** The sheet's rows, known once built; a resend that finds the file uploaded counts the scope's schools instead. */
  let rows: number | null = null;
  try {
    if (media === null) {
      const file = await workbookSlot(async () => {
        // The wait for the slot can outlast the lease: hold the entry for the build, or leave it to its next holder.
        if (!(await ctx.progress({ progress: 0, result: entry.result }))) return null;
        const input = await readReportBook(deps, deps.form, p.period, { filter: p.filter, first: await firstPeriodIn(deps.markers, deps.firstPeriod, deps.cal), ...(deps.targets ? { targets: deps.targets } : {}), now: new Date(ctx.now) });
        const written = await writeReportWorkbook(deps.form, deps.cal, input, `${periodLabel(p.period)}职业培训情况月报表`);
        rows = written.rows;
        return written.file;
      });
      if (file === null) return LEASE_LOST;
      media = await deps.sender.upload(p.fileName, file);
      // A build longer than the lease: another instance has the entry now and sends its own file.
      if (!(await ctx.progress({ progress: 0, result: entry.result, media }))) return LEASE_LOST;
    }
    const answer = await deps.sender.post([p.to], { msgtype: 'file', file: { media_id: media } }, dedupeSeconds(entry.id));
    const sent = answer.invalid.length + answer.unlicensed.length === 0;
    rows ??= (await deps.roster.codesIn(p.filter)).length;
    await deps.audit.append({ action: 'export', by: p.by, at: ctx.now, period: p.period, rows, sent: sent ? 1 : 0 }, entry.id);
    return { kind: 'finish', state: sent ? 'sent' : 'invalid', result: { msgIds: answer.msgId ? [answer.msgId] : [], invalid: answer.invalid, unlicensed: answer.unlicensed } };
  } catch (error) {
    // Too big for the thread's heap is too big the next time as well: said at once, not tried
    // again, and what is left is the table itself (the CLI's CSV).
    const tooLarge = error instanceof WorkbookTooLarge;
    const failure = tooLarge ? { kind: 'permanent' as const, reason: `表格超出了导出可用的内存（${error.maxHeapMb} MB）` } : classifyFailure(error);
    if (failure.kind !== 'permanent' && entry.failures + 1 < EXPORT_ATTEMPTS) return { kind: 'failed', failure };
    const advice = tooLarge ? '请管理员用命令行导出 CSV 表格（npm run cli -- export --format csv）。' : '请稍后再试，或请管理员用命令行导出。';
    const text = `月报表发送失败：${failure.reason}。${advice}`;
    await deps.outbox.enqueue(entry.owner, [{ id: `${entry.id}:error`, payload: { kind: 'message', to: [p.to], messages: textMessages(text) }, due: ctx.now }], ctx.now);
    deps.kick(entry.owner);
    return { kind: 'finish', state: 'failed', error: failure.reason };
  }
}
