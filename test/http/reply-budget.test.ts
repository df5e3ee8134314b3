import { afterEach, describe, expect, it } from 'vitest';
import type { Stores } from '../../src/store/stores';
import type { TurnStore } from '../../src/store/turn-store';
import { stopGracefully } from '../../src/server';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { until } from '../helpers/wait';

/** Stores whose turns start `ms` later (the first `times` of them): a slow downstream. */
function slowTurns(ms: number, times = Infinity) {
  let left = times;
  return (stores: Stores): Stores => {
    const turns: TurnStore = Object.create(stores.turns) as TurnStore;
    turns.begin = async (args) => {
      if (left-- > 0) await new Promise((r) => setTimeout(r, ms));
      return stores.turns.begin(args);
    };
    return { ...stores, turns };
  };
}

describe('the reply budget', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());

  it('answers 503 once the budget passes before the turn commits, and WeCom’s retry gets the reply', async () => {
    t = await startTestServer({ replyBudgetMs: 150, wrapStores: slowTurns(600, 1) });
    const xml = t.platform.textXml({ from: 'slowpoke', content: '帮助', msgId: '7300000000000000001' });
    const started = Date.now();
    const first = await t.post(xml);
    expect(first.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(550);
    // The turn goes on and commits; the retry (as WeCom sends it) is answered with its reply.
    await new Promise((r) => setTimeout(r, 700));
    const retry = await t.post(xml);
    expect(retry.status).toBe(200);
    expect(t.platform.openReply(retry.body).Content).toContain('「月报」使用说明');
    // Nothing else goes out: the late reply was withdrawn when the retry carried it.
    await t.deliver();
    expect(t.api.callsTo('message/send')).toHaveLength(0);
  });

  it('sends the reply through the API when no retry comes for it', async () => {
    // A short wait for retries, so that the test need not wait WeCom's 20 s.
    t = await startTestServer({ replyBudgetMs: 100, wrapStores: slowTurns(300, 1), turns: { lateDelayMs: 200 } });
    const res = await t.post(t.platform.textXml({ from: 'gave-up', content: '帮助', msgId: '7300000000000000004' }));
    expect(res.status).toBe(503);
    await until(() => t!.api.textsTo('gave-up').length === 1, 5_000);
    expect(t.api.textsTo('gave-up')[0]).toContain('「月报」使用说明');
  });

  it('lets a turn still running after its 503 commit before a graceful shutdown completes', async () => {
    t = await startTestServer({ replyBudgetMs: 100, wrapStores: slowTurns(400) });
    const res = await t.post(t.platform.textXml({ from: 'closing', content: '帮助', msgId: '7300000000000000002' }));
    expect(res.status).toBe(503);
    expect(t.parts.inFlight.size).toBe(1);
    await stopGracefully(t.server, t.parts, 5_000);
    expect(t.parts.inFlight.size).toBe(0);
    expect(await t.stores.turns.record('closing', 'closing', 'm:7300000000000000002')).toMatchObject({ late: 'turn:closing:m:7300000000000000002:late' });
  });

  it('replies passively when the work fits in the budget', async () => {
    t = await startTestServer({ replyBudgetMs: 2_000, wrapStores: slowTurns(50) });
    const res = await t.post(t.platform.textXml({ from: 'quick', content: '帮助', msgId: '7300000000000000003' }));
    expect(t.platform.openReply(res.body).Content).toContain('「月报」使用说明');
    expect(t.api.callsTo('message/send')).toHaveLength(0);
  });
});
