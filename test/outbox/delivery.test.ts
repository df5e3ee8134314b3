import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock, type Clock } from '../../src/clock/clock';
import { staffEntries } from '../../src/outbox/staff-entries';
import { messageHandler } from '../../src/delivery/deliver-message';
import type { EntryInit } from '../../src/outbox/entry';
import { OutboxWorker, type Handlers } from '../../src/delivery/worker';
import { outboxRetry, outboxStatus } from '../../src/cli/outbox-command';
import { partitionOf } from '../../src/store/partition';
import { redisStores, type Stores } from '../../src/store/stores';
import { WeComClient } from '../../src/wecom/api-client';
import { MEMBER_LIMITS, textMessages, WeComSender } from '../../src/wecom/sender';
import { testRedis, type TestRedis } from '../helpers/redis';
import { WeComApiStub } from '../helpers/wecom-api-stub';

const CORP = { corpId: 'wwtestcorp', secret: 'right-secret', agentId: 1000002 };
const message = (id: string, to: string[], text: string, due: number): EntryInit => ({ id, payload: { kind: 'message', to, messages: textMessages(text) }, due });

/** Waits (up to 5 s) for a condition. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((done) => setTimeout(done, 10));
  if (!check()) throw new Error('timed out waiting');
}

/** The outbox delivering message entries to the WeCom stand-in, on one Redis shared by "instances". */
describe('outbox delivery', () => {
  let r: TestRedis;
  let api: WeComApiStub;
  let clock: ManualClock;
  let stores: Stores;

  beforeEach(async () => {
    r = await testRedis();
    clock = new ManualClock('2026-11-05T01:10:00Z');
    stores = redisStores(r.redis, r.prefix);
    api = await new WeComApiStub({ ...CORP, now: () => clock.now().getTime() }).start();
  });
  afterEach(async () => {
    await api.stop();
    await r.cleanup();
  });

  it('keeps delivering after a kick that came while every slot was busy (no stuck pass, timers still run)', async () => {
    const logger = pino({ level: 'silent' });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((done) => (release = done));
    const handled: string[] = [];
    const finish = async (entry: { id: string }) => {
      handled.push(entry.id);
      if (entry.id === 'slow') await gate;
      return { kind: 'finish' as const, state: 'done' as const };
    };
    const handlers: Handlers = { message: finish, 'card-update': finish, export: finish, reopen: finish, review: finish, recall: finish, workbench: finish, 'workbench-template': finish, 'workbench-fanout': finish, nudge: finish, report: finish };
    const worker = new OutboxWorker({ outbox: stores.outbox, handlers, clock, logger }, { leaseMs: 30_000, concurrency: 1 });
    await stores.outbox.enqueue('u1', [message('slow', ['u1'], 'a', now())], now());
    worker.start();
    await until(() => handled.includes('slow'));
    // The only slot is taken: this kick finds no room, and must not leave the worker unable to pass again.
    await stores.outbox.enqueue('u2', [message('next', ['u2'], 'b', now())], now());
    worker.kick('u2');
    release();
    await until(() => handled.includes('next'));
    expect(handled).toEqual(['slow', 'next']);
    // A timer still fires: the process is not spinning on a settled pass.
    await new Promise((done) => setTimeout(done, 10));
    expect(await worker.stop(2_000)).toBe(true);
  });

  /** An instance: its own ports over the shared Redis, its own client and worker; every clock is `clock`. */
  function instance(options: { limits?: typeof MEMBER_LIMITS; leaseMs?: number; giveUpMs?: number; timeoutMs?: number } = {}) {
    const own = redisStores(r.redis, r.prefix);
    const logger = pino({ level: 'silent' });
    const client = new WeComClient({ apiBase: api.url, corpId: CORP.corpId, secret: CORP.secret, agentId: CORP.agentId, tokens: own.tokens, markers: own.markers, logger, clock, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
    const send = messageHandler({ sender: new WeComSender(client), budget: own.budget, limits: options.limits ?? MEMBER_LIMITS, realClock: clock as Clock });
    const unused = async () => ({ kind: 'finish' as const, state: 'done' as const });
    const handlers: Handlers = { message: send, 'card-update': unused, export: unused, reopen: unused, review: unused, recall: unused, workbench: unused, 'workbench-template': unused, 'workbench-fanout': unused, nudge: unused, report: unused };
    return new OutboxWorker({ outbox: own.outbox, handlers, clock, logger }, { leaseMs: options.leaseMs ?? 30_000, giveUpMs: options.giveUpMs ?? 50 * 60_000 });
  }
  const now = () => clock.now().getTime();
  const get = async (owner: string, id: string) => (await stores.outbox.get([{ owner, id }]))[0];

  it('holds a member to 30 messages a minute, putting the 31st off until there is room, so WeCom drops none', async () => {
    const w = instance();
    await stores.outbox.enqueue('busy', Array.from({ length: 31 }, (_, i) => message(`m${i}`, ['busy'], `第${i + 1}条`, now())), now());
    await w.runDue();
    expect(api.delivered).toHaveLength(30);
    const waiting = (await stores.outbox.inspect(partitionOf('busy'))).pending;
    expect(waiting).toHaveLength(1);
    expect(waiting[0]!.due).toBeGreaterThan(now());
    expect(waiting[0]!.lastError).toBeNull();
    clock.advance(60_000);
    await w.runDue();
    expect(api.delivered).toHaveLength(31);
    expect(api.dropped).toHaveLength(0);
  });

  it('counts a member’s sends across instances', async () => {
    const [a, b] = [instance(), instance()];
    await stores.outbox.enqueue('shared', Array.from({ length: 40 }, (_, i) => message(`s${i}`, ['shared'], `${i}`, now())), now());
    await Promise.all([a.runDue(), b.runDue()]);
    expect(api.delivered).toHaveLength(30);
    clock.advance(60_000);
    await Promise.all([a.runDue(), b.runDue()]);
    expect(api.delivered).toHaveLength(40);
    expect(api.dropped).toHaveLength(0);
  });

  it('without the per-member limit WeCom would silently drop the 31st message (the stand-in does as WeCom does)', async () => {
    const w = instance({ limits: { perMinute: 1_000, perHour: 100_000 } });
    await stores.outbox.enqueue('victim', Array.from({ length: 31 }, (_, i) => message(`v${i}`, ['victim'], `第${i + 1}条`, now())), now());
    await w.runDue();
    expect(api.delivered).toHaveLength(30);
    expect(api.dropped).toHaveLength(1);
  });

  it('retries a busy WeCom (-1) with back-off and delivers once', async () => {
    const w = instance();
    api.failNext('message/send', -1);
    api.failNext('message/send', -1);
    await stores.outbox.enqueue('u1', [message('a', ['u1'], '一', now())], now());
    await w.runDue();
    expect(await get('u1', 'a')).toMatchObject({ state: 'pending', failures: 1, lastError: expect.stringContaining('-1') });
    for (let i = 0; i < 3; i++) {
      clock.advance(10_000);
      await w.runDue();
    }
    expect(await get('u1', 'a')).toMatchObject({ state: 'sent', failures: 2, result: { msgIds: [expect.any(String)] } });
    expect(api.textsTo('u1')).toEqual(['一']);
  });

  it('resends a message whose answer never came, and WeCom’s duplicate check drops the copy', async () => {
    const w = instance({ timeoutMs: 300 });
    api.swallowNext('message/send');
    await stores.outbox.enqueue('u1', [message('lost-answer', ['u1'], '只应收到一次', now())], now());
    await w.runDue();
    // WeCom accepted it; we could not know.
    expect(api.textsTo('u1')).toEqual(['只应收到一次']);
    expect(await get('u1', 'lost-answer')).toMatchObject({ state: 'pending', lastError: expect.stringContaining('unreachable') });
    clock.advance(10_000);
    await w.runDue();
    expect(await get('u1', 'lost-answer')).toMatchObject({ state: 'sent' });
    expect(api.textsTo('u1')).toEqual(['只应收到一次']);
    expect(api.duplicates).toHaveLength(1);
  });

  it('gives a message up on a permanent error with the reason; the operator sees it and sends it again', async () => {
    const w = instance();
    api.failNext('message/send', 40008, 'invalid message type');
    await stores.outbox.enqueue('u1', [message('bad', ['u1'], '一', now())], now());
    await w.runDue();
    expect(await get('u1', 'bad')).toMatchObject({ state: 'failed', lastError: expect.stringContaining('40008') });
    const lines: string[] = [];
    await outboxStatus(stores.outbox, now(), (l) => lines.push(l));
    expect(lines[0]).toBe('待发 0 条。');
    expect(lines[1]).toBe('失败 1 条：');
    expect(lines[2]).toMatch(/^ {2}bad → 1 人：WeCom message\/send answered 40008 invalid message type（0 秒前，失败 1 次）$/);
    expect(await outboxRetry(stores.outbox, { failed: true }, now(), (l) => lines.push(l))).toBe(0);
    expect(lines.at(-1)).toBe('已将 1 条失败的消息重新放入待发队列；运行中的服务会马上发送。');
    await w.runDue();
    expect(api.textsTo('u1')).toEqual(['一']);
    expect(await outboxRetry(stores.outbox, { id: 'bad' }, now(), (l) => lines.push(l))).toBe(1);
    expect(lines.at(-1)).toBe('bad 不是失败状态（现在：sent），无需重发。');
  });

  it('does not count waiting for a member’s limit as failing: give-up runs from the first failure', async () => {
    const w = instance({ giveUpMs: 30_000, limits: { perMinute: 1, perHour: 1_000 } });
    await stores.outbox.enqueue('u1', [message('first', ['u1'], '一', now()), message('held', ['u1'], '二', now())], now());
    await w.runDue();
    // One went out; the other waits a minute for the member's limit — longer than the give-up time.
    expect(api.textsTo('u1')).toHaveLength(1);
    clock.advance(61_000);
    api.failNext('message/send', -1);
    await w.runDue();
    // Its first failure now: retried, not given up.
    expect((await stores.outbox.inspect(partitionOf('u1'))).pending.map((e) => [e.failures, e.lastError?.includes('-1')])).toEqual([[1, true]]);
    clock.advance(61_000);
    await w.runDue();
    expect(api.textsTo('u1')).toHaveLength(2);
  });

  it('gives a message up once it has failed for the give-up time, and says why', async () => {
    const w = instance({ giveUpMs: 30_000 });
    for (let i = 0; i < 10; i++) api.failNext('message/send', -1);
    await stores.outbox.enqueue('u1', [message('stubborn', ['u1'], '一', now())], now());
    for (let i = 0; i < 6 && (await get('u1', 'stubborn'))?.state === 'pending'; i++) {
      await w.runDue();
      clock.advance(10_000);
    }
    expect(await get('u1', 'stubborn')).toMatchObject({ state: 'failed', lastError: expect.stringContaining('-1') });
    expect(api.textsTo('u1')).toEqual([]);
  });

  it('pauses a minute on WeCom’s frequency limit (45009), then delivers', async () => {
    const w = instance();
    api.failNext('message/send', 45009);
    await stores.outbox.enqueue('u1', [message('f1', ['u1'], '一', now()), message('f2', ['u1'], '二', now())], now());
    await w.runDue();
    expect(api.textsTo('u1').length).toBeLessThan(2);
    clock.advance(30_000);
    await w.runDue();
    expect(api.textsTo('u1').length).toBeLessThan(2);
    clock.advance(31_000);
    await w.runDue();
    expect(api.textsTo('u1').sort()).toEqual(['一', '二']);
  });

  it('never delivers an entry twice with two instances at work, and every one once', async () => {
    const [a, b] = [instance(), instance()];
    const entries = Array.from({ length: 120 }, (_, i) => ({ owner: `school${i}`, entry: message(`n${i}`, [`c${i}`], `提醒 ${i}`, now()) }));
    for (const { owner, entry } of entries) await stores.outbox.enqueue(owner, [entry], now());
    await Promise.all([a.runDue(), b.runDue(), a.runDue()]);
    expect(api.callsTo('message/send')).toHaveLength(120);
    expect(api.duplicates).toHaveLength(0);
    expect(new Set(api.delivered.map((d) => d.userId)).size).toBe(120);
  });

  it('resumes on another instance the entry an instance was holding when it died', async () => {
    const survivor = instance({ leaseMs: 30_000 });
    await stores.outbox.enqueue('u1', [message('orphan', ['u1'], '一', now())], now());
    // The first instance leased it and died before sending.
    const p = partitionOf('u1');
    expect(await stores.outbox.lease(p, await stores.outbox.due(p, now(), 10), now(), 30_000)).toHaveLength(1);
    await survivor.runDue();
    expect(api.delivered).toHaveLength(0);
    clock.advance(30_001);
    await survivor.runDue();
    expect(api.textsTo('u1')).toEqual(['一']);
    expect(await get('u1', 'orphan')).toMatchObject({ state: 'sent', failures: 0 });
  });

  it('goes on with a long entry from the piece an earlier attempt got to', async () => {
    const w = instance();
    const long = Array.from({ length: 200 }, (_, i) => `第${i + 1}所学校：已报`).join('\n');
    await stores.outbox.enqueue('reader', [message('long', ['reader'], long, now())], now());
    // The second piece fails; the first was sent and recorded.
    await new Promise((res) => setTimeout(res, 0));
    api.failNext('message/send', 0 - 1);
    await w.runDue();
    const partial = await get('reader', 'long');
    expect(partial?.state).toBe('pending');
    clock.advance(10_000);
    await w.runDue();
    expect(api.textsTo('reader').join('\n')).toBe(long);
    expect(api.textsTo('reader').every((t) => Buffer.byteLength(t) <= 2048)).toBe(true);
    expect(new Set(api.textsTo('reader')).size).toBe(api.textsTo('reader').length);
  });

  it('writes a broadcast to 2,500 people as entries of 1000, 1000 and 500, then the report', () => {
    const users = Array.from({ length: 2500 }, (_, i) => `user${i}`);
    const entries = staffEntries('turn:sheng:m:1', { userId: 'sheng', role: 'province' }, [{ kind: 'broadcast', by: 'sheng', users, text: '【通知】全体', label: '全省 学校的填报人' }], clock.now());
    expect(entries.map((e) => (e.payload.kind === 'message' ? e.payload.to.length : e.payload.kind))).toEqual([1000, 1000, 500, 'report']);
  });
});
