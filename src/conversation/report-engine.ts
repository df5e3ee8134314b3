import type { PeriodCalendar } from '../calendar/period';
import type { ReportState } from '../session/session';
import type { Form } from './form';
import type { EngineInput, EngineResult, SchoolContext } from './report-context';
import { CANCEL, fillingTransition, stateKind, transition, type EventKind } from './report-machine';
import { replies } from './report-replies';
import { ReportTurn, STAFF_WORD } from './report-turn';
import { modifyTarget } from './vocabulary';

export type { EngineInput, EngineResult, RecordChange, SchoolContext } from './report-context';

/** What a message is to the report conversation: a chat word, 「修改 …」, a staff word, or an answer. */
export function eventOf(input: EngineInput): EventKind {
  if (input.command !== null) return input.command;
  if (STAFF_WORD.test(input.normalized)) return 'staff-word';
  return modifyTarget(input.normalized) !== null ? 'modify' : 'answer';
}

/**
 * One step of a school contact's report conversation. Pure: it reads the state, the school's
 * records and the time, and returns the next state, the replies and the change to store. The
 * state and the event pick the transition (report-machine.ts); the turn runs it.
 */
export function stepReport(form: Form, cal: PeriodCalendar, input: EngineInput, given: ReportState | null, ctx: SchoolContext, now: Date): EngineResult {
  const turn = new ReportTurn(form, cal, ctx, now);
  let state = given;
  if (state && (state.period !== ctx.window.period || state.school !== ctx.school.code)) {
    // Moving on to a new month ends the old one; going back to a month staff reopened does not.
    turn.say(state.period < ctx.window.period ? replies.monthOver(state.period) : replies.reopenedFirst(state.period));
    state = null;
  }
  // Cells asked under an older form are read in this one (renamed, or gone: then the next cell is asked).
  if (state && state.form !== form.version) {
    const moved = (id: string | null) => (id === null ? null : form.migrateCellId(id, state!.form));
    state = { ...state, editing: moved(state.editing), asked: moved(state.asked), form: form.version };
  }
  if (ctx.formNotice) turn.say(ctx.formNotice);
  if (state) turn.recall(state);
  const event = eventOf(input);
  let t = transition(stateKind(state), event);
  if (t === CANCEL) {
    const was = state!.awaiting!;
    turn.say(replies.cancelled(was));
    state = { ...state!, awaiting: null, row: null };
    if (!turn.hasDraft) return turn.done(null, replies.startHint);
    // A number at a pending submit is not taken as an answer; after a dropped row, a new row or
    // answer is what the person meant instead.
    if ((event === 'answer' && (was !== 'row' || !/\d/u.test(input.text))) || event === 'staff-word') return turn.done(state, turn.ask(state));
    t = fillingTransition(event);
  }
  return turn.run(t, state, input);
}
