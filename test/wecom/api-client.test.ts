import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { RedisStore } from '../../src/store/redis-store';
import { WeComClient } from '../../src/wecom/api-client';
import { WeComApiError, WeComNetworkError } from '../../src/wecom/api-error';
import { WeComSender } from '../../src/wecom/sender';
import { appMenu } from '../../src/wecom/app-menu';
import { testRedis, type TestRedis } from '../helpers/redis';
import { WeComApiStub, type StubOptions } from '../helpers/wecom-api-stub';

const CORP = { corpId: 'wwtestcorp', secret: 'right-secret', agentId: 1000002 };

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
    const store = new RedisStore(r.redis, r.prefix);
    const c = new WeComClient({
      apiBase: api.url,
      corpId: CORP.corpId,
      secret: overrides.secret ?? CORP.secret,
      agentId: CORP.agentId,
      store,
      logger: pino({ level: 'silent' }),
      clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
      ...(overrides.timeoutMs ? { timeoutMs: overrides.timeoutMs } : {}),
    });
    return { client: c, sender: new WeComSender(c, store, pino({ level: 'silent' })) };
  }

  it('caches the token in the store and shares it between instances', async () => {
    await startApi();
    const a = client();
    const b = client();
    await a.sender.sendText(['u1'], '一');
    await b.sender.sendText(['u2'], '二');
    expect(api.tokensIssued).toBe(1);
    expect(api.delivered.map((d) => d.userId)).toEqual(['u1', 'u2']);
  });

  it('refreshes the token once for many concurrent callers on two instances', async () => {
    await startApi({ latencyMs: 30 });
    const a = client();
    const b = client();
    await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).sender.sendText([`u${i}`], '你好')));
    expect(api.tokensIssued).toBe(1);
    expect(api.delivered).toHaveLength(10);
  });

  it('refreshes an expired token (42001) and retries once', async () => {
    await startApi();
    const { sender } = client();
    await sender.sendText(['u1'], '一');
    api.expireTokens();
    const report = await sender.sendText(['u1'], '二');
    expect(report.sent).toEqual(['u1']);
    expect(api.tokensIssued).toBe(2);
  });

  it('retries an invalid token (40014) only once', async () => {
    await startApi();
    const { sender } = client();
    api.failNext('message/send', 40014);
    api.failNext('message/send', 40014);
    const report = await sender.sendText(['u1'], '一');
    expect(report.failed).toEqual([{ userId: 'u1', reason: expect.stringContaining('40014') }]);
    expect(api.callsTo('message/send')).toHaveLength(2);
  });

  it('does not retry a wrong secret (40001) and says what to fix', async () => {
    await startApi();
    const { sender } = client({ secret: 'wrong' });
    await expect(sender.sendText(['u1'], '一')).rejects.toThrow(/40001.*WECOM_SECRET is wrong/);
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

  it('retries a busy system (-1) at most three times', async () => {
    await startApi();
    const { sender } = client();
    for (let i = 0; i < 3; i++) api.failNext('message/send', -1);
    expect((await sender.sendText(['u1'], '一')).sent).toEqual(['u1']);
    expect(api.callsTo('message/send')).toHaveLength(4);
    for (let i = 0; i < 4; i++) api.failNext('message/send', -1);
    const report = await sender.sendText(['u2'], '二');
    expect(report.failed).toEqual([{ userId: 'u2', reason: expect.stringContaining('-1') }]);
    expect(api.callsTo('message/send')).toHaveLength(8);
  });

  it('retries dropped connections a bounded number of times', async () => {
    await startApi();
    const { client: c, sender } = client();
    await c.tokens.get();
    api.dropNext('message/send');
    api.dropNext('message/send');
    expect((await sender.sendText(['u1'], '一')).sent).toEqual(['u1']);
    for (let i = 0; i < 4; i++) api.dropNext('menu/create');
    await expect(c.createMenu(appMenu)).rejects.toBeInstanceOf(WeComNetworkError);
    expect(api.callsTo('menu/create')).toHaveLength(4);
  });

  it('gives up on a call that takes longer than its timeout', async () => {
    await startApi({ latencyMs: 300 });
    const { client: c } = client({ timeoutMs: 50 });
    await expect(c.tokens.get()).rejects.toThrow(/gettoken unreachable/);
  });

  it('pauses at least 60 s on the frequency limit (45009), then sends', async () => {
    await startApi();
    const { sender } = client();
    api.failNext('message/send', 45009);
    const report = await sender.sendText(['u1'], '一');
    expect(report.sent).toEqual(['u1']);
    expect(sleeps.some((ms) => ms >= 60_000)).toBe(true);
  });

  it('splits 2500 recipients into calls of 1000, 1000 and 500', async () => {
    await startApi();
    const { sender } = client();
    const users = Array.from({ length: 2500 }, (_, i) => `user${i}`);
    const report = await sender.sendText(users, '全体通知');
    expect(api.callsTo('message/send').map((c) => String(c.json?.touser).split('|').length)).toEqual([1000, 1000, 500]);
    expect(report.sent).toHaveLength(2500);
  });

  it('reports invalid and unlicensed recipients and still sends to the rest', async () => {
    await startApi({ members: ['a', 'b', 'c'], unlicensed: ['c'] });
    const { sender } = client();
    const report = await sender.sendText(['a', 'b', 'c', 'ghost'], '通知');
    expect(report).toMatchObject({ sent: ['a', 'b'], invalidUsers: ['ghost'], unlicensedUsers: ['c'], failed: [] });
    expect(api.delivered.map((d) => d.userId)).toEqual(['a', 'b']);
  });

  it('reports every recipient invalid when none is reachable (81013)', async () => {
    await startApi({ members: ['a'] });
    const { sender } = client();
    const report = await sender.sendText(['x', 'y'], '通知');
    expect(report).toMatchObject({ sent: [], invalidUsers: ['x', 'y'], failed: [] });
  });

  it('holds a member to 30 messages a minute by waiting, so WeCom drops none', async () => {
    await startApi();
    const { sender } = client();
    for (let i = 0; i < 31; i++) await sender.sendText(['busy'], `第${i + 1}条`);
    expect(api.delivered).toHaveLength(31);
    expect(api.dropped).toHaveLength(0);
    expect(sleeps).toEqual([60_000]);
  });

  it('counts a member’s sends across instances', async () => {
    await startApi();
    const a = client();
    const b = client();
    for (let i = 0; i < 20; i++) await a.sender.sendText(['shared'], `a${i}`);
    for (let i = 0; i < 20; i++) await b.sender.sendText(['shared'], `b${i}`);
    expect(api.delivered).toHaveLength(40);
    expect(api.dropped).toHaveLength(0);
    expect(sleeps.length).toBeGreaterThan(0);
  });

  it('without the throttle WeCom would silently drop the 31st message (the stand-in mimics it)', async () => {
    await startApi();
    const { client: c } = client();
    const unthrottled = new WeComSender(c, new RedisStore(r.redis, r.prefix), pino({ level: 'silent' }), { perMinute: 1_000, perHour: 100_000 });
    for (let i = 0; i < 31; i++) await unthrottled.sendText(['victim'], `第${i + 1}条`);
    expect(api.delivered).toHaveLength(30);
    expect(api.dropped).toHaveLength(1);
  });

  it('sends text over 2048 bytes as several messages within the limit, in order', async () => {
    await startApi();
    const { sender } = client();
    const long = Array.from({ length: 200 }, (_, i) => `第${i + 1}所学校：已报`).join('\n');
    const report = await sender.sendText(['reader'], long);
    expect(report.sent).toEqual(['reader']);
    const texts = api.textsTo('reader');
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.every((t) => Buffer.byteLength(t) <= 2048)).toBe(true);
    expect(texts.join('\n')).toBe(long);
  });

  it('uploads a file and sends it by media_id', async () => {
    await startApi();
    const { sender } = client();
    const report = await sender.sendFile(['staff'], '2026-10 月报.xlsx', new Uint8Array(5000).fill(7));
    expect(report.sent).toEqual(['staff']);
    expect(api.uploads).toEqual([{ filename: '2026-10 月报.xlsx', size: 5000, mediaId: 'media-1' }]);
    expect(api.delivered[0]?.body).toMatchObject({ msgtype: 'file', file: { media_id: 'media-1' } });
  });

  it('sends a text card within WeCom’s field limits', async () => {
    await startApi();
    const { sender } = client();
    await sender.sendTextCard(['staff'], { title: '进度'.repeat(100), description: '说明', url: 'https://example.org/d', buttonText: '打开看板详情' });
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
