/**
 * Loads POST /wecom/callback over loopback with distinct signed, encrypted messages (distinct
 * MsgIds, many users) for a bounded time, next to a bare Koa server answering 200, and prints
 * req/s, p50/p99 latency and the server's peak RSS, and the ratio. Two scenarios:
 *   help   — unregistered users sending 帮助: dedupe, lock, session read-modify-write, passive reply;
 *   report — school contacts filing the monthly report: 填报, then answers, each a full turn
 *            (roster lookup, the school's records, the engine, an atomic commit, the session).
 *
 *   npm run bench -- [--seconds 10] [--connections 50] [--users 2000]
 *
 * Uses REDIS_URL, or starts a throwaway redis-server. Run it on an otherwise idle machine.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { startRedisServer, type ThrowawayRedis } from '../test/helpers/redis-server';
import { WeComApiStub } from '../test/helpers/wecom-api-stub';
import { WeComPlatform } from '../test/helpers/wecom-platform';
import { SAMPLE } from '../test/helpers/sample';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const SECONDS = arg('seconds', 10);
const CONNECTIONS = arg('connections', 50);
const USERS = arg('users', 2000);

interface Target {
  child: ChildProcess;
  port: number;
}

async function startTarget(script: string, env: Record<string, string>): Promise<Target> {
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

/** Peak resident set size of a process (Linux VmHWM), in MiB. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  rssMiB: number;
}

async function load(name: string, target: Target, request: () => { path: string; body: string }): Promise<Result> {
  const result = await autocannon({
    url: `http://127.0.0.1:${target.port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...request() }) }],
  });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rssMiB: peakRssMiB(target.child.pid!),
  };
}

async function main(): Promise<void> {
  let ownRedis: ThrowawayRedis | undefined;
  const redisUrl = process.env.REDIS_URL ?? (ownRedis = await startRedisServer()).url;
  const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
  const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
  const bare = await startTarget('bench/targets/bare-koa.ts', {});
  const helpTarget = await startTarget('bench/targets/yuebao.ts', { BENCH_REDIS_URL: redisUrl, BENCH_API_BASE: api.url });
  const reportTarget = await startTarget('bench/targets/yuebao.ts', { BENCH_REDIS_URL: redisUrl, BENCH_API_BASE: api.url, BENCH_SCHOOLS: String(USERS) });
  let seq = 0;
  const runId = BigInt(Date.now()) * 1_000_000n;
  const post = (from: string, content: string) => {
    const { query, body } = platform.envelope(platform.textXml({ from, content, msgId: String(runId + BigInt(seq++)) }));
    return { path: `/wecom/callback?${query}`, body };
  };
  const help = () => post(`bench-user-${seq % USERS}`, '帮助');
  // Each school contact's n-th message: 填报, then an answer to whatever is asked.
  const sent = new Array<number>(USERS).fill(0);
  let next = 0;
  const answer = () => {
    const u = next++ % USERS;
    const n = sent[u]!++;
    return post(`bench-user-${u}`, n === 0 ? '填报' : String(n % 7));
  };
  const targets = [helpTarget, reportTarget];
  try {
    process.stdout.write(`loading each target for ${SECONDS}s with ${CONNECTIONS} connections (${USERS} users)…\n`);
    const baseline = await load('bare Koa (200)', bare, () => ({ path: '/', body: '' }));
    const helpResult = await load('callback: 帮助', helpTarget, help);
    const reportResult = await load('callback: report turn', reportTarget, answer);
    const rows = [baseline, helpResult, reportResult].map((r) => [r.name.padEnd(22), r.rps.toFixed(0).padStart(8), `${r.p50.toFixed(1)} ms`.padStart(9), `${r.p99.toFixed(1)} ms`.padStart(9), `${r.rssMiB.toFixed(0)} MiB`.padStart(9), String(r.errors + r.non2xx).padStart(7)].join(' '));
    process.stdout.write(['target                    req/s       p50       p99  peak RSS  errors', ...rows].join('\n') + '\n');
    for (const r of [helpResult, reportResult]) {
      process.stdout.write(`${r.name}: ${(r.rps / baseline.rps).toFixed(2)} × bare Koa throughput (goal ≥ 0.35); p99 ${r.p99.toFixed(1)} ms (goal < 50 ms)\n`);
    }
    process.stdout.write(`report turns sent: ${sent.reduce((a, b) => a + b, 0)} (up to ${Math.max(...sent)} per school)\n`);
    if ([helpResult, reportResult].some((r) => r.errors + r.non2xx > 0)) process.exitCode = 1;
  } finally {
    for (const t of [bare, ...targets]) {
      const exited = new Promise((r) => t.child.once('exit', r));
      t.child.kill('SIGTERM');
      await exited;
    }
    await api.stop();
    await ownRedis?.stop();
  }
}

await main();
