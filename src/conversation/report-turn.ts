import { parsePeriod, periodLabel, type PeriodCalendar } from '../calendar/period';
import { formatNumber } from '../report/number-parser';
import type { Draft, HistoryEntry, Report } from '../report/records';
import { isApproved } from '../report/review';
import type { Finding } from '../report/rules';
import { STATUS_LABEL } from '../report/status';
import { STOCK_CELLS, type Values } from '../report/values';
import { SAID_MAX, type ReportState } from '../session/session';
import { findCellRef, parseAnswer, type Assignment, type NameContext } from './answer-parser';
import type { Form } from './form';
import type { CellDef, PartDef } from './form-schema';
import type { EngineInput, EngineResult, RecordChange, SchoolContext } from './report-context';
import type { ActionName, Guard, Transition } from './report-machine';
import { replies } from './report-replies';
import { closedText, filedText, generalHelp, progressText } from './report-status';
import { submit } from './report-submission';
import { answeredCount, cellHelp, cellOptions, corrections, echo, findingsText, firstUnanswered, question, rowEcho, sameLabel, totalsText, viewText, type LastFiled } from './report-texts';
import { modifyTarget, ZERO_OF_MONTH } from './vocabulary';
import { checksAfter, fixHint } from './report-checks';
import { readRow, rowCells, rowValues } from './rows';
import { unlockContact } from '../roster/places';
import { contactLabel } from '../roster/people';
import { cards, type ButtonCard } from './buttons';

/** Staff words a school contact may try; they get told what is theirs instead. */
export const STAFF_WORD = /^(未报|催报|导出|解锁|广播|查|通过|退回|待审)(?:\s|$)/u;

type Action = (state: ReportState | null, input: EngineInput) => EngineResult;

/**
 * One turn of the report conversation: the actions the state machine (report-machine.ts) names,
 * over the school's records at the start of the turn. Each action returns the next state and the
 * reply; the change to the records accumulates as the turn goes.
 *
 * Longer than most files on purpose: the actions share the turn's draft, its lines and its change,
 * and split over files they would pass all three about. Texts are in report-replies.ts, the checks
 * in report-checks.ts, the table in report-machine.ts.
 */
export class ReportTurn {
  private readonly lines: string[] = [];
  /** Findings already said in this turn, and warnings said in earlier ones: not to be said twice. */
  private readonly shown = new Set<string>();
  /** The warnings said to this person so far, kept with the state. */
  private readonly warned: string[] = [];
  private change: RecordChange | null = null;
  private draft: Draft | null;
  private lastFindings: { values: Values; findings: Finding[] } | null = null;
  /** The buttons for what the reply asks, if any (the last offered wins). */
  private card: ButtonCard | null = null;

  constructor(
    private readonly form: Form,
    private readonly cal: PeriodCalendar,
    private readonly ctx: SchoolContext,
    private readonly now: Date,
  ) {
    this.draft = ctx.draft;
  }

  get hasDraft(): boolean {
    return this.draft !== null;
  }

  /** What the state remembers of earlier turns: the warnings already said. */
  recall(state: ReportState): void {
    for (const m of state.said) this.heard(m, 'warning');
  }

  private heard(message: string, level: Finding['level']): void {
    this.shown.add(message);
    if (level === 'warning' && !this.warned.includes(message)) this.warned.push(message);
  }

  /** Runs a transition: its guards in order, then its action (or the first failing guard's). */
  run(t: Transition, state: ReportState | null, input: EngineInput): EngineResult {
    for (const [guard, otherwise] of t.guards ?? []) if (!this.holds(guard, state)) return this.actions[otherwise](state, input);
    return this.actions[t.action](state, input);
  }

  private holds(guard: Guard, state: ReportState | null): boolean {
    if (guard === 'open') return this.ctx.open;
    if (guard === 'session') return state !== null;
    if (guard === 'editable') return this.draft !== null || this.ctx.reopened || !isApproved(this.ctx.report);
    return this.draft !== null;
  }

