import { dueDateLabel, periodLabel, type PeriodCalendar } from '../calendar/period';
import type { Draft, HistoryEntry } from '../report/records';
import { STATUS_LABEL } from '../report/status';
import type { Finding } from '../report/rules';
import type { Values } from '../report/values';
import type { ReportState } from '../session/session';
import { findCellRef, parseAnswer } from './answer-parser';
import type { Form } from './form';
import type { CellDef } from './form-schema';
import { answeredCount, cellHelp, echo, findingsText, firstUnanswered, question, totalsText, viewText } from './report-texts';
import { closedText, filedText, generalHelp, progressText } from './report-status';
import { submit } from './report-submission';
import { modifyTarget } from './vocabulary';
import { formatNumber } from '../report/number-parser';
import type { EngineInput, EngineResult, RecordChange, SchoolContext } from './report-context';

export type { EngineInput, EngineResult, RecordChange, SchoolContext } from './report-context';

/** Staff words a school contact may try; they get told what is theirs instead. */
const STAFF_WORD = /^(未报|催报|导出|解锁|广播|查)(?:\s|$)/u;

/**
 * One step of a school contact's report conversation. Pure: it reads the state, the school's
 * records and the time, and returns the next state, the replies and the change to store.
 */
export function stepReport(form: Form, cal: PeriodCalendar, input: EngineInput, state: ReportState | null, ctx: SchoolContext, now: Date): EngineResult {
  return new ReportTurn(form, cal, ctx, now).run(input, state);
}

class ReportTurn {
  private readonly lines: string[] = [];
  /** Findings already said in this turn, not to be said twice. */
  private readonly shown = new Set<string>();
  private change: RecordChange | null = null;
  private draft: Draft | null;

  constructor(
    private readonly form: Form,
    private readonly cal: PeriodCalendar,
    private readonly ctx: SchoolContext,
    private readonly now: Date,
  ) {
    this.draft = ctx.draft;
  }

  run(input: EngineInput, given: ReportState | null): EngineResult {
    let state = given;
    if (state && (state.period !== this.ctx.window.period || state.school !== this.ctx.school.code)) {
      // Moving on to a new month ends the old one; going back to a month staff reopened does not.
      this.say(state.period < this.ctx.window.period ? `${periodLabel(state.period)}的填写已经结束。` : `现在先补报 ${periodLabel(this.ctx.window.period)}的月报（已由工作人员解锁）。`);
      state = null;
    }
    if (state?.awaiting) {
      if (input.command === 'confirm') return this.confirm(state);
      if (input.command === 'submit' && state.awaiting === 'submit') return this.submit(state);
      this.say(state.awaiting === 'submit' ? '已取消提交。' : state.awaiting === 'discard' ? '已取消放弃，草稿保留。' : '已取消。');
      state = { ...state, awaiting: null };
      if (!this.draft) return this.done(null, '回复「填报」开始填写本期月报。');
      if (input.command === null && modifyTarget(input.normalized) === null) return this.done(state, this.ask(state));
    }
    switch (input.command) {
      case 'report':
      case 'continue':
        return this.start(state);
      case 'help':
        return state ? this.done(state, this.helpFor(state)) : this.done(null, generalHelp(this.ctx, this.cal));
      case 'view':
        return this.view(state);
      case 'submit':
        return this.submit(state);
      case 'confirm':
        return this.done(state, state ? `现在没有需要确认的操作。\n${this.ask(state)}` : '现在没有需要确认的操作。回复「填报」开始或继续填写本期月报。');
      case 'zero':
        return this.zero(state);
      case 'pause':
        return this.pause(state);
      case 'discard':
        return this.discard(state);
      case 'previous':
        return this.previous(state);
      case 'progress':
        return this.done(state, progressText(this.form, this.ctx, this.draft, this.now, this.cal));
      default:
        break;
    }
    if (STAFF_WORD.test(input.normalized)) {
      const word = STAFF_WORD.exec(input.normalized)![1]!;
      return this.done(state, `「${word}」是教育部门工作人员的功能。您是 ${this.ctx.school.name} 的填报人，可以回复：填报、进度、查看、帮助。`);
    }
    const target = modifyTarget(input.normalized);
    if (target !== null) return this.modify(state, target);
    if (state) return this.answer(state, input.text);
    return this.done(null, this.draft ? `本期月报已填 ${this.count()}/${this.form.cells.length} 项，回复「继续」接着填。` : '回复「填报」开始填写本期月报，回复「帮助」查看说明。');
  }

