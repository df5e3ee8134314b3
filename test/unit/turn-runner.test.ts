import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { TurnRunner, UserBusyError, type TurnOptions } from '../../src/dispatch/turn-runner';
import { sessionOnly, type Outcome } from '../../src/dispatch/conversation';
import { respondToUnregistered } from '../../src/dispatch/unregistered';
import type { Session } from '../../src/session/session';
import { redisStores, type Stores } from '../../src/store/stores';
import type { Inbound } from '../../src/wecom/inbound';
import { readSession, storedSession } from '../helpers/sessions';
import { testRedis, type TestRedis } from '../helpers/redis';

type Step = (inbound: Inbound, session: Session, now: Date) => Outcome;
const respond: Step = (inbound, session, now) => respondToUnregistered(inbound, { ...session, turns: session.turns + 1 }, now);
const text = (userId: string, msgId: string, content = 'x'): Inbound => ({ kind: 'text', userId, corpId: 'c', agentId: 'a', createTime: 1, msgId, content });

describe('TurnRunner', () => {
  let r: TestRedis;
  let stores: Stores;
  const clock = new ManualClock('2026-11-05T01:00:00Z');
  const runner = (step: Step = respond, options: TurnOptions = { waitMs: 300 }, s: Stores = stores) =>
    new TurnRunner({ turns: s.turns, conversation: sessionOnly(step), clock, logger: pino({ level: 'silent' }) }, options);
  const turns = async (userId: string) => (await readSession(stores.turns, userId, userId)).turns;

  beforeEach(async () => {
    r = await testRedis();
    stores = redisStores(r.redis, r.prefix);
  });
  afterEach(async () => r.cleanup());

  it('handles one user’s events in the order they arrived', async () => {
    const seen: string[] = [];
    const step: Step = (inbound, session, now) => {
      seen.push(inbound.kind === 'text' ? inbound.content : '');
      return respond(inbound, session, now);
    };
    const t = runner(step);
    await Promise.all(['一', '二', '三', '四', '五'].map((c, i) => t.run(text('u', String(i), c))));
    expect(seen).toEqual(['一', '二', '三', '四', '五']);
    expect(await turns('u')).toBe(5);
  });

  it('keeps two instances apart on one user with no lost update', async () => {
    const a = runner();
    const b = runner();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).run(text('shared', String(i)))));
    expect(await turns('shared')).toBe(20);
  });

  it('gives up with UserBusyError while another turn holds the user, writing nothing', async () => {
    expect((await stores.turns.begin({ home: 'held', userId: 'held', deliveryId: 'other', lock: 'theirs', lockTtlMs: 10_000 })).kind).toBe('ready');
    await expect(runner(respond, { waitMs: 20 }).run(text('held', '1'))).rejects.toBeInstanceOf(UserBusyError);
    expect(await stores.turns.record('held', 'held', 'm:1')).toBeNull();
    // The holder lets go; nothing of the refused turn was stored.
    await stores.turns.release('held', 'held', 'theirs');
    expect(await storedSession(stores.turns, 'held', 'held')).toBeNull();
  });

  it('takes over a lock whose holder died once its short TTL passes (well inside WeCom’s retries)', async () => {
    await stores.turns.begin({ home: 'died', userId: 'died', deliveryId: 'm:1', lock: 'dead', lockTtlMs: 150 });
    const started = Date.now();
    expect((await runner(respond, { waitMs: 2_000 }).run(text('died', '1'))).status).toBe('handled');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('saves nothing when the step throws, and handles WeCom’s retry afterwards', async () => {
    let fail = true;
    const step: Step = (inbound, session, now) => {
      if (fail) throw new Error('step failed');
      return respond(inbound, session, now);
    };
    const t = runner(step);
    await expect(t.run(text('u', '1'))).rejects.toThrow('step failed');
    expect(await storedSession(stores.turns, 'u', 'u')).toBeNull();
    fail = false;
    expect((await t.run(text('u', '1'))).status).toBe('handled');
    expect(await turns('u')).toBe(1);
  });

  it('answers a retry of an applied delivery with the same replies, stepping nothing again', async () => {
    let steps = 0;
    const step: Step = (inbound, session, now) => {
      steps++;
      return { ...respond(inbound, session, now), replies: [{ kind: 'text', text: `第 ${steps} 次` }] };
    };
    const first = await runner(step).run(text('u', '7'));
    const retry = await runner(step).run(text('u', '7'));
    expect(first).toEqual({ status: 'handled', replies: [{ kind: 'text', text: '第 1 次' }] });
    expect(retry).toEqual({ status: 'replayed', replies: [{ kind: 'text', text: '第 1 次' }] });
    expect(steps).toBe(1);
    expect(await turns('u')).toBe(1);
    expect(await stores.turns.record('u', 'u', 'm:7')).toMatchObject({ replayed: true });
  });

  it('writes replies that do not fit a passive answer as an outbox entry of the turn', async () => {
    const long = '很长的回复。'.repeat(200);
    const out = await runner((i, s, n) => ({ ...respond(i, s, n), replies: [{ kind: 'text', text: long }] })).run(text('u', '8'));
    expect(out).toEqual({ status: 'handled', replies: [] });
    const [entry] = await stores.outbox.get([{ owner: 'u', id: 'turn:u:m:8:reply' }]);
    expect(entry?.payload).toMatchObject({ kind: 'message', to: ['u'] });
    expect(entry?.payload.kind === 'message' && entry.payload.messages.map((m) => (m.msgtype === 'text' ? m.text.content : '')).join('')).toBe(long);
  });

  it('keeps a late turn’s replies in an entry due after WeCom’s retries, which a retry withdraws and answers', async () => {
    const ticket = { late: true };
    const out = await runner(respond, { lateDelayMs: 20_000 }).run(text('u', '9', '帮助'), ticket);
    expect(out.replies).toEqual([]);
    const [late] = await stores.outbox.get([{ owner: 'u', id: 'turn:u:m:9:late' }]);
    expect(late).toMatchObject({ state: 'pending', due: clock.now().getTime() + 20_000 });
    const retry = await runner().run(text('u', '9', '帮助'));
    expect(retry.status).toBe('replayed');
    expect(retry.replies[0]?.kind === 'text' && retry.replies[0].text).toContain('「月报」使用说明');
    expect((await stores.outbox.get([{ owner: 'u', id: 'turn:u:m:9:late' }]))[0]?.state).toBe('cancelled');
  });

  it('answers a retry empty once the late entry has gone out (the reply was sent once)', async () => {
    await runner().run(text('u', '10', '帮助'), { late: true });
    const { partitionOf } = await import('../../src/store/partition');
    const [held] = await stores.outbox.lease(partitionOf('u'), ['turn:u:m:10:late'], clock.now().getTime() + 30_000, 10_000);
    expect(held).toBeDefined();
    expect(await runner().run(text('u', '10', '帮助'))).toEqual({ status: 'replayed', replies: [] });
  });

  it('re-steps on fresh data when another writer changed the session under the turn', async () => {
    let interfered = false;
    const step: Step = (inbound, session, now) => {
      if (!interfered) {
        interfered = true;
        // Another instance commits a turn of the same user in between (its lock had lapsed).
        void runner().run(text('u', '99'));
      }
      return respond(inbound, session, now);
    };
    // A short lock, so that the interfering turn can take it over while this one steps.
    const slow = runner(step, { waitMs: 2_000, lockTtlMs: 1 });
    await new Promise((res) => setTimeout(res, 5));
    expect((await slow.run(text('u', '11'))).status).toBe('handled');
    await new Promise((res) => setTimeout(res, 100));
    expect(await turns('u')).toBe(2);
  });
});