  private readonly actions: Record<ActionName, Action> = {
    start: (s) => this.start(s),
    answer: (s, input) => this.answer(s!, input.text),
    previous: (s) => this.previous(s!),
    modify: (s, input) => this.modify(s, modifyTarget(input.normalized) ?? ''),
    view: (s) => this.view(s),
    checkSubmit: (s) => this.checkSubmit(s!),
    finalize: (s) => this.finalize(s!),
    confirmZero: (s) => this.confirmZero(s!),
    confirmDiscard: () => this.confirmDiscard(),
    confirmRow: (s) => this.confirmRow(s!),
    zeroFigures: (s, input) => this.zeroFigures(s!, input),
    same: (s) => this.same(s!),
    askZero: (s, input) => this.askZero(s, input),
    askDiscard: (s) => this.offer(cards.discard(this.ctx.window.period)).done({ ...(s ?? this.fresh()), awaiting: 'discard' }, replies.discardAsk(this.ctx.window.period, this.count(), this.ctx.report !== null)),
    pause: () => this.offer(cards.resume(this.ctx.window.period)).done(null, replies.paused(this.count(), this.form.cells.length, this.ctx.window, this.cal)),
    help: (s) => (s ? this.done(s, this.helpFor(s)) : this.done(null, generalHelp(this.ctx, this.cal))),
    progress: (s) => this.done(s, progressText(this.form, this.ctx, this.draft, this.now, this.cal)),
    staffWord: (s, input) => this.done(s, replies.staffWord(STAFF_WORD.exec(input.normalized)![1]!, this.ctx.school.name)),
    noConfirm: (s) => this.done(s, s ? `${replies.nothingToConfirm}\n${this.ask(s)}` : replies.nothingToConfirmIdle),
    idleNote: () => this.done(null, this.draft ? replies.idleWithDraft(this.count(), this.form.cells.length) : replies.idleNoDraft),
    closed: () => this.done(null, closedText(this.form, this.ctx, this.draft, this.now, this.cal)),
    closedModify: () => this.done(null, replies.closedModify(closedText(this.form, this.ctx, this.draft, this.now, this.cal), unlockContact(this.ctx.school.city))),
    approvedModify: () => this.done(null, this.filedHint(this.ctx.report!)),
    idle: () => this.done(null, this.draft ? replies.idleDraft(this.count(), this.form.cells.length) : replies.idleNone),
    lostDraft: () => this.lostDraft(),
  };

  // ── The actions with more to them ──

  private start(state: ReportState | null): EngineResult {
    const asked = this.ctx.requested;
    if (asked) this.say(replies.notFileable(asked.period, asked.why, this.ctx.window.period, unlockContact(this.ctx.school.city)));
    if (this.ctx.report && this.ctx.report.status !== 'defaulted' && !this.draft) {
      // Staff reopened this filed month so that it can be corrected: opening it is what 修改 does
      // (the month then stays in hand for the answers that follow).
      if (this.ctx.reopened) return this.modify(state, '');
      return this.done(null, this.filedHint(this.ctx.report));
    }
    const s = state ?? this.fresh();
    if (this.draft) {
      const other = this.draft.updatedBy !== this.ctx.userId ? contactLabel(this.ctx.school, this.draft.updatedBy, this.ctx.userId) : null;
      this.say(replies.resume(other, this.count(), this.form.cells.length));
      return this.done(s, this.ask(s));
    }
    this.draft = this.newDraft();
    this.record({ draft: this.draft });
    this.say(replies.begin(this.now >= this.ctx.window.closesAt, this.ctx.school.name, this.ctx.window, this.cal, this.form.parts.length, this.form.cells.length));
    this.offer(cards.begin(this.ctx.window.period));
    return this.done(s, this.ask(s));
  }