  // ── The flow ──

  private start(state: ReportState | null): EngineResult {
    if (!this.ctx.open) return this.done(null, closedText(this.form, this.ctx, this.draft, this.now, this.cal));
    if (this.ctx.report && this.ctx.report.status !== 'defaulted' && !this.draft) {
      return this.done(null, `${filedText(this.ctx.report, this.cal)}\n如需修改，回复「修改」。`);
    }
    const s = state ?? this.fresh();
    if (this.draft) {
      const who = this.draft.updatedBy !== this.ctx.userId ? `正在由 ${this.draft.updatedBy} 填报，` : '继续填写，';
      this.say(`${who}已完成 ${this.count()}/${this.form.cells.length}${this.draft.updatedBy !== this.ctx.userId ? '，您可以接着填：' : '：'}`);
      return this.done(s, this.ask(s));
    }
    this.draft = this.newDraft();
    this.record({ draft: this.draft });
    const late = this.now >= this.ctx.window.closesAt;
    this.say(
      `${late ? '开始补报' : '开始填写'} ${this.ctx.school.name} ${periodLabel(this.ctx.window.period)}培训月报（统计该月完成的培训），${late ? '已由工作人员解锁' : `截止 ${dueDateLabel(this.ctx.window, this.cal)}`}。\n` +
        `共 ${this.form.parts.length} 部分 ${this.form.cells.length} 项，每次回复一个数字，同一部分也可一次回复多项。随时可回复：上一项、修改 项目、查看、暂停、提交、本月无培训、帮助。`,
    );
    return this.done(s, this.ask(s));
  }

  private answer(state: ReportState, text: string): EngineResult {
    if (!this.ctx.open) return this.done(null, closedText(this.form, this.ctx, this.draft, this.now, this.cal));
    if (!this.draft) return this.lostDraft();
    const asked = this.asked(state);
    // Filled by another contact since this person was asked: names in the reply are read in the
    // part now being filled; a bare number is refused (below).
    const taken = asked !== null && state.editing === null && this.draft.values[asked.id] !== undefined;
    const cell = taken ? (this.current(state) ?? asked) : asked;
    if (cell === null) return this.done(state, `${this.form.cells.length} 项都已填完。回复「提交」提交，回复「修改 项目」更正，回复「查看」核对。`);
    const part = this.form.place(cell.id).part;
    const answer = parseAnswer(text, this.form, part, cell);
    if (answer.kind === 'error') {
      const attempts = state.attempts + 1;
      const hint = attempts >= 3 ? `\n${cellHelp(cell)}` : `请回复一个数字，例如 ${cell.example}。`;
      return this.done({ ...state, attempts }, `${answer.reason}。${hint}\n${this.ask(state)}`);
    }
    const before = this.draft.values;
    // The cell this person was asked has been filled by another contact meanwhile: a bare number
    // is theirs for that cell, never for whatever is asked now.
    if (taken && answer.bare) {
      const by = this.draft.updatedBy === this.ctx.userId ? '' : `由 ${this.draft.updatedBy} `;
      const next: ReportState = { ...state, attempts: 0 };
      return this.done(next, `「${asked.name}」刚才已${by}填为 ${formatNumber(before[asked.id]!)}，您的「${text.trim()}」没有记录。如要改为您的数字，请回复「修改 ${asked.name} ${text.trim()}」。\n${this.ask(next)}`);
    }
    const values: Values = { ...before };
    for (const a of answer.assignments) values[a.cell.id] = a.value;
    let restZero = 0;
    if (answer.restZero) {
      for (const c of part.cells) {
        if (values[c.id] === undefined) {
          values[c.id] = 0;
          restZero++;
        }
      }
    }
    const touched = part.cells.filter((c) => values[c.id] !== before[c.id]).map((c) => c.id);
    this.updateDraft(values, touched);
    this.say(echo(answer.assignments, restZero, state.editing ? part.number : undefined));
    const next: ReportState = { ...state, editing: state.editing && values[state.editing] !== before[state.editing] ? null : state.editing, attempts: 0 };
    if (answer.assignments.length === 0 && restZero === 0) next.editing = null;
    const notes = this.checksAfter(before, values, touched);
    if (notes) this.say(notes);
    if (this.draft.zero && firstUnanswered(this.form, values) === null) return this.submit(next);
    return this.done(next, this.ask(next));
  }