describe('TurnRunner with a session it cannot read', () => {
  it('restarts it and tells the user, instead of misreading it', async () => {
    const r = await testRedis();
    try {
      const stores = redisStores(r.redis, r.prefix);
      await r.redis.hset(`${r.prefix}{p${String((await import('../../src/store/partition')).partitionOf('old')).padStart(2, '0')}}:session:old`, 'data', JSON.stringify({ v: 99, whatever: true }), 'rev', '1');
      const runner = new TurnRunner({ turns: stores.turns, conversation: sessionOnly((i, s, now) => respondToUnregistered(i, s, now)), clock: new ManualClock('2026-11-05T01:00:00Z'), logger: pino({ level: 'silent' }) });
      const out = await runner.run(text('old', '1', '帮助'));
      // One passive answer: the notice first, then what was asked for.
      expect(out.replies).toHaveLength(1);
      const [notice, ...rest] = (out.replies[0]!.kind === 'text' ? out.replies[0]!.text : '').split('\n');
      expect(notice).toBe('（系统已更新，您之前的对话位置已重置；已填写的月报数据都已保存。）');
      expect(rest[0]).toBe('「月报」使用说明');
      expect((await storedSession(stores.turns, 'old', 'old'))!.session).toMatchObject({ v: 6, report: null, nudge: null, card: null });
    } finally {
      await r.cleanup();
    }
  });
});