  private answer(state: ReportState, text: string): EngineResult {
    const draft = this.draft!;
    const asked = this.asked(state);
    // Filled by another contact since this person was asked: names in the reply are read as
    // usual; a bare number is refused (below).
    const taken = asked !== null && state.editing === null && draft.values[asked.id] !== undefined;
    const cell = taken ? (this.current(state) ?? asked) : asked;
    const part = cell ? this.form.place(cell.id).part : null;
    const row = readRow(text);
    if (row.kind === 'error') return this.done({ ...state, attempts: state.attempts + 1 }, `${replies.retry(row.reason, '')}\n${this.askOrEnd(state)}`);
    if (row.kind === 'row') return this.row(state, taken ? this.current(state) : cell, row.tokens);
    const answer = parseAnswer(text, this.form, { ...this.nameContext(state), current: cell, part });
    if (answer.kind === 'error') {
      const attempts = state.attempts + 1;
      const hint = cell === null || answer.which ? '' : attempts >= 3 ? `\n${cellHelp(cell, this.ctx.window.period)}` : replies.numberPlease(cell.example);
      return this.done({ ...state, attempts }, `${replies.retry(answer.reason, hint)}\n${this.askOrEnd(state)}`);
    }
    // Every cell answered and no name given: there is nothing a bare number could be for.
    if (cell === null && answer.bare) return this.done(state, replies.allFilled(this.form.cells.length, '', this.errorCount()));
    // The cell this person was asked has been filled by another contact meanwhile: a bare number
    // is theirs for that cell, never for whatever is asked now.
    if (taken && answer.bare) {
      const next: ReportState = { ...state, attempts: 0 };
      return this.done(next, `${replies.takenMeanwhile(asked, draft.updatedBy === this.ctx.userId ? null : contactLabel(this.ctx.school, draft.updatedBy, this.ctx.userId), draft.values[asked.id]!, text.trim())}\n${this.ask(next)}`);
    }
    return this.apply(state, part, answer.assignments, answer.restZero);
  }

  /** Stores an answer's values: echoes them, says the checks they settle, and asks what is next. */
  private apply(state: ReportState, part: PartDef | null, assignments: Assignment[], restZero: boolean): EngineResult {
    const before = this.draft!.values;
    const values: Values = { ...before };
    for (const a of assignments) values[a.cell.id] = a.value;
    let zeroed = 0;
    if (restZero && part) {
      for (const c of part.cells) {
        if (values[c.id] === undefined) {
          values[c.id] = 0;
          zeroed++;
        }
      }
    }
    const touched = this.form.cells.filter((c) => values[c.id] !== before[c.id]).map((c) => c.id);
    this.updateDraft(values, touched);
    // Cells of the part being asked are echoed as answers; a cell elsewhere already answered, as a
    // correction (old → new); one elsewhere not answered yet, under its part's number.
    const elsewhere = assignments.filter((a) => part === null || !part.cells.includes(a.cell));
    const answered = assignments.filter((a) => !elsewhere.includes(a));
    if (answered.length > 0 || zeroed > 0) this.say(echo(answered, zeroed, state.editing && part ? part.number : undefined));
    const corrected = elsewhere.filter((a) => before[a.cell.id] !== undefined);
    if (corrected.length > 0) this.say(corrections(corrected.map((a) => ({ cell: a.cell, old: before[a.cell.id]!, value: a.value }))));
    for (const p of this.form.parts) {
      const ahead = elsewhere.filter((a) => before[a.cell.id] === undefined && p.cells.includes(a.cell));
      if (ahead.length > 0) this.say(echo(ahead, 0, p.number));
    }
    // A correction that named the cell being corrected ends it, whether or not the value changed.
    const editingDone = state.editing !== null && assignments.some((a) => a.cell.id === state.editing);
    const next: ReportState = { ...state, editing: editingDone ? null : state.editing, attempts: 0 };
    if (assignments.length === 0 && zeroed === 0) next.editing = null;
    const notes = this.checksAfter(before, values, touched);
    if (notes) this.say(notes);
    if (this.draft!.zero && firstUnanswered(this.form, values) === null) return this.checkSubmit(next);
    return this.done(next, this.ask(next));
  }

