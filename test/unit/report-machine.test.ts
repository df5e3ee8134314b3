import { describe, expect, it } from 'vitest';
import { CANCEL, stateKind, transition, type EventKind, type StateKind } from '../../src/conversation/report-machine';
import { eventOf } from '../../src/conversation/report-engine';
import { commandOf, normalizeInput } from '../../src/conversation/vocabulary';

const EVENTS: EventKind[] = ['report', 'continue', 'previous', 'view', 'submit', 'confirm', 'zero', 'pause', 'discard', 'progress', 'same', 'help', 'modify', 'staff-word', 'answer'];
const STATES: StateKind[] = ['idle', 'filling', 'confirming-submit', 'confirming-zero', 'confirming-discard', 'confirming-row'];
const base = { row: null, said: [], school: 's', period: '2026-10', editing: null, attempts: 0, asked: null, form: 1 };
const input = (text: string) => ({ text, command: commandOf(normalizeInput(text)), normalized: normalizeInput(text) });

describe('the report conversation as a state machine', () => {
  it('knows the state from the session', () => {
    expect(stateKind(null)).toBe('idle');
    expect(stateKind({ ...base, awaiting: null })).toBe('filling');
    expect(stateKind({ ...base, awaiting: 'zero' })).toBe('confirming-zero');
  });

  it('reads every message as one event', () => {
    expect(['填报', '修改 制造业', '未报 郑州', '12', '确定'].map((t) => eventOf(input(t)))).toEqual(['report', 'modify', 'staff-word', 'answer', 'confirm']);
  });

  it('has a transition for every event in every state', () => {
    for (const s of STATES) for (const e of EVENTS) expect(transition(s, e), `${s} × ${e}`).toBeDefined();
  });

  it('answers only in filling; idle says where the report stands; the period must be open and the draft there', () => {
    expect(transition('idle', 'answer')).toEqual({ action: 'idleNote' });
    expect(transition('filling', 'answer')).toEqual({ action: 'answer', guards: [['open', 'closed'], ['draft', 'lostDraft']] });
    expect(transition('filling', 'submit')).toEqual({ action: 'checkSubmit', guards: [['open', 'closed'], ['session', 'idle'], ['draft', 'idle']] });
  });

  it('takes a confirmation’s own answer, and cancels it on anything else', () => {
    expect(transition('confirming-submit', 'confirm')).toMatchObject({ action: 'finalize' });
    expect(transition('confirming-zero', 'confirm')).toMatchObject({ action: 'confirmZero' });
    expect(transition('confirming-discard', 'confirm')).toMatchObject({ action: 'confirmDiscard' });
    // The word that asked, said again, confirms (提交 → 提交); anything else cancels.
    expect(transition('confirming-submit', 'submit')).toMatchObject({ action: 'finalize' });
    expect(transition('confirming-zero', 'zero')).toMatchObject({ action: 'confirmZero' });
    expect(transition('confirming-discard', 'discard')).toMatchObject({ action: 'confirmDiscard' });
    expect(transition('confirming-row', 'confirm')).toMatchObject({ action: 'confirmRow' });
    // At the 无培训 question, an answer names the figures it shows (专任教师数 330).
    expect(transition('confirming-zero', 'answer')).toMatchObject({ action: 'zeroFigures' });
    const own = { 'confirming-submit': ['submit'], 'confirming-zero': ['zero', 'answer'], 'confirming-discard': ['discard'], 'confirming-row': [] } as const;
    for (const s of ['confirming-submit', 'confirming-zero', 'confirming-discard', 'confirming-row'] as const) {
      for (const e of EVENTS.filter((x) => x !== 'confirm' && !(own[s] as readonly string[]).includes(x))) expect(transition(s, e), `${s} × ${e}`).toBe(CANCEL);
    }
  });
});
