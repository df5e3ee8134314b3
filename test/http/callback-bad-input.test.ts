import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server';

/** Each bad request: the right status, nothing stored, and the server still serving. */
describe('bad callbacks', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    // A clean slate, so that one failure does not spill into the next test.
    const left = await t.redis!.keys();
    if (left.length > 0) await t.redis!.redis.del(...left);
    t.api.calls.length = 0;
  });

  const message = () => t.platform.textXml({ from: 'zhangsan', content: '帮助', msgId: String(Date.now()) });

  async function send(query: string, body: string): Promise<number> {
    const res = await fetch(`${t.baseUrl}/wecom/callback?${query}`, { method: 'POST', body });
    const text = await res.text();
    expect(text).not.toMatch(/Error|at .*\.ts|stack/);
    return res.status;
  }

  async function expectRejected(status: number, expected: number): Promise<void> {
    expect(status).toBe(expected);
    expect(await t.redis!.keys()).toEqual([]);
    expect(t.api.calls).toEqual([]);
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
  }

  /** A well-signed envelope around arbitrary ciphertext. */
  function signed(encrypted: string): { query: string; body: string } {
    return t.platform.envelope('', { encrypted });
  }

  it('a nonce with one character changed → 401', async () => {
    const { query, body } = t.platform.envelope(message(), { nonce: '1234567890' });
    await expectRejected(await send(query.replace('nonce=1234567890', 'nonce=1234567891'), body), 401);
  });
  it('a correctly signed callback from two hours ago (a replay) → 403, and one from an hour in the future too', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const at of [now - 2 * 3600, now + 3600 + 60]) {
      const { query, body } = t.platform.envelope(message(), { timestamp: String(at) });
      await expectRejected(await send(query, body), 403);
    }
    // A few minutes' skew is WeCom's ordinary retry: accepted.
    const { query, body } = t.platform.envelope(message(), { timestamp: String(now - 300) });
    expect(await send(query, body)).toBe(200);
  });

  it('a timestamp with one character changed → 401', async () => {
    const { query, body } = t.platform.envelope(message(), { timestamp: '1763800000' });
    await expectRejected(await send(query.replace('timestamp=1763800000', 'timestamp=1763800001'), body), 401);
  });
  it('a body with one character changed → 401', async () => {
    const { query, body } = t.platform.envelope(message());
    const i = body.indexOf('<![CDATA[', body.indexOf('<Encrypt>')) + 20;
    const tampered = body.slice(0, i) + (body[i] === 'A' ? 'B' : 'A') + body.slice(i + 1);
    await expectRejected(await send(query, tampered), 401);
  });
  it('a signature made with another Token → 401', async () => {
    const encrypted = t.platform.encrypt(message());
    const sig = t.platform.sign('1763800000', '42', encrypted, 'SomeOtherToken');
    const { body } = signed(encrypted);
    await expectRejected(await send(`msg_signature=${sig}&timestamp=1763800000&nonce=42`, body), 401);
  });
  it('truncated ciphertext → 400', async () => {
    const full = Buffer.from(t.platform.encrypt(message()), 'base64');
    const { query, body } = signed(full.subarray(0, full.length - 32).toString('base64'));
    await expectRejected(await send(query, body), 400);
  });
  it('ciphertext that is not base64 → 400', async () => {
    const { query, body } = signed('this-is-not-base64!!');
    await expectRejected(await send(query, body), 400);
  });
  it('ciphertext that is not a multiple of 16 bytes → 400', async () => {
    const { query, body } = signed(Buffer.alloc(50, 1).toString('base64'));
    await expectRejected(await send(query, body), 400);
  });
  it('an empty Encrypt → 400', async () => {
    const { query } = signed('x');
    await expectRejected(await send(query, '<xml><ToUserName>ww</ToUserName><Encrypt><![CDATA[]]></Encrypt></xml>'), 400);
  });
  it('a ReceiveId that is not our CorpID → 400', async () => {
    const { query, body } = signed(t.platform.encrypt(message(), { receiveId: 'wwanothercorp00000' }));
    await expectRejected(await send(query, body), 400);
  });
  it('a plaintext length field pointing past the end → 400', async () => {
    const { query, body } = signed(t.platform.encrypt(message(), { lengthField: 1_000_000 }));
    await expectRejected(await send(query, body), 400);
  });
  it('a decrypted message that is not XML → 400', async () => {
    const { query, body } = signed(t.platform.encrypt('hello there'));
    await expectRejected(await send(query, body), 400);
  });
  it('a decrypted message without a sender → 400', async () => {
    const { query, body } = signed(t.platform.encrypt('<xml><ToUserName>ww</ToUserName><MsgType>text</MsgType><CreateTime>1</CreateTime></xml>'));
    await expectRejected(await send(query, body), 400);
  });
  it('a body over the 64 KiB cap → 413', async () => {
    const { query } = t.platform.envelope(message());
    await expectRejected(await send(query, `<xml><Encrypt>${'A'.repeat(70 * 1024)}</Encrypt></xml>`), 413);
  });
  it('a body that is not XML → 400', async () => {
    const { query } = t.platform.envelope(message());
    await expectRejected(await send(query, '{"Encrypt":"abc"}'), 400);
  });
  it('XML with a DOCTYPE or entity → 400', async () => {
    const { query } = t.platform.envelope(message());
    const bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><xml><Encrypt>&lol2;</Encrypt></xml>';
    await expectRejected(await send(query, bomb), 400);
  });
  it('missing query parameters → 400', async () => {
    const { query, body } = t.platform.envelope(message());
    for (const name of ['msg_signature', 'timestamp', 'nonce']) {
      const q = new URLSearchParams(query);
      q.delete(name);
      await expectRejected(await send(q.toString(), body), 400);
    }
    await expectRejected(await send('', body), 400);
  });
  it('URL verification with a wrong signature → 401 and no echo', async () => {
    const echostr = t.platform.encrypt('secret-echo');
    const res = await fetch(`${t.baseUrl}/wecom/callback?msg_signature=${'0'.repeat(40)}&timestamp=1&nonce=2&echostr=${encodeURIComponent(echostr)}`);
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain('secret-echo');
  });
  it('URL verification without echostr → 400', async () => {
    const res = await fetch(`${t.baseUrl}/wecom/callback?msg_signature=abc&timestamp=1&nonce=2`);
    expect(res.status).toBe(400);
  });
});

describe('URL verification', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ stores: 'memory' });
  });
  afterAll(async () => t.close());

  function verifyQuery(plain: string): { q: Record<string, string>; echostr: string } {
    // Retry until the ciphertext has a '+', the character proxies and form decoders turn into a space.
    for (;;) {
      const echostr = t.platform.encrypt(plain);
      if (!echostr.includes('+')) continue;
      return { q: { msg_signature: t.platform.sign('1763800000', '77', echostr), timestamp: '1763800000', nonce: '77' }, echostr };
    }
  }

  it('accepts an echostr whose + arrives unencoded or as a space', async () => {
    const { q, echostr } = verifyQuery('4711');
    const base = `${t.baseUrl}/wecom/callback?msg_signature=${q.msg_signature}&timestamp=${q.timestamp}&nonce=${q.nonce}`;
    for (const form of [encodeURIComponent(echostr), echostr, encodeURIComponent(echostr).replace(/%2B/g, '%20')]) {
      const res = await fetch(`${base}&echostr=${form}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('4711');
    }
  });
});