  /**
   * A row of numbers: the rest of the part being asked, or the whole form, in the form's order.
   * Read and checked, echoed part by part, and kept in the state until 「确认」 stores it.
   */
  private row(state: ReportState, cell: CellDef | null, tokens: string[]): EngineResult {
    const target = rowCells(this.form, cell, tokens.length);
    if (target.cells === null) {
      const reason = replies.rowCount(tokens.length, target.rest, target.part?.number ?? null, cell?.name ?? null, this.form.cells.length);
      return this.done({ ...state, attempts: state.attempts + 1 }, `${reason}\n${this.askOrEnd(state)}`);
    }
    const read = rowValues(this.form, target.cells, tokens);
    if ('problems' in read) return this.done({ ...state, attempts: state.attempts + 1 }, `${replies.rowProblems(read.problems)}\n${this.askOrEnd(state)}`);
    const before = this.draft!.values;
    const after: Values = { ...before, ...read.values };
    const changed = target.cells.filter((c) => before[c.id] !== undefined && before[c.id] !== after[c.id]);
    this.say(replies.rowRead(tokens.length, rowEcho(this.form, read.values)));
    if (changed.length > 0) this.say(corrections(changed.map((c) => ({ cell: c, old: before[c.id]!, value: after[c.id]! }))));
    const touched = target.cells.filter((c) => before[c.id] !== after[c.id]).map((c) => c.id);
    const notes = this.checksAfter(before, after, touched);
    if (notes) this.say(notes);
    const errors = this.findings(after).filter((x) => x.level === 'error').length;
    return this.offer(cards.row(tokens.length)).done({ ...state, awaiting: 'row', row: read.values, attempts: 0 }, replies.rowConfirm(tokens.length, errors));
  }

  /** 「确认」 of a row: its numbers stored; a complete report without errors goes on to 提交's summary. */
  private confirmRow(state: ReportState): EngineResult {
    const row = state.row ?? {};
    const before = this.draft!.values;
    const values: Values = { ...before, ...row };
    this.updateDraft(values, this.form.cells.filter((c) => values[c.id] !== before[c.id]).map((c) => c.id));
    this.say(replies.rowStored(Object.keys(row).length));
    const next: ReportState = { ...state, awaiting: null, row: null, editing: null, attempts: 0 };
    if (firstUnanswered(this.form, values) === null && this.errorCount() === 0) return this.checkSubmit(next);
    return this.done(next, this.ask(next));
  }

  /** 「同上月」: a stock cell takes its value in the last month filed. */
  private same(state: ReportState): EngineResult {
    const cell = this.current(state);
    const stock = this.form.cells.filter((c) => STOCK_CELLS.includes(c.id)).map((c) => c.name).join('、');
    if (cell === null || !STOCK_CELLS.includes(cell.id)) return this.done(state, `${replies.sameOnlyStock(stock)}\n${this.askOrEnd(state)}`);
    const last = this.lastFiled(cell.id);
    if (last === null) return this.done(state, `${replies.sameNone(cell.name)}\n${this.ask(state)}`);
    const { part } = this.form.place(cell.id);
    return this.apply(state, part, [{ cell, value: last.value, note: `同${sameLabel(last.period, this.ctx.window.period)}` }], false);
  }

  /** A stock cell's value in the latest month filed that has one. */
  private lastFiled(cellId: string): LastFiled | null {
    if (!STOCK_CELLS.includes(cellId)) return null;
    for (let i = this.ctx.history.length - 1; i >= 0; i--) {
      const h = this.ctx.history[i]!;
      // A 0 is no school's staff or enrolment (an old default wrote it): nothing to carry.
      if ((h.values[cellId] ?? 0) > 0) return { period: h.period, value: h.values[cellId]! };
    }
    return null;
  }

