import type { ReportState } from '../session/session';
import type { Command } from './vocabulary';

/**
 * The report conversation as a state machine. A contact is idle (no report in hand), filling
 * (a cell is asked or being corrected), or confirming one of four things. Each event — a chat
 * word, 「修改 …」, a staff word, or anything else (an answer) — leads by this table to one action,
 * after the guards it names; a guard that does not hold leads to its own action instead.
 */
export type StateKind = 'idle' | 'filling' | 'confirming-submit' | 'confirming-zero' | 'confirming-discard' | 'confirming-row';

export type EventKind = Command | 'modify' | 'staff-word' | 'answer';

/**
 * Conditions on the records: the period takes answers, a session is in hand, a draft exists, the
 * filed report may be corrected by the school (not approved, or reopened by staff since).
 */
export type Guard = 'open' | 'session' | 'draft' | 'editable';

export type ActionName =
  | 'start'
  | 'answer'
  | 'previous'
  | 'modify'
  | 'view'
  | 'checkSubmit'
  | 'finalize'
  | 'confirmZero'
  | 'confirmDiscard'
  | 'confirmRow'
  | 'zeroFigures'
  | 'same'
  | 'askZero'
  | 'askDiscard'
  | 'pause'
  | 'help'
  | 'progress'
  | 'staffWord'
  | 'noConfirm'
  | 'idleNote'
  | 'closed'
  | 'closedModify'
  | 'approvedModify'
  | 'idle'
  | 'lostDraft';

export interface Transition {
  action: ActionName;
  /** Checked in order; the first that does not hold runs its action instead. */
  guards?: readonly (readonly [Guard, ActionName])[];
}

/** A pending confirmation met with anything but its answer: it is cancelled, then the event is taken as in filling. */
export const CANCEL = 'cancel' as const;

const whileFilling: Record<EventKind, Transition> = {
  report: { action: 'start', guards: [['open', 'closed']] },
  continue: { action: 'start', guards: [['open', 'closed']] },
  help: { action: 'help' },
  view: { action: 'view' },
  submit: { action: 'checkSubmit', guards: [['open', 'closed'], ['session', 'idle'], ['draft', 'idle']] },
  confirm: { action: 'noConfirm' },
  zero: { action: 'askZero', guards: [['open', 'closed']] },
  pause: { action: 'pause', guards: [['session', 'idle'], ['draft', 'idle']] },
  discard: { action: 'askDiscard', guards: [['draft', 'idle']] },
  previous: { action: 'previous', guards: [['session', 'idle'], ['draft', 'idle']] },
  progress: { action: 'progress' },
  same: { action: 'same', guards: [['open', 'closed'], ['session', 'idle'], ['draft', 'idle']] },
  'staff-word': { action: 'staffWord' },
  modify: { action: 'modify', guards: [['open', 'closedModify'], ['editable', 'approvedModify']] },
  answer: { action: 'answer', guards: [['open', 'closed'], ['draft', 'lostDraft']] },
};

const FINALIZE: Transition = { action: 'finalize', guards: [['open', 'closed'], ['draft', 'lostDraft']] };
const CONFIRM_ZERO: Transition = { action: 'confirmZero', guards: [['open', 'closed']] };

export const TRANSITIONS: Record<StateKind, Partial<Record<EventKind, Transition | typeof CANCEL>> & { otherwise?: typeof CANCEL }> = {
  idle: { ...whileFilling, answer: { action: 'idleNote' } },
  filling: whileFilling,
  // The word that asked for the confirmation, said again, confirms it (提交 → 提交).
  'confirming-submit': { confirm: FINALIZE, submit: FINALIZE, otherwise: CANCEL },
  // 「专任教师数 330」 at the question changes a figure it shows, and asks again.
  'confirming-zero': { confirm: CONFIRM_ZERO, zero: CONFIRM_ZERO, answer: { action: 'zeroFigures', guards: [['open', 'closed']] }, otherwise: CANCEL },
  'confirming-discard': { confirm: { action: 'confirmDiscard' }, discard: { action: 'confirmDiscard' }, otherwise: CANCEL },
  // A pasted row is stored on 「确认」; anything else drops it (a new row or answer is then read as usual).
  'confirming-row': { confirm: { action: 'confirmRow', guards: [['open', 'closed'], ['draft', 'lostDraft']] }, otherwise: CANCEL },
};

export function stateKind(state: ReportState | null): StateKind {
  if (state === null) return 'idle';
  return state.awaiting === null ? 'filling' : `confirming-${state.awaiting}`;
}

/** The transition an event takes in a state (a cancellation for what a confirmation does not expect). */
export function transition(kind: StateKind, event: EventKind): Transition | typeof CANCEL {
  const row = TRANSITIONS[kind];
  return row[event] ?? row.otherwise ?? whileFilling[event];
}

/** Filling's transition for an event, after a cancelled confirmation. */
export function fillingTransition(event: EventKind): Transition {
  return whileFilling[event];
}
