import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { redisStores } from '../../src/store/stores';
import { createRedisClient } from '../../src/store/redis-client';
import { assemble, listen } from '../../src/server';
import { readSession } from '../helpers/sessions';
import { freeFixedPort, startRedisServer, type ThrowawayRedis } from '../helpers/redis-server';
import { WeComApiStub } from '../helpers/wecom-api-stub';
import { WeComPlatform } from '../helpers/wecom-platform';
import { SAMPLE, testConfig } from '../helpers/test-server';
import { until } from '../helpers/wait';


describe('when Redis goes away', () => {
  let redisServer: ThrowawayRedis;
  let server: Server;
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('reports 503, asks WeCom to retry, stays up, and recovers when Redis returns', async () => {
    // A Redis of its own: this test stops and restarts it.
    // Started again on its port below: one outside the ephemeral range (freeFixedPort says why).
    redisServer = await startRedisServer(await freeFixedPort());
    cleanups.push(() => redisServer.stop());
    const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    cleanups.push(() => api.stop());
    const redis = createRedisClient({ redisUrl: redisServer.url, redisClusterNodes: undefined });
    await redis.connect();
    cleanups.push(() => redis.disconnect());
    const stores = redisStores(redis, 'outage:');
    const parts = assemble(testConfig(api.url), { stores, logger: pino({ level: 'silent' }) });
    const listening = await listen(parts.app, 0, '127.0.0.1');
    server = listening.server;
    cleanups.push(() => new Promise((r) => server.close(r)));
    const base = `http://127.0.0.1:${listening.port}`;
    const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
    const post = async (msgId: string) => {
      const { query, body } = platform.envelope(platform.textXml({ from: 'outage-user', content: '帮助', msgId }));
      const res = await fetch(`${base}/wecom/callback?${query}`, { method: 'POST', body });
      return { status: res.status, body: await res.text() };
    };

    const healthy = await fetch(`${base}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: 'ok', redis: 'ok' });

    await redisServer.stop();
    await until(async () => (await fetch(`${base}/healthz`)).status === 503);
    const during = await post('7400000000000000001');
    expect(during.status).toBe(503);
    expect(during.body).toBe('temporarily unavailable');

    redisServer = await startRedisServer(redisServer.port);
    await until(async () => (await fetch(`${base}/healthz`)).status === 200);
    // WeCom's retry of the same message now goes through, once.
    const retried = await post('7400000000000000001');
    expect(retried.status).toBe(200);
    expect(platform.openReply(retried.body).Content).toContain('「月报」使用说明');
    expect((await readSession(stores.turns, 'outage-user', 'outage-user')).turns).toBe(1);
  });
});