  /** The question again, or the end of the form when every cell is answered. */
  private askOrEnd(state: ReportState): string {
    return this.current(state) ? this.ask(state) : replies.allFilled(this.form.cells.length, '', this.errorCount());
  }

  private previous(state: ReportState): EngineResult {
    const cell = this.current(state) ?? this.form.cells[this.form.cells.length - 1]!;
    const index = this.form.cells.indexOf(cell);
    if (index === 0 && state.editing !== null) return this.done(state, `${replies.firstAlready}\n${this.ask(state)}`);
    const prev = this.current(state) === null ? cell : this.form.cells[Math.max(0, index - 1)]!;
    const next = { ...state, editing: prev.id, attempts: 0 };
    return this.done(next, this.ask(next));
  }

  private modify(state: ReportState | null, target: string): EngineResult {
    let s = state;
    if (!this.draft) {
      const report = this.ctx.report;
      if (!report || report.status === 'defaulted') return this.actions.idle(state, { text: '', command: null, normalized: '' });
      // Reopen the filed report: a draft from its values; the filed report stands until resubmitted.
      this.draft = { ...this.newDraft(), values: { ...report.values }, zero: report.zero };
      this.record({ draft: this.draft, history: [this.entry('reopen', [])] });
      this.say(replies.reopenedFiled(this.ctx.window.period));
      s = this.fresh();
      if (target === '') return this.done(s, replies.whichAfterReopen);
    }
    s ??= this.fresh();
    if (target === '') return this.done(s, replies.which);
    const ref = findCellRef(target, this.form, this.nameContext(s));
    if (ref.kind === 'none') return this.done(s, replies.noSuchCell(target));
    if (ref.kind === 'ambiguous') {
      return this.done(s, replies.ambiguous(ref.name, cellOptions(this.form, ref.cells), this.form.place(ref.cells[0]!.id).position));
    }
    const editing: ReportState = { ...s, editing: ref.cell.id, attempts: 0 };
    if (ref.rest !== '') return this.answer(editing, `${ref.cell.name} ${ref.rest}`);
    return this.done(editing, this.ask(editing));
  }

  private view(state: ReportState | null): EngineResult {
    if (this.draft) {
      const values = this.draft.values;
      const findings = this.findings(values);
      for (const x of findings) this.heard(x.message, x.level);
      const title = replies.viewTitle(this.ctx.school.name, this.ctx.window.period, this.count(), this.form.cells.length);
      return this.done(state, viewText(this.form, values, findings, title) + (state ? `\n\n${this.ask(state)}` : `\n${replies.continueHint}`));
    }
    if (this.ctx.report) {
      const r = this.ctx.report;
      return this.done(state, viewText(this.form, r.values, this.findings(r.values), `${this.ctx.school.name} ${periodLabel(r.period)}月报（${STATUS_LABEL[r.status]}）`));
    }
    return this.done(state, replies.notStarted(this.ctx.window.period));
  }

  /** 提交: the draft complete and free of errors is shown for 「确认」, with the warnings to accept. */
  private checkSubmit(state: ReportState): EngineResult {
    const values = this.draft!.values;
    const missing = this.form.parts.map((p) => ({ p, n: p.cells.filter((c) => values[c.id] === undefined).length })).filter((x) => x.n > 0);
    if (missing.length > 0) {
      const total = missing.reduce((a, x) => a + x.n, 0);
      return this.done({ ...state, awaiting: null }, replies.missing(total, missing.map((x) => `第 ${x.p.number} 部分 ${x.n} 项`).join('、')));
    }
    const findings = this.findings(values);
    const errors = findings.filter((x) => x.level === 'error');
    if (errors.length > 0) return this.done({ ...state, awaiting: null }, replies.fixFirst(findingsText(errors), fixHint(this.form, errors[0]!)));
    const warnings = findings.filter((x) => x.level === 'warning');
    // Warnings said already are counted, not repeated; 查看 shows them all again.
    const fresh = warnings.filter((x) => !this.shown.has(x.message));
    const lines = [replies.checkBefore(this.ctx.school.name, this.ctx.window.period, this.draft!.zero), ...totalsText(this.form, values)];
    if (fresh.length > 0) lines.push(findingsText(fresh));
    if (warnings.length > fresh.length) lines.push(replies.warnedBefore(warnings.length - fresh.length));
    for (const x of fresh) this.heard(x.message, x.level);
    lines.push(replies.confirmSubmit(warnings.length > 0));
    return this.offer(cards.submit(this.ctx.window.period)).done({ ...state, awaiting: 'submit', editing: null }, lines.join('\n'));
  }