  private previous(state: ReportState | null): EngineResult {
    if (!state || !this.draft) return this.idle();
    const cell = this.current(state) ?? this.form.cells[this.form.cells.length - 1]!;
    const index = this.form.cells.indexOf(cell);
    if (index === 0 && state.editing !== null) return this.done(state, `已经是第一项了。\n${this.ask(state)}`);
    const prev = this.current(state) === null ? cell : this.form.cells[Math.max(0, index - 1)]!;
    const next = { ...state, editing: prev.id, attempts: 0 };
    return this.done(next, this.ask(next));
  }

  private modify(state: ReportState | null, target: string): EngineResult {
    if (!this.ctx.open) return this.done(null, `${closedText(this.form, this.ctx, this.draft, this.now, this.cal)}\n已截止的月报如需更正，请联系市教育局或省教育厅职成教处解锁。`);
    let s = state;
    if (!this.draft) {
      const report = this.ctx.report;
      if (!report || report.status === 'defaulted') return this.idle();
      // Reopen the filed report: a draft from its values; the filed report stands until resubmitted.
      this.draft = { ...this.newDraft(), values: { ...report.values }, zero: report.zero };
      this.record({ draft: this.draft, history: [this.entry('reopen', [])] });
      this.say(`已重新打开 ${periodLabel(this.ctx.window.period)}月报（原报告在重新提交前仍然有效）。`);
      s = this.fresh();
      if (target === '') return this.done(s, '要修改哪一项？回复「修改 项目」或「修改 编号」，如「修改 制造业」「修改 24」；回复「查看」看全部；改完回复「提交」。');
    }
    s ??= this.fresh();
    if (target === '') return this.done(s, '要修改哪一项？回复「修改 项目」或「修改 编号」，如「修改 制造业」「修改 24」。');
    const ref = findCellRef(target, this.form);
    if (ref.kind === 'none') return this.done(s, `没找到「${target}」这一项。回复「查看」看全部项目，或用编号，如「修改 24」。`);
    if (ref.kind === 'ambiguous') {
      const options = ref.cells.map((c) => `${this.form.place(c.id).position} ${c.name}（第 ${this.form.place(c.id).part.number} 部分）`).join('、');
      return this.done(s, `「${ref.name}」有几项：${options}。请回复「修改 编号」，如「修改 ${this.form.place(ref.cells[0]!.id).position}」。`);
    }
    const editing: ReportState = { ...s, editing: ref.cell.id, attempts: 0 };
    if (ref.rest !== '') return this.answer(editing, `${ref.cell.name} ${ref.rest}`);
    return this.done(editing, this.ask(editing));
  }

  private view(state: ReportState | null): EngineResult {
    if (this.draft) {
      const values = this.draft.values;
      const title = `${this.ctx.school.name} ${periodLabel(this.ctx.window.period)}月报（已填 ${this.count()}/${this.form.cells.length}）`;
      const findings = this.findings(values);
      for (const x of findings) this.shown.add(x.message);
      return this.done(state, viewText(this.form, values, findings, title) + (state ? `\n\n${this.ask(state)}` : '\n回复「继续」接着填。'));
    }
    if (this.ctx.report) {
      const r = this.ctx.report;
      return this.done(state, viewText(this.form, r.values, this.findings(r.values), `${this.ctx.school.name} ${periodLabel(r.period)}月报（${STATUS_LABEL[r.status]}）`));
    }
    return this.done(state, `${periodLabel(this.ctx.window.period)}月报还没有开始填写。回复「填报」开始。`);
  }

  private submit(state: ReportState | null): EngineResult {
    if (!this.ctx.open) return this.done(null, closedText(this.form, this.ctx, this.draft, this.now, this.cal));
    if (!this.draft || !state) return this.idle();
    const values = this.draft.values;
    const missing = this.form.parts
      .map((p) => ({ p, n: p.cells.filter((c) => values[c.id] === undefined).length }))
      .filter((x) => x.n > 0);
    if (missing.length > 0) {
      const total = missing.reduce((a, x) => a + x.n, 0);
      return this.done({ ...state, awaiting: null }, `还有 ${total} 项没填（${missing.map((x) => `第 ${x.p.number} 部分 ${x.n} 项`).join('、')}），填完才能提交。回复「继续」接着填。`);
    }
    const findings = this.findings(values);
    const errors = findings.filter((x) => x.level === 'error');
    if (errors.length > 0) {
      return this.done({ ...state, awaiting: null }, `${findingsText(errors)}\n请更正后再提交：回复「修改 项目」，如「修改 ${this.suspect(errors[0]!, [])}」。`);
    }
    const warnings = findings.filter((x) => x.level === 'warning');
    const lines = [`提交前请核对：${this.ctx.school.name} ${periodLabel(this.ctx.window.period)}培训月报${this.draft.zero ? '（本月无培训）' : ''}`, ...totalsText(values)];
    if (warnings.length > 0) lines.push(findingsText(warnings));
    lines.push(`${warnings.length > 0 ? '以上提醒如确认无误，' : ''}回复「确认」提交；回复「修改 项目」更正。`);
    return this.done({ ...state, awaiting: 'submit', editing: null }, lines.join('\n'));
  }

