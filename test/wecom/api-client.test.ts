import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { redisStores } from '../../src/store/stores';
import { WeComClient } from '../../src/wecom/api-client';
import { classifyFailure, WeComApiError, WeComNetworkError } from '../../src/wecom/api-error';
import { cardMessage, textMessages, WeComSender } from '../../src/wecom/sender';
import { appMenu } from '../../src/wecom/app-menu';
import { testRedis, type TestRedis } from '../helpers/redis';
import { WeComApiStub, type StubOptions } from '../helpers/wecom-api-stub';

const CORP = { corpId: 'wwtestcorp', secret: 'right-secret', agentId: 1000002 };
const say = (content: string) => ({ msgtype: 'text' as const, text: { content } });

describe('WeCom API client', () => {
  let r: TestRedis;
  let api: WeComApiStub;
  let clock: ManualClock;
  let sleeps: number[];

  beforeEach(async () => {
    r = await testRedis();
    clock = new ManualClock('2026-11-05T01:10:00Z');
    sleeps = [];
  });
  afterEach(async () => {
    await api?.stop();
    await r.cleanup();
  });

  async function startApi(options: Partial<StubOptions> = {}) {
    api = await new WeComApiStub({ ...CORP, now: () => clock.now().getTime(), ...options }).start();
  }

  /** A client on the shared test Redis whose waits advance the manual clock instead of sleeping. */
  function client(overrides: { secret?: string; timeoutMs?: number } = {}) {
    const stores = redisStores(r.redis, r.prefix);
    const c = new WeComClient({
      apiBase: api.url,
      corpId: CORP.corpId,
      secret: overrides.secret ?? CORP.secret,
      agentId: CORP.agentId,
      tokens: stores.tokens,
      markers: stores.markers,
      logger: pino({ level: 'silent' }),
      clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      ...(overrides.timeoutMs ? { timeoutMs: overrides.timeoutMs } : {}),
    });
    return { client: c, sender: new WeComSender(c) };
  }

  it('caches the token in the store and shares it between instances', async () => {
    await startApi();
    const a = client();
    const b = client();
    await a.sender.post(['u1'], say('一'), 3600);
    await b.sender.post(['u2'], say('二'), 3600);
    expect(api.tokensIssued).toBe(1);
    expect(api.delivered.map((d) => d.userId)).toEqual(['u1', 'u2']);
  });

  it('refreshes the token once for many concurrent callers on two instances', async () => {
    await startApi({ latencyMs: 30 });
    const a = client();
    const b = client();
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).sender.post([`u${i}`], say('你好'), 3600)));
    expect(api.tokensIssued).toBe(1);
    expect(api.delivered).toHaveLength(10);
  });

  it('refreshes an expired token (42001) and retries once, even for a single-attempt send', async () => {
    await startApi();
    const { sender } = client();
    await sender.post(['u1'], say('一'), 3600);
    api.expireTokens();
    expect(await sender.post(['u1'], say('二'), 3600)).toMatchObject({ invalid: [], unlicensed: [], msgId: expect.any(String) });
    expect(api.tokensIssued).toBe(2);
  });

  it('retries an invalid token (40014) only once', async () => {
    await startApi();
    const { sender } = client();
    api.failNext('message/send', 40014);
    api.failNext('message/send', 40014);
    await expect(sender.post(['u1'], say('一'), 3600)).rejects.toThrow(/40014/);
    expect(api.callsTo('message/send')).toHaveLength(2);
  });

  it('does not retry a wrong secret (40001) and says what to fix', async () => {
    await startApi();
    const { sender } = client({ secret: 'wrong' });
    await expect(sender.post(['u1'], say('一'), 3600)).rejects.toThrow(/40001.*WECOM_SECRET is wrong/);
    expect(api.callsTo('gettoken')).toHaveLength(1);
  });

  it('does not retry a wrong CorpID (40013)', async () => {
    await startApi({ corpId: 'wwsomeoneelse' });
    const { client: c } = client();
    const error = await c.tokens.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeComApiError);
    expect((error as WeComApiError).isConfiguration).toBe(true);
    expect(api.callsTo('gettoken')).toHaveLength(1);
  });

  it('retries a busy system (-1) at most three times on calls that retry themselves (the menu)', async () => {
    await startApi();
    const { client: c } = client();
    for (let i = 0; i < 3; i++) api.failNext('menu/create', -1);
    await c.createMenu(appMenu);
    expect(api.callsTo('menu/create')).toHaveLength(4);
    for (let i = 0; i < 4; i++) api.failNext('menu/create', -1);
    await expect(c.createMenu(appMenu)).rejects.toThrow(/-1/);
    expect(api.callsTo('menu/create')).toHaveLength(8);
  });

  it('leaves a failed send to its caller (the outbox retries): one call, the error classified', async () => {
    await startApi();
    const { sender } = client();
    for (const errcode of [-1, 45009, 45033]) {
      api.failNext('message/send', errcode);
      const error = await sender.post(['u1'], say('一'), 3600).catch((e: unknown) => e);
      expect(classifyFailure(error).kind).toBe(errcode === 45009 ? 'frequency' : 'transient');
    }
    api.dropNext('message/send');
    expect(classifyFailure(await sender.post(['u1'], say('一'), 3600).catch((e: unknown) => e))).toMatchObject({ kind: 'transient', reason: expect.stringContaining('unreachable') });
    api.failNext('message/send', 40008, 'invalid message type');
    expect(classifyFailure(await sender.post(['u1'], say('一'), 3600).catch((e: unknown) => e)).kind).toBe('permanent');
    expect(api.callsTo('message/send')).toHaveLength(5);
    expect(sleeps).toEqual([]);
  });

  it('retries dropped connections a bounded number of times', async () => {
    await startApi();
    const { client: c } = client();
    await c.tokens.get();
    api.dropNext('menu/create');
    api.dropNext('menu/create');
    await c.createMenu(appMenu);
    for (let i = 0; i < 4; i++) api.dropNext('menu/create');
    await expect(c.createMenu(appMenu)).rejects.toBeInstanceOf(WeComNetworkError);
    expect(api.callsTo('menu/create')).toHaveLength(7);
  });

  it('gives up on a call that takes longer than its timeout', async () => {
    await startApi({ latencyMs: 300 });
    const { client: c } = client({ timeoutMs: 50 });
    await expect(c.tokens.get()).rejects.toThrow(/gettoken unreachable/);
  });

  it('asks WeCom to drop a resent request, with an interval it accepts', async () => {
    await startApi();
    const { sender } = client();
    const first = await sender.post(['u1'], say('只发一次'), 3600);
    const again = await sender.post(['u1'], say('只发一次'), 3600);
    expect(api.textsTo('u1')).toEqual(['只发一次']);
    expect(api.duplicates).toHaveLength(1);
    expect(again.msgId).toBe(first.msgId);
    expect(api.callsTo('message/send').map((c) => [c.json?.enable_duplicate_check, c.json?.duplicate_check_interval])).toEqual([[1, 3600], [1, 3600]]);
    // The same text under another interval is another request: delivered.
    await sender.post(['u1'], say('只发一次'), 3601);
    expect(api.textsTo('u1')).toHaveLength(2);
  });

  it('reports invalid and unlicensed recipients (WeCom still sends to the rest)', async () => {
    await startApi({ members: ['a', 'b', 'c'], unlicensed: ['c'] });
    const { sender } = client();
    expect(await sender.post(['a', 'b', 'c', 'ghost'], say('通知'), 3600)).toMatchObject({ invalid: ['ghost'], unlicensed: ['c'] });
    expect(api.delivered.map((d) => d.userId)).toEqual(['a', 'b']);
  });

  it('reports every recipient invalid when none is reachable (81013)', async () => {
    await startApi({ members: ['a'] });
    const { sender } = client();
    expect(await sender.post(['x', 'y'], say('通知'), 3600)).toMatchObject({ invalid: ['x', 'y'] });
  });

  it('refuses more than 1000 recipients in one call', async () => {
    await startApi();
    const { sender } = client();
    await expect(sender.post(Array.from({ length: 1001 }, (_, i) => `u${i}`), say('x'), 3600)).rejects.toThrow(/1–1000 recipients/);
    expect(api.calls).toEqual([]);
  });

  it('cuts text to 2048 bytes per message, in order', () => {
    const long = Array.from({ length: 200 }, (_, i) => `第${i + 1}所学校：已报`).join('\n');
    const pieces = textMessages(long).map((m) => (m.msgtype === 'text' ? m.text.content : ''));
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.every((t) => Buffer.byteLength(t) <= 2048)).toBe(true);
    expect(pieces.join('\n')).toBe(long);
  });

  it('uploads a file and sends it by media_id', async () => {
    await startApi();
    const { sender } = client();
    const media = await sender.upload('2026-10 月报.xlsx', new Uint8Array(5000).fill(7));
    await sender.post(['staff'], { msgtype: 'file', file: { media_id: media } }, 3600);
    expect(api.uploads).toEqual([{ filename: '2026-10 月报.xlsx', size: 5000, mediaId: 'media-1' }]);
    expect(api.delivered[0]?.body).toMatchObject({ msgtype: 'file', file: { media_id: 'media-1' } });
  });

  it('builds a text card within WeCom’s field limits', async () => {
    await startApi();
    const { sender } = client();
    await sender.post(['staff'], cardMessage({ title: '进度'.repeat(100), description: '说明', url: 'https://example.org/d', buttonText: '打开看板详情' }), 3600);
    const card = api.delivered[0]?.body.textcard as { title: string; btntxt: string };
    expect([...card.title]).toHaveLength(128);
    expect(card.btntxt).toBe('打开看板');
  });

  it('pushes the app menu', async () => {
    await startApi();
    const { client: c } = client();
    await c.createMenu(appMenu);
    expect(api.menu).toEqual(appMenu);
  });
});