  private finalize(state: ReportState): EngineResult {
    const draft = this.draft!;
    const findings = this.findings(draft.values);
    if (firstUnanswered(this.form, draft.values) !== null || findings.some((x) => x.level === 'error')) return this.checkSubmit({ ...state, awaiting: null });
    const { report, changed, receipt } = submit(this.form, this.cal, this.ctx, draft, findings, this.now);
    this.record({ draft: null, report, ...(this.ctx.reopened ? { reopened: false } : {}), history: [{ ...this.entry('submit', changed), status: report.status }] });
    return this.done(null, receipt);
  }

  private confirmDiscard(): EngineResult {
    if (this.draft) this.record({ draft: null, history: [this.entry('discard', [])] });
    return this.done(null, replies.discarded(this.ctx.window.period, this.ctx.report !== null));
  }

  private confirmZero(state: ReportState): EngineResult {
    const keep = new Set(this.form.def.zeroReportAsks);
    const base = this.draft ?? this.newDraft();
    const carried = this.carriedStock(base);
    const values: Values = {};
    for (const c of this.form.cells) values[c.id] = keep.has(c.id) ? (base.values[c.id] ?? carried[c.id])! : 0;
    for (const id of keep) if (values[id] === undefined) delete values[id];
    this.draft = { ...base, values, zero: true, updatedBy: this.ctx.userId, updatedAt: this.now.getTime() };
    this.record({ draft: this.draft });
    const next: ReportState = { ...state, awaiting: null, editing: null, attempts: 0 };
    this.say(replies.zeroDone(this.ctx.window.period));
    if (firstUnanswered(this.form, values) !== null) return this.done(next, `${replies.zeroRest}\n${this.ask(next)}`);
    // The figures were shown with the question (「确认」提交) and confirmed with it: unless a rule
    // has something to say about them, there is nothing left to check.
    if (this.findings(values).length === 0) return this.finalize(next);
    return this.checkSubmit(next);
  }

  private askZero(state: ReportState | null, input: EngineInput): EngineResult {
    if (this.ctx.report && this.ctx.report.status !== 'defaulted' && !this.draft) return this.done(null, this.filedHint(this.ctx.report));
    const month = ZERO_OF_MONTH.exec(input.normalized);
    const own = parsePeriod(this.ctx.window.period).month;
    if (month && Number(month[1]) !== own) return this.done(state, replies.zeroOtherMonth(Number(month[1]), this.ctx.window.period));
    const s = { ...(state ?? this.fresh()), awaiting: 'zero' as const };
    const asks = this.form.def.zeroReportAsks.map((id) => this.form.place(id).cell);
    const values = this.draft?.values ?? {};
    const carried = this.carriedStock(this.draft);
    // Every figure still asked is known (from the draft, or carried from the last month filed): one 「确认」 submits.
    if (asks.every((c) => values[c.id] !== undefined || carried[c.id] !== undefined)) {
      const known = asks.map((c) => {
        const from = values[c.id] !== undefined ? '' : `（同${sameLabel(this.lastFiled(c.id)!.period, this.ctx.window.period)}）`;
        return `${c.name} ${formatNumber(values[c.id] ?? carried[c.id]!)} ${c.unit}${from}`;
      });
      return this.offer(cards.zero(this.ctx.window.period, true)).done(s, replies.zeroAskKnown(this.ctx.window.period, known.join('、'), asks[0]!.name));
    }
    return this.offer(cards.zero(this.ctx.window.period, false)).done(s, replies.zeroAsk(this.ctx.window.period, asks.map((c) => c.name).join('、')));
  }