  private confirm(state: ReportState): EngineResult {
    if (state.awaiting === 'discard') {
      if (this.draft) this.record({ draft: null, history: [this.entry('discard', [])] });
      return this.done(null, `已放弃 ${periodLabel(this.ctx.window.period)}月报草稿。${this.ctx.report ? '已提交的月报不受影响。' : '回复「填报」可重新开始。'}`);
    }
    if (!this.ctx.open) return this.done(null, closedText(this.form, this.ctx, this.draft, this.now, this.cal));
    if (state.awaiting === 'zero') {
      const keep = new Set(this.form.def.zeroReportAsks);
      const base = this.draft ?? this.newDraft();
      const values: Values = {};
      for (const c of this.form.cells) values[c.id] = keep.has(c.id) ? base.values[c.id]! : 0;
      for (const id of keep) if (values[id] === undefined) delete values[id];
      this.draft = { ...base, values, zero: true, updatedBy: this.ctx.userId, updatedAt: this.now.getTime() };
      this.record({ draft: this.draft });
      const next: ReportState = { ...state, awaiting: null, editing: null, attempts: 0 };
      this.say('好的，本月无培训：第 1–6 部分记为 0。');
      if (firstUnanswered(this.form, values) === null) return this.submit(next);
      return this.done(next, `还需要两项学校基本数据：\n${this.ask(next)}`);
    }
    return this.finalize(state);
  }

  private finalize(state: ReportState): EngineResult {
    if (!this.draft) return this.lostDraft();
    const values = this.draft.values;
    const findings = this.findings(values);
    if (firstUnanswered(this.form, values) !== null || findings.some((x) => x.level === 'error')) return this.submit({ ...state, awaiting: null });
    const { report, changed, receipt } = submit(this.form, this.cal, this.ctx, this.draft, findings, this.now);
    this.record({ draft: null, report, ...(this.ctx.reopened ? { reopened: false } : {}), history: [{ ...this.entry('submit', changed), status: report.status }] });
    return this.done(null, receipt);
  }

  private zero(state: ReportState | null): EngineResult {
    if (!this.ctx.open) return this.done(null, closedText(this.form, this.ctx, this.draft, this.now, this.cal));
    if (this.ctx.report && this.ctx.report.status !== 'defaulted' && !this.draft) return this.done(null, `${filedText(this.ctx.report, this.cal)}\n如需修改，回复「修改」。`);
    const s = state ?? this.fresh();
    const keep = this.form.def.zeroReportAsks.map((id) => this.form.place(id).cell.name).join('、');
    return this.done(
      { ...s, awaiting: 'zero' },
      `确认 ${periodLabel(this.ctx.window.period)}没有完成任何培训？第 1–6 部分将全部记为 0，只需再填${keep}。\n回复「确认」继续，回复其他取消。`,
    );
  }

  private pause(state: ReportState | null): EngineResult {
    if (!state || !this.draft) return this.idle();
    return this.done(null, `已保存，已完成 ${this.count()}/${this.form.cells.length}。${dueDateLabel(this.ctx.window, this.cal)}截止前随时回复「继续」接着填。`);
  }

  private discard(state: ReportState | null): EngineResult {
    if (!this.draft) return this.idle();
    const s = state ?? this.fresh();
    return this.done({ ...s, awaiting: 'discard' }, `确认放弃 ${periodLabel(this.ctx.window.period)}月报草稿？已填的 ${this.count()} 项将清空${this.ctx.report ? '（已提交的月报不受影响）' : ''}。\n回复「确认」放弃，回复其他取消。`);
  }

  // ── Pieces ──

  /** The question now: the cell being corrected, else the first unanswered, else the end of the form. */
  private ask(state: ReportState): string {
    const values = this.draft?.values ?? {};
    const cell = this.current(state);
    if (cell === null) {
      const notes = findingsText(this.findings(values).filter((x) => !this.shown.has(x.message)));
      return `${this.form.cells.length} 项已全部填完。${notes ? `\n${notes}` : ''}\n回复「提交」提交，或「查看」核对。`;
    }
    return question(this.form, cell, values, state.editing !== null, state.asked === cell.id);
  }

