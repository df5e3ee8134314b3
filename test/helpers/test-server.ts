import type { Server } from 'node:http';
import { pino } from 'pino';
import { memoryStores, redisStores, type Stores } from '../../src/store/stores';
import { assemble, listen, stopGracefully, type Assembled } from '../../src/server';
import type { Clock } from '../../src/clock/clock';
import type { Conversation } from '../../src/dispatch/conversation';
import type { TurnOptions } from '../../src/dispatch/turn-runner';
import { testCluster, testRedis, type TestCluster, type TestRedis } from './redis';
import { WeComApiStub, type StubOptions } from './wecom-api-stub';
import { WeComPlatform } from './wecom-platform';
import { SAMPLE, testConfig } from './sample';

export { SAMPLE, testConfig };

export interface TestServer {
  baseUrl: string;
  platform: WeComPlatform;
  api: WeComApiStub;
  stores: Stores;
  redis: TestRedis | null;
  parts: Assembled;
  server: Server;
  /** POSTs a message as WeCom would; returns status and body. */
  post(innerXml: string, opts?: { timestamp?: string; nonce?: string }): Promise<{ status: number; body: string }>;
  /** Delivers everything the outbox has due now (and what that makes due), then resolves. */
  deliver(): Promise<number>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** The backing store: a single Redis (default), the run's Redis Cluster, the memory store, or given ports. */
  stores?: 'redis' | 'cluster' | 'memory' | Stores;
  redisUrl?: string;
  replyBudgetMs?: number;
  clock?: Clock;
  /** Real time as the callback route sees it (timestamps); the system clock by default. */
  callbackClock?: Clock;
  stub?: Partial<StubOptions>;
  conversation?: Conversation<any, any>;
  /** Log lines, parsed; when given, the server logs at info level into it. */
  logs?: Record<string, unknown>[];
  /** How the WeCom client waits (token fetch retries); real sleeping by default. */
  wecomSleep?: (ms: number) => Promise<void>;
  /** Wraps the storage ports, e.g. to slow them down or make them fail. */
  wrapStores?: (stores: Stores) => Stores;
  /** Links in messages point at the server itself (as PUBLIC_BASE_URL would); none by default. */
  links?: boolean;
  /** Start the outbox worker (polling every 50 ms), as production does; on by default. */
  worker?: boolean;
  env?: Record<string, string>;
  turns?: TurnOptions;
}

/** The real server (real Koa, real socket, real Redis) in front of the WeCom API stand-in. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), ...options.stub }).start();
  const config = testConfig(api.url, options.env);
  let redis: TestRedis | null = null;
  let stores: Stores;
  let cluster: TestCluster | null = null;
  if (options.stores === 'memory') stores = memoryStores();
  else if (options.stores === 'cluster') {
    cluster = await testCluster();
    stores = redisStores(cluster.redis, cluster.prefix);
  } else if (options.stores !== undefined && options.stores !== 'redis') stores = options.stores;
  else {
    redis = await testRedis(options.redisUrl);
    stores = redisStores(redis.redis, redis.prefix);
  }
  if (options.wrapStores) stores = options.wrapStores(stores);
  let self = '';
  const parts = assemble(config, {
    ...(options.links ? { publicBaseUrl: () => self } : {}),
    stores,
    logger: options.logs ? pino({ level: 'info' }, { write: (line: string) => void options.logs!.push(JSON.parse(line) as Record<string, unknown>) }) : pino({ level: 'silent' }),
    ...(options.conversation ? { conversation: options.conversation } : {}),
    ...(options.wecomSleep ? { wecomSleep: options.wecomSleep } : {}),
    replyBudgetMs: options.replyBudgetMs ?? 3_000,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.callbackClock ? { callbackClock: options.callbackClock } : {}),
    worker: { pollMs: 50 },
    ...(options.turns ? { turns: options.turns } : {}),
  });
  const { server, port } = await listen(parts.app, 0, '127.0.0.1');
  if (options.worker !== false) parts.worker.start();
  const baseUrl = `http://127.0.0.1:${port}`;
  self = baseUrl;
  const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
  return {
    baseUrl,
    platform,
    api,
    stores,
    redis,
    parts,
    server,
    post: async (innerXml, opts) => {
      const { query, body } = platform.envelope(innerXml, opts);
      const res = await fetch(`${baseUrl}/wecom/callback?${query}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
      return { status: res.status, body: await res.text() };
    },
    deliver: () => parts.worker.runDue(),
    close: async () => {
      await stopGracefully(server, parts, 5_000);
      await api.stop();
      await redis?.cleanup();
      await cluster?.cleanup();
    },
  };
}
