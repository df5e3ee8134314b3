import { afterEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store';
import { closeGracefully } from '../../src/server';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { until } from '../helpers/wait';

/** A store whose turns start `ms` later: a slow downstream. */
function slowStore(ms: number) {
  return (store: Store): Store =>
    new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop === 'beginTurn') {
          return async (...args: Parameters<Store['beginTurn']>) => {
            await new Promise((r) => setTimeout(r, ms));
            return target.beginTurn(...args);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
}


describe('the reply budget', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());

  it('answers empty once the budget passes and sends the reply through the API', async () => {
    t = await startTestServer({ replyBudgetMs: 150, wrapStore: slowStore(600) });
    const started = Date.now();
    const res = await t.post(t.platform.textXml({ from: 'slowpoke', content: '帮助', msgId: '7300000000000000001' }));
    const elapsed = Date.now() - started;
    expect(res).toEqual({ status: 200, body: '' });
    expect(elapsed).toBeLessThan(550);
    await until(() => t!.api.textsTo('slowpoke').length === 1);
    expect(t.api.textsTo('slowpoke')[0]).toContain('「月报」使用说明');
  });

  it('finishes a late reply before a graceful shutdown completes', async () => {
    t = await startTestServer({ replyBudgetMs: 100, wrapStore: slowStore(400) });
    const res = await t.post(t.platform.textXml({ from: 'closing', content: '帮助', msgId: '7300000000000000002' }));
    expect(res.body).toBe('');
    expect(t.parts.inFlight.size).toBe(1);
    await closeGracefully(t.server, t.parts.inFlight, 5_000);
    expect(t.api.textsTo('closing')).toHaveLength(1);
  });

  it('replies passively when the work fits in the budget', async () => {
    t = await startTestServer({ replyBudgetMs: 2_000, wrapStore: slowStore(50) });
    const res = await t.post(t.platform.textXml({ from: 'quick', content: '帮助', msgId: '7300000000000000003' }));
    expect(t.platform.openReply(res.body).Content).toContain('「月报」使用说明');
    expect(t.api.callsTo('message/send')).toHaveLength(0);
  });
});
