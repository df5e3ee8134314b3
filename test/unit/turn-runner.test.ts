import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { DeliveryInProgressError, TurnRunner, UserBusyError } from '../../src/dispatch/turn-runner';
import { sessionOnly, type Outcome } from '../../src/dispatch/conversation';
import { respondToUnregistered } from '../../src/dispatch/unregistered';
import type { Session } from '../../src/session/session';

type Step = (inbound: Inbound, session: Session, now: Date) => Outcome;
const respond: Step = (inbound, session, now) => respondToUnregistered(inbound, { ...session, turns: session.turns + 1 }, now);
import { readSession } from '../helpers/sessions';
import { RedisStore } from '../../src/store/redis-store';
import { userLock } from '../../src/store/store';
import type { Inbound } from '../../src/wecom/inbound';
import { testRedis, type TestRedis } from '../helpers/redis';

const text = (userId: string, msgId: string, content = 'x'): Inbound => ({ kind: 'text', userId, corpId: 'c', agentId: 'a', createTime: 1, msgId, content });

describe('TurnRunner', () => {
  let r: TestRedis;
  let store: RedisStore;
  const clock = new ManualClock('2026-11-05T01:00:00Z');
  const runner = (step: Step = respond, waitMs = 300) => new TurnRunner({ store, conversation: sessionOnly(step), clock, logger: pino({ level: 'silent' }) }, { waitMs });
  const turns = async (userId: string) => (await readSession(store, userId)).turns;

  beforeEach(async () => {
    r = await testRedis();
    store = new RedisStore(r.redis, r.prefix);
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

  it('gives up with UserBusyError when another instance holds the user too long, releasing the claim', async () => {
    await store.tryLock(userLock('held'), 10_000);
    await expect(runner(respond, 20).run(text('held', '1'))).rejects.toBeInstanceOf(UserBusyError);
    expect(await store.deliveryState('held', 'm:1')).toBe('absent');
  });

  it('saves nothing when the step throws, and handles WeCom’s retry afterwards', async () => {
    let fail = true;
    const step: Step = (inbound, session, now) => {
      if (fail) throw new Error('step failed');
      return respond(inbound, session, now);
    };
    const t = runner(step);
    await expect(t.run(text('u', '1'))).rejects.toThrow('step failed');
    expect(await store.readSession('u')).toBeNull();
    fail = false;
    expect((await t.run(text('u', '1'))).status).toBe('handled');
    expect(await turns('u')).toBe(1);
  });

  it('answers a retry as a duplicate once the other instance finishes the first delivery', async () => {
    await store.claimDelivery('u', 'm:7', 10_000);
    setTimeout(() => void store.completeDelivery('u', 'm:7', 60_000), 80);
    expect(await runner().run(text('u', '7'))).toEqual({ status: 'duplicate' });
    expect(await store.readSession('u')).toBeNull();
  });

  it('handles a retry itself when the other instance gave the delivery up', async () => {
    await store.claimDelivery('u', 'm:8', 10_000);
    setTimeout(() => void store.releaseDelivery('u', 'm:8'), 80);
    expect((await runner().run(text('u', '8'))).status).toBe('handled');
    expect(await turns('u')).toBe(1);
  });

  it('asks for a later retry while the other instance is still running', async () => {
    await store.claimDelivery('u', 'm:9', 10_000);
    await expect(runner(respond, 100).run(text('u', '9'))).rejects.toBeInstanceOf(DeliveryInProgressError);
  });
});

describe('TurnRunner with a session it cannot read', () => {
  it('restarts it and tells the user, instead of misreading it', async () => {
    const r = await testRedis();
    try {
      const store = new RedisStore(r.redis, r.prefix);
      await store.writeSession('old', JSON.stringify({ v: 99, whatever: true }), 0, null);
      const runner = new TurnRunner({ store, conversation: sessionOnly((i, s, now) => respondToUnregistered(i, s, now)), clock: new ManualClock('2026-11-05T01:00:00Z'), logger: pino({ level: 'silent' }) });
      const out = await runner.run(text('old', '1', '帮助'));
      if (out.status !== 'handled') throw new Error('expected handled');
      expect(out.replies[0]).toEqual({ kind: 'text', text: '（系统已更新，您之前的对话位置已重置；已填写的月报数据都已保存。）' });
      expect(JSON.parse((await store.readSession('old'))!.data)).toMatchObject({ v: 3, report: null });
    } finally {
      await r.cleanup();
    }
  });
});
