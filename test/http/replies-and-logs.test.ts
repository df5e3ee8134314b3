import { afterEach, describe, expect, it } from 'vitest';
import { sessionOnly, type Outcome } from '../../src/dispatch/conversation';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { until } from '../helpers/wait';


const saying = (...replies: Outcome['replies']) => sessionOnly((_inbound, session) => ({ session: { ...session, turns: session.turns + 1 }, replies }));

describe('replies that do not fit a passive reply', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());

  it('sends a text over 2048 bytes through the API in pieces, in order, and answers empty', async () => {
    const long = Array.from({ length: 150 }, (_, i) => `第${i + 1}所学校：已报`).join('\n');
    t = await startTestServer({ conversation: saying({ kind: 'text', text: long }) });
    const res = await t.post(t.platform.textXml({ from: 'reader', content: '未报', msgId: '7500000000000000001' }));
    expect(res).toEqual({ status: 200, body: '' });
    await until(() => t!.api.textsTo('reader').join('\n') === long);
    expect(t.api.textsTo('reader').every((piece) => Buffer.byteLength(piece) <= 2048)).toBe(true);
  });

  it('sends a text card and a following text through the API in order', async () => {
    t = await startTestServer({
      conversation: saying({ kind: 'textcard', title: '本期进度', description: '已报 20/31', url: 'https://example.org/d' }, { kind: 'text', text: '回复 未报 查看名单' }),
    });
    const res = await t.post(t.platform.textXml({ from: 'staff1', content: '进度', msgId: '7500000000000000002' }));
    expect(res.body).toBe('');
    await until(() => t!.api.delivered.length === 2);
    expect(t.api.delivered.map((d) => d.msgtype)).toEqual(['textcard', 'text']);
  });
});

describe('logs', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());

  it('name the request, user and MsgId, never the message text or secrets', async () => {
    const logs: Record<string, unknown>[] = [];
    t = await startTestServer({ logs });
    await t.post(t.platform.textXml({ from: 'wangwu', content: '我校本月培训 123 人次', msgId: '7600000000000000001' }));
    const received = logs.find((l) => l.msg === 'callback received');
    expect(received).toMatchObject({ userId: 'wangwu', msgId: '7600000000000000001', msgType: 'text', reqId: expect.any(String) });
    const all = JSON.stringify(logs);
    expect(all).not.toContain('123 人次');
    expect(all).not.toContain(t.platform.config.token);
    expect(all).not.toContain(t.platform.config.encodingAesKey);
  });

  it('say what to check when a callback is signed with another Token', async () => {
    const logs: Record<string, unknown>[] = [];
    t = await startTestServer({ logs });
    const encrypted = t.platform.encrypt(t.platform.textXml({ from: 'x', content: 'y', msgId: '1' }));
    const sig = t.platform.sign('1', '2', encrypted, 'WrongToken');
    const { body } = t.platform.envelope('', { encrypted });
    await fetch(`${t.baseUrl}/wecom/callback?msg_signature=${sig}&timestamp=1&nonce=2`, { method: 'POST', body });
    expect(logs.find((l) => l.msg === 'request failed')).toMatchObject({
      status: 401,
      wecomCode: -40001,
      check: 'signature: the request was not signed with WECOM_TOKEN (wrong Token, or not from WeCom)',
    });
  });

  it('say what to check when the ReceiveId is another corp', async () => {
    const logs: Record<string, unknown>[] = [];
    t = await startTestServer({ logs });
    const { query, body } = t.platform.envelope('', { encrypted: t.platform.encrypt('<xml/>', { receiveId: 'wwother' }) });
    await fetch(`${t.baseUrl}/wecom/callback?${query}`, { method: 'POST', body });
    expect(logs.find((l) => l.msg === 'request failed')).toMatchObject({ status: 400, wecomCode: -40005, check: expect.stringContaining('WECOM_CORP_ID') });
  });
});
