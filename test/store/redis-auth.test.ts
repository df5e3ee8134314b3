import { spawn } from 'node:child_process';
import type { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configCheck } from '../../src/cli/config-check';
import { newSession } from '../../src/session/session';
import { connectRedis, createRedisClient, openRedis, RedisCredentialsRefused, type RedisConfig } from '../../src/store/redis-client';
import { redisStores } from '../../src/store/stores';
import type { TurnCommitArgs } from '../../src/store/turn-store';
import { SAMPLE } from '../helpers/sample';
import { freeFixedPort, freePort, startRedisCluster, startRedisSentinelGroup, startRedisServer, type ThrowawayCluster, type ThrowawayRedis, type ThrowawaySentinelGroup } from '../helpers/redis-server';

/**
 * Redis that asks for a password, in its three shapes, started for this file: a single Redis with
 * requirepass, a three-master Cluster whose nodes all ask for it, and a master and replica that
 * ask for it under three Sentinels that have a password of their own. Each is reached through the
 * production factory with REDIS_PASSWORD (and REDIS_SENTINEL_PASSWORD), each refuses the wrong
 * credentials with what to check, and a failover under Sentinel goes through with them.
 */
const PASSWORD = 'data-nodes-pass';
const SENTINEL_PASSWORD = 'sentinels-pass';

let single: ThrowawayRedis;
let cluster: ThrowawayCluster;
let group: ThrowawaySentinelGroup;

beforeAll(async () => {
  [single, cluster, group] = await Promise.all([
    startRedisServer(undefined, ['--requirepass', PASSWORD]),
    startRedisCluster({ password: PASSWORD }),
    startRedisSentinelGroup('yb-auth', { password: PASSWORD, sentinelPassword: SENTINEL_PASSWORD }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([single?.stop(), cluster?.stop(), group?.stop()]);
});

const hostPorts = (list: string[]) => list.map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) }));
const singleConfig = (extra: Partial<RedisConfig> = {}): RedisConfig => ({ redisUrl: single.url, redisClusterNodes: undefined, ...extra });
const clusterConfig = (extra: Partial<RedisConfig> = {}): RedisConfig => ({ redisUrl: undefined, redisClusterNodes: hostPorts(cluster.nodes), ...extra });
const sentinelConfig = (extra: Partial<RedisConfig> = {}): RedisConfig => ({ redisUrl: undefined, redisClusterNodes: undefined, redisSentinels: hostPorts(group.sentinels), redisSentinelName: group.name, ...extra });

const errors: string[] = [];
const logger = { error: (ids: object, msg: string) => errors.push(msg), info: () => undefined, warn: () => undefined } as never;

const commit = (home: string, n: number): TurnCommitArgs => ({
  home,
  userId: home,
  deliveryId: `m:${n}`,
  lock: 'L1',
  keepMs: 60_000,
  record: { replies: [`第${n}条`], late: null },
  session: { session: { ...newSession(), turns: n }, expectedRev: 0, ttlMs: 60_000 },
  outbox: [],
  now: 100,
});

/** Commits a turn for each of `homes` (on a Cluster: many slots) and reads each back. */
async function roundTrip(redis: Redis | Cluster, homes: string[]): Promise<void> {
  const { turns, roster } = redisStores(redis, `yb-auth:${Math.random().toString(36).slice(2)}:`);
  for (const [n, home] of homes.entries()) expect(await turns.commit(commit(home, n))).toEqual({ kind: 'ok' });
  for (const [n, home] of homes.entries()) expect((await turns.record(home, home, `m:${n}`))?.replies).toEqual([`第${n}条`]);
  await roster.replaceSchools([{ code: 'A001', name: '郑州职业技术学院', city: '郑州', level: '高职', category: 'A', pilot: false, contacts: ['zhang'] }]);
  expect((await roster.whois('zhang')).school?.name).toBe('郑州职业技术学院');
}

const HOMES = Array.from({ length: 12 }, (_, i) => `school-${i}`);

/** Starts as a server does with `config`, round-trips turns of `homes` and the roster, then `more`; disconnects. */
async function reach(config: RedisConfig, homes: string[], more: (redis: Redis | Cluster) => Promise<void> = async () => undefined): Promise<void> {
  const redis = createRedisClient(config, logger);
  try {
    await connectRedis(redis, logger);
    await roundTrip(redis, homes);
    await more(redis);
  } finally {
    redis.disconnect();
  }
}

