import { describe, expect, it } from 'vitest';
import { InboundError, deliveryId, parseInbound, type Inbound } from '../../src/wecom/inbound';

const head = { ToUserName: 'ww1', FromUserName: 'zhangsan', CreateTime: '1700000000', AgentID: '1000002' };

describe('parseInbound', () => {
  it('parses a text message with its 64-bit MsgId as a string', () => {
    expect(parseInbound({ ...head, MsgType: 'text', Content: '填报', MsgId: '7382905843762094081' })).toEqual({
      handled: true,
      inbound: { kind: 'text', userId: 'zhangsan', corpId: 'ww1', agentId: '1000002', createTime: 1700000000, msgId: '7382905843762094081', content: '填报' },
    });
  });
  it('parses the four handled events', () => {
    for (const event of ['subscribe', 'enter_agent', 'click', 'template_card_event']) {
      const parsed = parseInbound({ ...head, MsgType: 'event', Event: event, EventKey: 'k', TaskId: 't1' });
      expect(parsed).toMatchObject({ handled: true, inbound: { kind: 'event', event, eventKey: 'k', taskId: 't1' } });
    }
  });
  it('acknowledges other message types and events without handling them', () => {
    expect(parseInbound({ ...head, MsgType: 'image', PicUrl: 'x', MsgId: '1' })).toEqual({ handled: false, msgType: 'image', userId: 'zhangsan' });
    expect(parseInbound({ ...head, MsgType: 'event', Event: 'view', EventKey: 'https://x' })).toEqual({ handled: false, msgType: 'event', event: 'view', userId: 'zhangsan' });
  });
  it('refuses a message without sender, time or MsgId', () => {
    expect(() => parseInbound({ ...head, FromUserName: '', MsgType: 'text', Content: 'x', MsgId: '1' })).toThrow(InboundError);
    expect(() => parseInbound({ ...head, CreateTime: 'soon', MsgType: 'text', Content: 'x', MsgId: '1' })).toThrow(InboundError);
    expect(() => parseInbound({ ...head, MsgType: 'text', Content: 'x' })).toThrow(/MsgId/);
  });
});

describe('deliveryId', () => {
  const event = (e: Partial<Extract<Inbound, { kind: 'event' }>>): Inbound => ({
    kind: 'event', userId: 'u', corpId: 'c', agentId: 'a', createTime: 1, event: 'click', eventKey: '', taskId: '', cardType: '', responseCode: '', ...e,
  });
  it('tells apart two events of one user in the same second', () => {
    const ids = new Set([
      deliveryId(event({ event: 'enter_agent' })),
      deliveryId(event({ event: 'click', eventKey: 'report' })),
      deliveryId(event({ event: 'click', eventKey: 'help' })),
      deliveryId(event({ event: 'template_card_event', eventKey: 'ok', taskId: 'task1' })),
      deliveryId(event({ event: 'template_card_event', eventKey: 'ok', taskId: 'task2' })),
    ]);
    expect(ids.size).toBe(5);
  });
  it('identifies a text message by its MsgId alone', () => {
    const text: Inbound = { kind: 'text', userId: 'u', corpId: 'c', agentId: 'a', createTime: 1, msgId: '99', content: 'x' };
    expect(deliveryId(text)).toBe('m:99');
    expect(deliveryId({ ...text, createTime: 2 })).toBe('m:99');
  });
});