  private current(state: ReportState): CellDef | null {
    if (state.editing) return this.form.place(state.editing).cell;
    return firstUnanswered(this.form, this.draft?.values ?? {});
  }

  /** The cell an answer belongs to: the one being corrected, else the one this person was asked. */
  private asked(state: ReportState): CellDef | null {
    if (state.editing) return this.form.place(state.editing).cell;
    if (state.asked && this.form.hasCell(state.asked)) return this.form.place(state.asked).cell;
    return this.current(state);
  }

  /** Checks once a part is complete: its breakdown rules, and R10 for what changed. */
  private checksAfter(before: Values, after: Values, touched: string[]): string {
    const completed = this.form.parts.filter((p) => p.cells.every((c) => after[c.id] !== undefined) && (p.cells.some((c) => before[c.id] === undefined) || p.cells.some((c) => touched.includes(c.id))));
    const cells = completed.flatMap((p) => p.cells.map((c) => c.id));
    const rules = new Set(this.form.rulesTouching(cells).map((r) => r.id));
    const relevant = (x: Finding) => (rules.has(x.rule) && x.rule !== 'R10') || (x.rule === 'R10' && x.cells.some((c) => touched.includes(c)));
    const found = this.findings(after).filter(relevant);
    const failing = new Set(found.map((x) => x.rule));
    const resolved = [...new Set(this.findings(before).filter((x) => x.level === 'error' && relevant(x) && !failing.has(x.rule)).map((x) => x.rule))];
    const lines: string[] = resolved.map((id) => `✓ ${id} ${this.form.def.rules.find((r) => r.id === id)!.title}：已通过`);
    for (const x of found) this.shown.add(x.message);
    if (found.length > 0) lines.push(findingsText(found));
    const errors = found.filter((x) => x.level === 'error');
    if (errors.length > 0) lines.push(`请回复要更正的项目，如「修改 ${this.suspect(errors[0]!, touched)}」；也可以先往下填，提交前再改。`);
    return lines.join('\n');
  }

  /** The cell to suggest fixing: the largest of those just changed that the finding involves (else of all it involves). */
  private suspect(finding: Finding, touched: string[]): string {
    if (finding.fix) return this.form.place(finding.fix).cell.name;
    const values = this.draft?.values ?? {};
    const changed = finding.cells.filter((c) => touched.includes(c));
    const pool = changed.length > 0 ? changed : finding.cells;
    const largest = [...pool].sort((a, b) => (values[b] ?? 0) - (values[a] ?? 0))[0]!;
    return this.form.place(largest).cell.name;
  }

  private findings(values: Values): Finding[] {
    return this.form.findings(values, { history: this.ctx.history });
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
    return { v: 1, values: {}, startedBy: this.ctx.userId, startedAt: at, updatedBy: this.ctx.userId, updatedAt: at, zero: false };
  }

  private fresh(): ReportState {
    return { school: this.ctx.school.code, period: this.ctx.window.period, editing: null, awaiting: null, attempts: 0, asked: null };
  }

  private count(): number {
    return answeredCount(this.form, this.draft?.values ?? {});
  }

  private helpFor(state: ReportState): string {
    const cell = this.current(state);
    return cell ? `${cellHelp(cell)}\n\n${this.ask(state)}` : generalHelp(this.ctx, this.cal);
  }

  private lostDraft(): EngineResult {
    const r = this.ctx.report;
    if (r && r.status !== 'defaulted') return this.done(null, `${filedText(r, this.cal)}如需修改，回复「修改」。`);
    return this.done(null, '本期草稿已被放弃。回复「填报」重新开始。');
  }

  private idle(): EngineResult {
    return this.done(null, this.draft ? `回复「继续」接着填写本期月报（已填 ${this.count()}/${this.form.cells.length}）。` : '现在没有正在填写的月报。回复「填报」开始。');
  }

  private say(line: string): void {
    this.lines.push(line);
  }

  private done(state: ReportState | null, last: string): EngineResult {
    const text = [...this.lines, last].filter(Boolean).join('\n');
    const next = state && !state.awaiting ? { ...state, asked: this.current(state)?.id ?? null } : state;
    return { state: next, replies: [{ kind: 'text', text }], change: this.change };
  }
}