describe('a single Redis with requirepass', () => {
  it('is reached with REDIS_PASSWORD, or with the password in REDIS_URL', async () => {
    for (const config of [singleConfig({ redisPassword: PASSWORD }), singleConfig({ redisUrl: single.url.replace('//', `//:${PASSWORD}@`) })]) await reach(config, HOMES.slice(0, 3));
  });

  it('stops start-up when the password is missing (NOAUTH) or wrong (WRONGPASS), saying which key to check', async () => {
    errors.length = 0;
    for (const [config, answer] of [[singleConfig(), 'NOAUTH'], [singleConfig({ redisPassword: 'not-it' }), 'WRONGPASS']] as const) {
      const redis = createRedisClient(config, logger);
      const refused = connectRedis(redis, logger);
      await expect(refused).rejects.toBeInstanceOf(RedisCredentialsRefused);
      await expect(refused).rejects.toThrow(new RegExp(`^Redis refused the credentials \\(${answer}\\): check REDIS_PASSWORD`));
      redis.disconnect();
    }
    // The refusal is said once, by the start that stops: no "retrying in the background" before it.
    expect(errors).toEqual([]);
  });

  it('`config check` says the credentials were refused, not that Redis is down', async () => {
    const lines: string[] = [];
    const env = { WECOM_CORP_ID: SAMPLE.corpId, WECOM_AGENT_ID: SAMPLE.agentId, WECOM_SECRET: SAMPLE.secret, WECOM_TOKEN: SAMPLE.token, WECOM_ENCODING_AES_KEY: SAMPLE.encodingAesKey, REDIS_URL: single.url, REDIS_PASSWORD: 'not-it' };
    expect(await configCheck(env, (line) => lines.push(line))).toBe(false);
    expect(lines[1]).toBe(`✗ redis: ${single.url}: Redis refused the credentials (WRONGPASS): check REDIS_PASSWORD (and REDIS_USERNAME for an ACL user) against requirepass or the ACL of the Redis nodes.`);
    expect(lines.join('\n')).not.toContain('not-it');
  });

  it('the server (src/main.ts) stops at start on a wrong password, saying so without it, and serves with the right one', async () => {
    // A developer's .env must not add to what this server is given.
    const env = (port: number, password: string) => ({ PATH: process.env.PATH ?? '', DOTENV_CONFIG_PATH: '/dev/null', WECOM_CORP_ID: SAMPLE.corpId, WECOM_AGENT_ID: SAMPLE.agentId, WECOM_SECRET: SAMPLE.secret, WECOM_TOKEN: SAMPLE.token, WECOM_ENCODING_AES_KEY: SAMPLE.encodingAesKey, REDIS_URL: single.url, REDIS_PASSWORD: password, REDIS_KEY_PREFIX: 'yb-auth-main:', PORT: String(port), HOST: '127.0.0.1' });
    const start = (port: number, password: string) => {
      const child = spawn('node_modules/.bin/tsx', ['src/main.ts'], { env: env(port, password), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Listening: ask /healthz, then stop it.
        if (out.includes('yuebao listening') && !child.killed) {
          void fetch(`http://127.0.0.1:${port}/healthz`)
            .then(async (r) => void (out += `\nhealth ${JSON.stringify(await r.json())}`))
            .catch((error: unknown) => void (out += `\nhealth failed: ${String(error)}`))
            .finally(() => child.kill('SIGTERM'));
        }
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      return new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
    };
    const refused = await start(await freePort(), 'hunter2-wrong');
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('Redis refused the credentials (WRONGPASS): check REDIS_PASSWORD');
    expect(refused.err + refused.out).not.toContain('hunter2-wrong');
    const served = await start(await freePort(), PASSWORD);
    expect(served.code).toBe(0);
    expect(served.out).toContain('health {"status":"ok","redis":"ok"}');
    expect(served.out + served.err).not.toContain(PASSWORD);
  }, 30_000);

  it('a server that loses Redis, which comes back with another password, logs each: unreachable, then refused', async () => {
    const own = await startRedisServer(await freeFixedPort(), ['--requirepass', PASSWORD]);
    const said: string[] = [];
    const heard = { error: (_ids: object, msg: string) => said.push(msg), info: (msg: string) => said.push(msg), warn: () => undefined } as never;
    const redis = createRedisClient(singleConfig({ redisUrl: own.url, redisPassword: PASSWORD }), heard);
    try {
      await connectRedis(redis, heard);
      expect(await redis.ping()).toBe('PONG');
      await own.stop();
      for (let i = 0; i < 50 && !said.includes('Redis unreachable; retrying in the background'); i++) await new Promise((r) => setTimeout(r, 50));
      const again = await startRedisServer(own.port, ['--requirepass', 'rotated']);
      try {
        for (let i = 0; i < 100 && !said.some((m) => m.startsWith('Redis refused the credentials')); i++) await new Promise((r) => setTimeout(r, 50));
        expect(said).toEqual(['Redis unreachable; retrying in the background', 'Redis refused the credentials: check REDIS_PASSWORD (and REDIS_USERNAME for an ACL user) against requirepass or the ACL of the Redis nodes; retrying in the background']);
      } finally {
        redis.disconnect();
        await again.stop();
      }
    } finally {
      redis.disconnect();
      await own.stop();
    }
  }, 20_000);

  it('a CLI client (fails at once) is refused the same way', async () => {
    const redis = createRedisClient(singleConfig({ redisPassword: 'not-it' }), undefined, 'cli');
    redis.on('error', () => undefined);
    await expect(openRedis(redis)).rejects.toThrow(/WRONGPASS/);
    redis.disconnect();
  });
});

describe('a Redis Cluster whose nodes ask for a password', () => {
  it('is reached with REDIS_PASSWORD on every node: turns on many slots, and the roster', async () => {
    await reach(clusterConfig({ redisPassword: PASSWORD }), HOMES, async (redis) => {
      // The homes did spread over the masters: every node was signed in to.
      const used = await Promise.all((redis as Cluster).nodes('master').map((node) => node.dbsize()));
      expect(used.filter((n) => n > 0).length).toBe(3);
    });
  });

  it('stops start-up without the password, saying which key to check', async () => {
    const redis = createRedisClient(clusterConfig(), logger);
    await expect(connectRedis(redis, logger)).rejects.toThrow(/^the Cluster refused the credentials \(NOAUTH\): check REDIS_PASSWORD/);
    redis.disconnect();
  });
});

describe('a master and replica with a password under Sentinels with their own', () => {
  it('is reached with REDIS_PASSWORD and REDIS_SENTINEL_PASSWORD', async () => {
    await reach(sentinelConfig({ redisPassword: PASSWORD, redisSentinelPassword: SENTINEL_PASSWORD }), HOMES.slice(0, 3));
  });

  it('stops start-up when the Sentinels refuse, or the master does, naming the key for each', async () => {
    const noSentinelPass = createRedisClient(sentinelConfig({ redisPassword: PASSWORD }), logger);
    await expect(connectRedis(noSentinelPass, logger)).rejects.toThrow(/no Sentinel there names the master \(127\.0\.0\.1:\d+: refused the credentials \(NOAUTH\): check REDIS_SENTINEL_PASSWORD/);
    noSentinelPass.disconnect();
    const wrongData = createRedisClient(sentinelConfig({ redisPassword: 'not-it', redisSentinelPassword: SENTINEL_PASSWORD }), logger);
    await expect(connectRedis(wrongData, logger)).rejects.toThrow(/^the master the Sentinels name refused the credentials \(WRONGPASS\): check REDIS_PASSWORD/);
    wrongData.disconnect();
  });

  it('fails over with the passwords: the master SIGKILLed, the client signs in to the promoted replica and writes there', async () => {
    const redis = createRedisClient(sentinelConfig({ redisPassword: PASSWORD, redisSentinelPassword: SENTINEL_PASSWORD }), logger) as Redis;
    try {
      await connectRedis(redis, logger);
      // Acknowledged writes wait for the replica (REDIS_WAIT_REPLICAS=1): the turn before the kill is on it.
      const { turns } = redisStores(redis, 'yb-auth-failover:', { durability: { replicas: 1, timeoutMs: 1_000 } });
      expect(await turns.commit(commit('before', 1))).toEqual({ kind: 'ok' });
      const first = await group.currentMaster();
      await group.kill(first);
      let promoted = first;
      for (let i = 0; promoted === first && i < 300; i++) {
        await new Promise((r) => setTimeout(r, 100));
        promoted = await group.currentMaster();
      }
      expect(promoted).toBe(group.replicaPort);
      // Writes answer again once the client has moved (it retries on its own; a callback would get 503s meanwhile).
      let after: { kind: string } | undefined;
      for (let i = 0; after === undefined && i < 100; i++) {
        after = await turns.commit(commit('after', 2)).catch(() => new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)));
      }
      // 'applied': an earlier try did commit though its answer was lost; either way the turn is there once.
      expect(['ok', 'applied']).toContain(after?.kind);
      expect((await turns.record('after', 'after', 'm:2'))?.replies).toEqual(['第2条']);
      expect((await turns.record('before', 'before', 'm:1'))?.replies).toEqual(['第1条']);
      expect(((await redis.call('ROLE')) as string[])[0]).toBe('master');
      expect(Number(/tcp_port:(\d+)/.exec(await redis.info('server'))?.[1])).toBe(group.replicaPort);
    } finally {
      redis.disconnect();
    }
  }, 40_000);
});
