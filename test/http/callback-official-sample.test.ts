import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';
import sample from '../fixtures/wecom-official-sample.json';

describe('the official sample requests, through the real server', () => {
  let t: TestServer;
  beforeAll(async () => {
    // The captured requests are from 2016: the server's clock is set to when they were sent.
    t = await startTestServer({ callbackClock: { now: () => new Date(Number(sample.message.timestamp) * 1000 + 2_000) } });
  });
  afterAll(async () => t.close());

  it('answers URL verification with the bare decrypted echostr', async () => {
    const v = sample.verifyUrl;
    const q = new URLSearchParams({ msg_signature: v.msg_signature, timestamp: v.timestamp, nonce: v.nonce, echostr: v.echostr });
    const res = await fetch(`${t.baseUrl}/wecom/callback?${q.toString()}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1288432023552776189');
  });

  it('verifies, decrypts and answers the captured text message with a passive reply WeCom can open', async () => {
    const m = sample.message;
    const q = new URLSearchParams({ msg_signature: m.msg_signature, timestamp: m.timestamp, nonce: m.nonce });
    const res = await fetch(`${t.baseUrl}/wecom/callback?${q.toString()}`, { method: 'POST', body: m.body });
    expect(res.status).toBe(200);
    const reply = t.platform.openReply(await res.text());
    expect(reply).toMatchObject({ ToUserName: m.fromUser, FromUserName: sample.corpId, MsgType: 'text' });
    expect(reply.Content).toContain(`请把您的账号（${m.fromUser}）告诉所在市、县教育局职成教科`);
    // In seconds, as WeCom writes CreateTime.
    expect(Number(reply.CreateTime)).toBe(Number(m.timestamp) + 2);
  });
});