  /**
   * A reply to the 「无培训」 question that names the figures it still asks (「专任教师数 330」):
   * they go into the draft and the question is asked again; anything else cancels it.
   */
  private zeroFigures(state: ReportState, input: EngineInput): EngineResult {
    const asks = this.form.def.zeroReportAsks.map((id) => this.form.place(id).cell);
    const part = this.form.place(asks[0]!.id).part;
    const answer = parseAnswer(input.text, this.form, { current: null, part, errorParts: new Set() });
    const ok = answer.kind === 'values' && !answer.bare && !answer.restZero && answer.assignments.length > 0 && answer.assignments.every((a) => asks.includes(a.cell));
    if (!ok) {
      this.say(replies.cancelled('zero'));
      const next = { ...state, awaiting: null };
      return this.draft ? this.done(next, this.ask(next)) : this.done(null, replies.startHint);
    }
    if (!this.draft) {
      this.draft = this.newDraft();
      this.record({ draft: this.draft });
    }
    const before = this.draft.values;
    const values: Values = { ...before };
    for (const a of answer.assignments) values[a.cell.id] = a.value;
    this.updateDraft(values, answer.assignments.map((a) => a.cell.id));
    this.say(echo(answer.assignments, 0));
    return this.askZero(state, { text: '', command: 'zero', normalized: '' });
  }

  /** The stock figures a 「无培训」 report carries from the last month filed, where the draft has none. */
  private carriedStock(draft: Draft | null): Values {
    const out: Values = {};
    for (const id of this.form.def.zeroReportAsks) {
      const last = draft?.values[id] === undefined ? this.lastFiled(id) : null;
      if (last) out[id] = last.value;
    }
    return out;
  }

  // ── Pieces ──

  /** The question now: the cell being corrected, else the first unanswered, else the end of the form. */
  ask(state: ReportState): string {
    const values = this.draft?.values ?? {};
    const cell = this.current(state);
    if (cell === null) {
      const findings = this.findings(values);
      const unsaid = findings.filter((x) => !this.shown.has(x.message));
      for (const x of unsaid) this.heard(x.message, x.level);
      const errors = findings.filter((x) => x.level === 'error').length;
      if (errors === 0) this.offer(cards.filled(this.ctx.window.period));
      return replies.allFilled(this.form.cells.length, findingsText(unsaid), errors);
    }
    const last = values[cell.id] === undefined ? this.lastFiled(cell.id) : null;
    if (last) this.offer(cards.same(cell.name, `${formatNumber(last.value)} ${cell.unit}`, sameLabel(last.period, this.ctx.window.period)));
    return question(this.form, cell, values, state.editing !== null, state.asked === cell.id, this.ctx.window.period, last);
  }

  private current(state: ReportState): CellDef | null {
    if (state.editing && this.form.hasCell(state.editing)) return this.form.place(state.editing).cell;
    return firstUnanswered(this.form, this.draft?.values ?? {});
  }

  /** The cell an answer belongs to: the one being corrected, else the one this person was asked. */
  private asked(state: ReportState): CellDef | null {
    if (state.editing && this.form.hasCell(state.editing)) return this.form.place(state.editing).cell;
    if (state.asked && this.form.hasCell(state.asked)) return this.form.place(state.asked).cell;
    return this.current(state);
  }

  /** How many rule errors the draft has now (提交 cannot succeed while any is open). */
  private errorCount(): number {
    return this.draft ? this.findings(this.draft.values).filter((x) => x.level === 'error').length : 0;
  }

