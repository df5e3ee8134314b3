import { describe, expect, it } from 'vitest';
import { buttonWord, cards, isStanding, replaceName } from '../../src/conversation/buttons';
import { commandOf, normalizeInput, reportRequest } from '../../src/conversation/vocabulary';
import { buttonCardMessage, cardTaskId } from '../../src/wecom/sender';

describe('card buttons', () => {
  it('stand each for a word the conversation reads', () => {
    for (const key of ['confirm', 'submit', 'view', 'zero', 'discard', 'continue', 'same', 'report']) expect(commandOf(normalizeInput(buttonWord(key)!)), key).not.toBeNull();
    expect(buttonWord('cancel')).toBe('取消');
    expect(reportRequest(normalizeInput(buttonWord('late:2026-09')!))).toEqual({ year: 2026, month: 9 });
    expect(buttonWord('nope')).toBeNull();
  });
  it('that only open something are taken whenever they are clicked', () => {
    expect(['report', 'zero', 'late:2026-09'].map(isStanding)).toEqual([true, true, true]);
    expect(['confirm', 'cancel', 'same', 'submit'].map(isStanding)).toEqual([false, false, false, false]);
    expect(replaceName({ key: 'confirm', text: '确认提交' })).toBe('已选：确认提交');
  });
  it('go out within WeCom’s limits, with a task_id of [A-Za-z0-9_@-] and at most 128 bytes, the same for the same source', () => {
    const id = cardTaskId('turn:用户.名:e:1:template_card_event:confirm:x');
    expect(id).toMatch(/^[A-Za-z0-9_@-]{1,128}$/);
    expect(cardTaskId('turn:a')).toBe(cardTaskId('turn:a'));
    expect(cardTaskId('turn:a')).not.toBe(cardTaskId('turn:b'));
    const message = buttonCardMessage(cards.submit('2026-10'), id);
    expect(message).toEqual({
      msgtype: 'template_card',
      template_card: { card_type: 'button_interaction', main_title: { title: '提交 10月月报', desc: '核对无误后点「确认提交」' }, task_id: id, button_list: [{ text: '确认提交', style: 1, key: 'confirm' }, { text: '取消', style: 2, key: 'cancel' }] },
    });
    const seven = { title: 't', desc: 'd', buttons: Array.from({ length: 7 }, (_, i) => ({ key: `k${i}`, text: 'b' })) };
    expect(() => buttonCardMessage(seven, id)).toThrow('1–6 buttons');
    expect(() => buttonCardMessage(cards.submit('2026-10'), 'bad id')).toThrow('task_id');
  });
});
