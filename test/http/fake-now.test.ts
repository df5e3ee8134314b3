import type { Server } from 'node:http';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { redisStores } from '../../src/store/stores';
import { assemble, listen, stopGracefully, type Assembled } from '../../src/server';
import { testRedis, type TestRedis } from '../helpers/redis';
import { SAMPLE, testConfig } from '../helpers/sample';
import { WeComApiStub } from '../helpers/wecom-api-stub';
import { WeComPlatform } from '../helpers/wecom-platform';

describe('FAKE_NOW', () => {
  let redis: TestRedis;
  let api: WeComApiStub;
  let server: Server;
  let parts: Assembled;
  afterAll(async () => {
    await stopGracefully(server, parts, 2_000);
    await api.stop();
    await redis.cleanup();
  });

  it('drives the business clock of the real server', async () => {
    redis = await testRedis();
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    const stores = redisStores(redis.redis, redis.prefix);
    await stores.roster.replaceSchools([{ code: 's1', name: '测试职业学院', city: '郑州', level: '高职', category: 'B', pilot: false, contacts: ['u1'] }]);
    // 2031-03-12 09:00 in Shanghai: the February 2031 window closed on the 10th.
    parts = assemble(testConfig(api.url, { FAKE_NOW: '2031-03-12T09:00:00+08:00' }), { stores, logger: pino({ level: 'silent' }) });
    ({ server } = await listen(parts.app, 0, '127.0.0.1'));
    const port = (server.address() as { port: number }).port;
    const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
    const { query, body } = platform.envelope(platform.textXml({ from: 'u1', content: '填报', msgId: '9100000000000000001' }));
    const res = await fetch(`http://127.0.0.1:${port}/wecom/callback?${query}`, { method: 'POST', body });
    expect(platform.openReply(await res.text()).Content).toBe(
      '2031年2月月报已于 3月10日截止（本校：未开始）。下一期（2031年3月的数据）4月1日开始填报，4月10日截止。',
    );
  });
});
