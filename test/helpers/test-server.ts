import type { Server } from 'node:http';
import { pino } from 'pino';
import { RedisStore } from '../../src/store/redis-store';
import { MemoryStore } from '../../src/store/memory-store';
import type { Store } from '../../src/store/store';
import { assemble, closeGracefully, listen, type Assembled } from '../../src/server';
import type { Clock } from '../../src/clock';
import type { Conversation } from '../../src/dispatch/conversation';
import { testRedis, type TestRedis } from './redis';
import { WeComApiStub, type StubOptions } from './wecom-api-stub';
import { WeComPlatform } from './wecom-platform';
import { SAMPLE, testConfig } from './sample';

export { SAMPLE, testConfig };

export interface TestServer {
  baseUrl: string;
  platform: WeComPlatform;
  api: WeComApiStub;
  store: Store;
  redis: TestRedis | null;
  parts: Assembled;
  server: Server;
  /** POSTs a message as WeCom would; returns status and body. */
  post(innerXml: string, opts?: { timestamp?: string; nonce?: string }): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  store?: 'redis' | 'memory' | Store;
  redisUrl?: string;
  replyBudgetMs?: number;
  clock?: Clock;
  stub?: Partial<StubOptions>;
  conversation?: Conversation<any, any>;
  /** Log lines, parsed; when given, the server logs at info level into it. */
  logs?: Record<string, unknown>[];
  /** How the WeCom client waits (45009 pauses, throttling); real sleeping by default. */
  wecomSleep?: (ms: number) => Promise<void>;
  /** Wraps the store, e.g. to slow it down. */
  wrapStore?: (store: Store) => Store;
  /** Links in messages point at the server itself (as PUBLIC_BASE_URL would); none by default. */
  links?: boolean;
}

/** The real server (real Koa, real socket, real Redis) in front of the WeCom API stand-in. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), ...options.stub }).start();
  const config = testConfig(api.url);
  let redis: TestRedis | null = null;
  let store: Store;
  if (options.store === 'memory') store = new MemoryStore();
  else if (options.store !== undefined && options.store !== 'redis') store = options.store;
  else {
    redis = await testRedis(options.redisUrl);
    store = new RedisStore(redis.redis, redis.prefix);
  }
  if (options.wrapStore) store = options.wrapStore(store);
  let self = '';
  const parts = assemble(config, {
    ...(options.links ? { publicBaseUrl: () => self } : {}),
    store,
    storeKind: redis ? 'redis' : 'memory',
    logger: options.logs ? pino({ level: 'info' }, { write: (line: string) => void options.logs!.push(JSON.parse(line) as Record<string, unknown>) }) : pino({ level: 'silent' }),
    ...(options.conversation ? { conversation: options.conversation } : {}),
    ...(options.wecomSleep ? { wecomSleep: options.wecomSleep } : {}),
    replyBudgetMs: options.replyBudgetMs ?? 3_000,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const { server, port } = await listen(parts.app, 0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${port}`;
  self = baseUrl;
  const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
  return {
    baseUrl,
    platform,
    api,
    store,
    redis,
    parts,
    server,
    post: async (innerXml, opts) => {
      const { query, body } = platform.envelope(innerXml, opts);
      const res = await fetch(`${baseUrl}/wecom/callback?${query}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } });
      return { status: res.status, body: await res.text() };
    },
    close: async () => {
      await closeGracefully(server, parts.inFlight, 5_000);
      await api.stop();
      await redis?.cleanup();
    },
  };
}
