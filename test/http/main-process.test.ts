import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WeComPlatform } from '../helpers/wecom-platform';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { deletePrefix, freePort } from '../helpers/redis-server';
import { SAMPLE } from '../helpers/test-server';
import { startNodeOptions } from '../../bench/targets/start-target';

const tsx = 'node_modules/.bin/tsx';

function run(env: Record<string, string>, onLine?: (line: string, child: ReturnType<typeof spawn>) => void, command: [string, ...string[]] = [tsx, 'src/main.ts']) {
  const child = spawn(command[0], command.slice(1), { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split('\n')) if (line) onLine?.(line, child);
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

/** Starts the server, and once it listens asks /healthz and sends one signed 帮助; then stops it with SIGTERM. */
async function serveOnce(env: Record<string, string>, port: number, from: string, msgId: string, command?: [string, ...string[]]) {
  let answered: { health: unknown; status: number } | null = null;
  const result = await run(env, (line, child) => {
    if (!line.includes('yuebao listening')) return;
    void (async () => {
      const health = await (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
      const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
      const { query, body } = platform.envelope(platform.textXml({ from, content: '帮助', msgId }));
      const res = await fetch(`http://127.0.0.1:${port}/wecom/callback?${query}`, { method: 'POST', body });
      answered = { health, status: res.status };
      child.kill('SIGTERM');
    })();
  }, command);
  return { code: result.code, answered: answered as { health: unknown; status: number } | null };
}

describe('npm start (src/main.ts)', () => {
  const serverEnv = (port: number) => ({
    WECOM_CORP_ID: SAMPLE.corpId,
    WECOM_AGENT_ID: SAMPLE.agentId,
    WECOM_SECRET: SAMPLE.secret,
    WECOM_TOKEN: SAMPLE.token,
    WECOM_ENCODING_AES_KEY: SAMPLE.encodingAesKey,
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: prefix,
    PORT: String(port),
    HOST: '127.0.0.1',
  });
  // The server's keys (scheduler markers, if a fire falls due) under this run's own prefix, removed afterwards.
  const prefix = `yb-test:${randomBytes(6).toString('hex')}:`;
  afterAll(async () => {
    const redis = new Redis(inject('redisUrl'));
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('npm start runs the build: plain JavaScript in dist/, which serves healthz and answers a signed callback', async () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.prestart).toBe('node scripts/build.mjs');
    // The built server, with the heap settings that keep a busy instance's RSS down (README, Performance).
    expect(pkg.scripts.start).toBe('node --max-semi-space-size=8 --heap-growing-percent=50 dist/main.js');
    const nodeOptions = startNodeOptions();
    const built = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    // No TypeScript is left for a loader: the bundle imports only packages and Node's own modules.
    const bundle = readFileSync('dist/main.js', 'utf8');
    expect([...bundle.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]!).filter((spec) => spec.startsWith('.'))).toEqual([]);
    // The CLI's bundle (npm run cli) runs too: bad configuration is listed, exit 1.
    const cli = spawnSync(process.execPath, ['dist/cli.js', 'config', 'check'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain('WECOM_CORP_ID: is not set');
    // The bundled CLI writes a workbook on its thread (dist/xlsx-worker.js, next to the bundles).
    const out = join(mkdtempSync(join(tmpdir(), 'yb-export-')), 'oct.xlsx');
    const exported = spawnSync(process.execPath, ['dist/cli.js', 'report', 'export', '--period', '2026-10', '--out', out, '--by', 'test'], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...serverEnv(3000) } });
    expect(exported.stderr).toBe('');
    expect(exported.stdout).toContain('已导出 2026年10月月报表：0 所学校');
    expect(readFileSync(out).subarray(0, 2).toString()).toBe('PK');
    const port = await freePort();
    const result = await serveOnce(serverEnv(port), port, 'built-user', '7200000000000000001', [process.execPath, ...nodeOptions, 'dist/main.js']);
    expect(result.answered).toEqual({ health: { status: 'ok', redis: 'ok' }, status: 200 });
    expect(result.code).toBe(0);
  });

  it('refuses bad configuration with one message listing every problem, and no stack trace', async () => {
    const { code, err } = await run({ WECOM_CORP_ID: SAMPLE.corpId, WECOM_ENCODING_AES_KEY: 'short', PORT: 'eighty' });
    expect(code).toBe(1);
    expect(err).toContain('Configuration has 5 problem(s)');
    expect(err).toContain('WECOM_ENCODING_AES_KEY: must be exactly 43 letters or digits');
    expect(err).toContain('PORT: must be a number');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('stops at start with a clear message when no Redis is configured, REDIS_CLUSTER_NODES has no Cluster, or the Sentinels know no such master', async () => {
    const { REDIS_URL: _unset, ...noRedis } = serverEnv(await freePort());
    const none = await run(noRedis);
    expect(none.code).toBe(1);
    expect(none.err).toContain('No Redis is configured: set REDIS_URL (redis://host:6379) for a single Redis, REDIS_CLUSTER_NODES (host:port,host:port,…) for a Redis Cluster, or REDIS_SENTINELS');
    const dead = await run({ ...noRedis, REDIS_CLUSTER_NODES: `127.0.0.1:${await freePort()}` });
    expect(dead.code).toBe(1);
    expect(dead.err).toContain('REDIS_CLUSTER_NODES is set but no Cluster answers there');
    expect(dead.err).not.toMatch(/\n\s+at /);
    const unnamed = await run({ ...noRedis, REDIS_SENTINELS: inject('sentinels'), REDIS_SENTINEL_NAME: 'not-the-master' });
    expect(unnamed.code).toBe(1);
    expect(unnamed.err).toMatch(/REDIS_SENTINELS is set but no Sentinel there names the master \(127\.0\.0\.1:\d+ knows no master not-the-master;/);
    expect(unnamed.err).not.toMatch(/\n\s+at /);
  });

  it('serves on a real Redis Cluster given by REDIS_CLUSTER_NODES: healthz, and a signed callback answered', async () => {
    const port = await freePort();
    const { REDIS_URL: _unset, ...env } = serverEnv(port);
    const result = await serveOnce({ ...env, REDIS_CLUSTER_NODES: inject('clusterNodes') }, port, 'cluster-user', '7100000000000000001');
    expect(result.code).toBe(0);
    expect(result.answered).toEqual({ health: { status: 'ok', redis: 'ok' }, status: 200 });
  });

  it('stops promptly on SIGTERM under keep-alive load: answers ask clients to close, and it exits 0 in well under its 10 s bound', async () => {
    const port = await freePort();
    const { Agent, request } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    let sigtermAt = 0;
    let load: Promise<void> = Promise.resolve();
    const get = () =>
      new Promise<string | undefined>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers.connection));
        });
        req.on('error', reject);
        req.end();
      });
    // A request whose body is still coming when SIGTERM arrives: its answer must ask the client to close.
    let slow: Promise<string | undefined> = Promise.resolve(undefined);
    const result = await run(serverEnv(port), (line, child) => {
      if (!line.includes('yuebao listening')) return;
      // Eight keep-alive clients sending without pause, as a load balancer's connections would.
      load = Promise.all(
        Array.from({ length: 8 }, async () => {
          for (;;) {
            try {
              await get();
            } catch {
              return;
            }
          }
        }),
      ).then(() => undefined);
      slow = new Promise((resolve, reject) => {
        const body = '<xml>not signed</xml>';
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/wecom/callback?msg_signature=x&timestamp=1&nonce=n', agent: new Agent({ keepAlive: true }), headers: { 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.headers.connection));
        });
        req.on('error', reject);
        req.write(body.slice(0, 5));
        setTimeout(() => {
          sigtermAt = Date.now();
          child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(5)), 300);
        }, 300);
      });
    });
    const took = Date.now() - sigtermAt;
    await load;
    agent.destroy();
    expect(result.code).toBe(0);
    expect(await slow).toBe('close');
    expect(took).toBeLessThan(3_000);
  });

  it('serves, then on SIGTERM stops accepting, finishes and exits 0', async () => {
    const port = await freePort();
    let healthz: number | undefined;
    const result = await run(
      serverEnv(port),
      (line, child) => {
        if (line.includes('yuebao listening')) {
          void fetch(`http://127.0.0.1:${port}/healthz`).then((res) => {
            healthz = res.status;
            child.kill('SIGTERM');
          });
        }
      },
    );
    expect(healthz).toBe(200);
    expect(result.code).toBe(0);
    const messages = result.out.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages).toEqual(['yuebao listening', 'shutting down: no new work; finishing the running job tick, deliveries in hand and open requests', 'stopped']);
  });
});
