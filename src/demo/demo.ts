/**
 * `npm run demo`: the real server on its embedded store (or REDIS_URL when set), with generated
 * WeCom credentials, an in-process WeCom API stand-in that records what the bot sends, a demo
 * province (30 schools, staff, nine months of history), and the emulator page at /demo.
 */
import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import { createRedisClient, durabilityOf, openRedis, redisConfigured } from '../store/redis-client';
import monthlyReport from '../../conversations/monthly-report';
import { SettableClock } from '../clock/clock';
import { loadConfig } from '../config/config';
import { loadForm } from '../conversation/form';
import { createLogger } from '../log/logger';
import { assemble, listen, stopGracefully } from '../server';
import { memoryStores, redisStores, type Stores } from '../store/stores';
import { seedDemo } from './demo-data';
import { templateEntry } from '../conversation/workbench';
import { demoRoutes } from './demo-routes';
import { WeComApiStub } from './wecom-api-emulator';
import { WeComPlatform } from './wecom-platform';

/** Where the demo's clock starts: inside the October 2026 filing window (FAKE_NOW overrides). */
const DEMO_NOW = '2026-11-05T09:00:00+08:00';

export async function startDemo(env: NodeJS.ProcessEnv = process.env, port = Number(env.PORT ?? 3000)) {
  const started = Date.now();
  const credentials = {
    corpId: `wwdemo${randomBytes(5).toString('hex')}`,
    secret: randomBytes(16).toString('hex'),
    token: randomBytes(12).toString('hex'),
    encodingAesKey: randomBytes(32).toString('base64').replace(/[^A-Za-z0-9]/g, 'A').slice(0, 43),
    agentId: '1000001',
  };
  const api = await new WeComApiStub({ corpId: credentials.corpId, secret: credentials.secret, agentId: Number(credentials.agentId) }).start();
  const config = loadConfig({
    ...env,
    WECOM_CORP_ID: credentials.corpId,
    WECOM_AGENT_ID: credentials.agentId,
    WECOM_SECRET: credentials.secret,
    WECOM_TOKEN: credentials.token,
    WECOM_ENCODING_AES_KEY: credentials.encodingAesKey,
    WECOM_API_BASE: api.url,
    // The stand-in serves 网页授权 too: the dashboard signs the person chosen on the page in.
    WECOM_OAUTH_BASE: api.url,
    WORKBENCH: env.WORKBENCH ?? 'on',
    FAKE_NOW: env.FAKE_NOW ?? DEMO_NOW,
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
    PORT: String(port || 3000),
  });
  const logger = createLogger(config.logLevel);
  let redis: Redis | Cluster | null = null;
  let stores: Stores;
  // Each demo run keeps to its own key prefix on a shared Redis.
  const keyPrefix = `yb-demo:${randomBytes(3).toString('hex')}:`;
  if (redisConfigured(config)) {
    redis = createRedisClient(config, logger);
    await openRedis(redis);
    stores = redisStores(redis, keyPrefix, { durability: durabilityOf(config) });
  } else {
    stores = memoryStores();
  }
  // The page's clock control sets this clock; the bot, the jobs and the scheduler all read it.
  const clock = new SettableClock(config.fakeNow ?? new Date());
  let base = '';
  // The outbox looks often: what the bot sends shows in the page within a moment.
  const parts = assemble(config, { stores, logger, clock, publicBaseUrl: () => base || undefined, worker: { pollMs: 250 } });
  const people = await seedDemo(stores, loadForm(monthlyReport), parts.clock.now());
  const platform = new WeComPlatform({ token: credentials.token, encodingAesKey: credentials.encodingAesKey, corpId: credentials.corpId, agentId: credentials.agentId });
  parts.app.use(demoRoutes({ platform, api, people, baseUrl: () => base, clock, jobs: parts.jobs }));
  // port 0 (tests) picks any free port, which the configuration itself would refuse.
  const { server, port: bound } = await listen(parts.app, port, env.HOST ?? '127.0.0.1');
  base = `http://127.0.0.1:${bound}`;
  parts.scheduler.start();
  parts.worker.start();
  if (config.workbench) await stores.outbox.enqueue('workbench', [templateEntry(parts.clock.now().getTime())], parts.clock.now().getTime());
  return {
    url: `${base}/demo`,
    startupMs: Date.now() - started,
    api,
    stores,
    /** The Redis key prefix of this run (null on the memory store), for a caller that cleans up. */
    keyPrefix: redis ? keyPrefix : null,
    stop: async () => {
      await stopGracefully(server, parts, 5_000);
      await api.stop();
      redis?.disconnect();
    },
  };
}

async function main(): Promise<void> {
  const demo = await startDemo();
  process.stdout.write(
    [
      '',
      `月报 demo 已启动（${demo.startupMs} ms）：${demo.url}`,
      '试试：',
      '  1. 选一所学校的填报人，发送「填报」，按提示填写（也可以一次回复多项，如「制造业 120 建筑业 30 其余为0」）',
      '  2. 切换到「王主任（省职成教处）」，发送「进度」，点卡片上的「打开看板」；也试试「未报」「催报」「导出」「广播」',
      '  3. 点「调时间 / 运行任务」，把时间调到 2026-11-11 08:10 运行「关账」，看学校收到的零申报通知',
      '按 Ctrl-C 停止。',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await demo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

if (process.argv[1] && /demo\.ts$/.test(process.argv[1])) void main();