  /** Where names in a reply are read: the cell asked and its part, and the parts an open error names. */
  private nameContext(state: ReportState): NameContext {
    const current = this.asked(state);
    const errors = this.draft ? this.findings(this.draft.values).filter((x) => x.level === 'error') : [];
    return { current, part: current ? this.form.place(current.id).part : null, errorParts: new Set(errors.flatMap((x) => x.cells.map((id) => this.form.place(id).part.id))) };
  }

  /** The findings to say after an answer (report-checks.ts), remembered as said. */
  private checksAfter(before: Values, after: Values, touched: string[]): string {
    const { text, said } = checksAfter(this.form, (v) => this.findings(v), before, after, touched, this.shown);
    for (const x of said) this.heard(x.message, x.level);
    return text;
  }

  /** The rules' findings for a set of values; a turn asks about the same values several times, so the last is kept. */
  private findings(values: Values): Finding[] {
    if (this.lastFindings?.values !== values) this.lastFindings = { values, findings: this.form.findings(values, { history: this.ctx.history }) };
    return this.lastFindings.findings;
  }

  private updateDraft(values: Values, touched: string[]): void {
    const before = this.draft!.values;
    const edits = touched.filter((id) => before[id] !== undefined).map((id) => ({ id, old: before[id] ?? null, new: values[id] ?? null }));
    this.draft = { ...this.draft!, values, updatedBy: this.ctx.userId, updatedAt: this.now.getTime() };
    this.record({ draft: this.draft, ...(edits.length > 0 ? { history: [this.entry('edit', edits)] } : {}) });
  }

  private record(change: Partial<RecordChange>): void {
    const history = [...(this.change?.history ?? []), ...(change.history ?? [])];
    this.change = { ...this.change, ...change, history };
  }

  private entry(type: HistoryEntry['type'], cells: HistoryEntry['cells']): HistoryEntry {
    return { type, period: this.ctx.window.period, by: this.ctx.userId, at: this.now.getTime(), cells };
  }

  private newDraft(): Draft {
    const at = this.now.getTime();
    return { v: 1, form: this.form.version, values: {}, startedBy: this.ctx.userId, startedAt: at, updatedBy: this.ctx.userId, updatedAt: at, zero: false };
  }

  private fresh(): ReportState {
    return { school: this.ctx.school.code, period: this.ctx.window.period, editing: null, awaiting: null, attempts: 0, asked: null, form: this.form.version, row: null, said: [] };
  }

  private count(): number {
    return answeredCount(this.form, this.draft?.values ?? {});
  }

  private helpFor(state: ReportState): string {
    const cell = this.current(state);
    return cell ? `${cellHelp(cell, this.ctx.window.period)}\n\n${this.ask(state)}` : generalHelp(this.ctx, this.cal);
  }

  /** Where the filed report stands, and how it can be corrected: 修改, or — once approved — an unlock by staff. */
  private filedHint(report: Report): string {
    const filed = filedText(report, this.ctx.school, this.cal, this.ctx.userId);
    if (isApproved(report) && !this.ctx.reopened) return replies.approvedModify(filed, unlockContact(this.ctx.school.city));
    return replies.filedModify(filed);
  }

  private lostDraft(): EngineResult {
    const r = this.ctx.report;
    if (r && r.status !== 'defaulted') return this.done(null, this.filedHint(r));
    return this.done(null, replies.draftGone);
  }

  say(line: string): void {
    this.lines.push(line);
  }

  /** Buttons for what this reply asks; a later offer in the same turn replaces an earlier one. */
  private offer(card: ButtonCard): this {
    this.card = card;
    return this;
  }

  done(state: ReportState | null, last: string): EngineResult {
    const text = [...this.lines, last].filter(Boolean).join('\n');
    const said = this.warned.slice(-SAID_MAX);
    const next = state && (!state.awaiting ? { ...state, asked: this.current(state)?.id ?? null, said } : { ...state, said });
    return { state: next, replies: [{ kind: 'text', text }], change: this.change, ...(this.card ? { card: this.card } : {}) };
  }
}
