/**
 * Loads POST /wecom/callback over loopback with distinct signed, encrypted messages (distinct
 * MsgIds, many users) for a bounded time, next to a bare Koa server answering 200, and prints
 * req/s, p50/p99 latency and the server's peak RSS, and the ratio. Two scenarios:
 *   help   — unregistered users sending 帮助: dedupe, lock, session read-modify-write, passive reply;
 *   report — school contacts filing the monthly report: 填报, then answers, each a full turn
 *            (roster lookup, the school's records, the engine, an atomic commit, the session).
 *
 *   npm run bench -- [--seconds 10] [--connections 50] [--users 2000] [--months 0] [--warmup 3] [--wait] [--tsx]
 *
 * The targets run built, as `npm start` runs the server; --tsx runs them through tsx instead.
 *
 * Each target is loaded for --warmup seconds first, unmeasured (JIT, caches, and for report turns
 * the 填报 that opens each contact's report), so that the figures compare warm servers.
 * --wait adds a replica to the bench's own Redis and a run of report turns with
 * REDIS_WAIT_REPLICAS=1 (each acknowledged write confirmed by the replica): the cost of that guarantee.
 *
 * Uses REDIS_URL, or starts a throwaway redis-server. Run it on an otherwise idle machine.
 */
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { cpuSeconds, peakRssMiB, printResults, startTarget, THROUGH_TSX, type Result, type Target } from './targets/start-target';
import { startRedisServer, type ThrowawayRedis } from '../test/helpers/redis-server';
import { WeComApiStub } from '../test/helpers/wecom-api-stub';
import { WeComPlatform } from '../test/helpers/wecom-platform';
import { SAMPLE } from '../test/helpers/sample';
import { arg } from './args';

const SECONDS = arg('seconds', 10);
const CONNECTIONS = arg('connections', 50);
const USERS = arg('users', 2000);
/** Months each seeded school has filed already (report turns then read a year of reports, as in the autumn). */
const MONTHS = arg('months', 0);
const WARMUP = arg('warmup', 3);
const WAIT = process.argv.includes('--wait');


async function load(name: string, target: Target, request: () => { path: string; body: string }, seconds = SECONDS): Promise<Result> {
  const cpuBefore = cpuSeconds(target.child.pid!);
  const result = await autocannon({
    url: `http://127.0.0.1:${target.port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, ...request() }) }],
  });
  return {
    name,
    rps: result.requests.average,
    cpuUs: ((cpuSeconds(target.child.pid!) - cpuBefore) * 1e6) / Math.max(1, result.requests.total),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    rssMiB: peakRssMiB(target.child.pid!),
  };
}

async function main(): Promise<void> {
  let ownRedis: ThrowawayRedis | undefined;
  const redisUrl = process.env.REDIS_URL ?? (ownRedis = await startRedisServer()).url;
  let replica: ThrowawayRedis | undefined;
  if (WAIT) {
    if (!ownRedis) throw new Error('--wait starts a replica of the bench\'s own Redis: leave REDIS_URL unset');
    replica = await startRedisServer();
    const r = new Redis(replica.url);
    await r.replicaof('127.0.0.1', ownRedis.port);
    while (!(await r.info('replication')).includes('master_link_status:up')) await new Promise((res) => setTimeout(res, 50));
    r.disconnect();
  }
  const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
  const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
  const bare = await startTarget('bench/targets/bare-koa.ts', {});
  const floorTarget = await startTarget('bench/targets/floor.ts', { BENCH_REDIS_URL: redisUrl });
  const helpTarget = await startTarget('bench/targets/yuebao.ts', { BENCH_REDIS_URL: redisUrl, BENCH_API_BASE: api.url });
  const reportTarget = await startTarget('bench/targets/yuebao.ts', { BENCH_REDIS_URL: redisUrl, BENCH_API_BASE: api.url, BENCH_SCHOOLS: String(USERS), BENCH_MONTHS: String(MONTHS) });
  let seq = 0;
  const runId = BigInt(Date.now()) * 1_000_000n;
  const post = (from: string, content: string) => {
    const { query, body } = platform.envelope(platform.textXml({ from, content, msgId: String(runId + BigInt(seq++)) }));
    return { path: `/wecom/callback?${query}`, body };
  };
  const help = () => post(`bench-user-${seq % USERS}`, '帮助');
  // Each school contact's n-th message: 填报, then an answer to whatever is asked (each target its own contacts' count).
  const answerer = () => {
    const sent = new Array<number>(USERS).fill(0);
    let next = 0;
    const answer = () => {
      const u = next++ % USERS;
      const n = sent[u]!++;
      return post(`bench-user-${u}`, n === 0 ? '填报' : String(n % 7));
    };
    return { answer, sent };
  };
  const reports = answerer();
  const waitTarget = WAIT ? await startTarget('bench/targets/yuebao.ts', { BENCH_REDIS_URL: redisUrl, BENCH_API_BASE: api.url, BENCH_SCHOOLS: String(USERS), BENCH_MONTHS: String(MONTHS), BENCH_WAIT_REPLICAS: '1' }) : undefined;
  const waitReports = answerer();
  const targets = [floorTarget, helpTarget, reportTarget, ...(waitTarget ? [waitTarget] : [])];
  try {
    process.stdout.write(`targets ${THROUGH_TSX ? 'through tsx' : 'built (npm run build)'}; loading each target for ${SECONDS}s with ${CONNECTIONS} connections (${USERS} users), after ${WARMUP}s of warm-up…\n`);
    const measure = async (name: string, target: Target, request: () => { path: string; body: string }) => {
      if (WARMUP > 0) await load(`${name} (warm-up)`, target, request, WARMUP);
      return load(name, target, request);
    };
    const baseline = await measure('bare Koa (200)', bare, () => ({ path: '/', body: '' }));
    const floorResult = await measure('floor: crypto + 3 Redis', floorTarget, help);
    const helpResult = await measure('callback: 帮助', helpTarget, help);
    const reportResult = await measure('callback: report turn', reportTarget, reports.answer);
    const waitResult = waitTarget ? await measure('report turn, WAIT 1', waitTarget, waitReports.answer) : undefined;
    printResults(baseline, [[helpResult, 0.35], [reportResult, 0.25], ...(waitResult ? [[waitResult, 0.25] as [Result, number]] : [])], floorResult);
    for (const [name, { sent }] of [['report turns', reports], ...(waitTarget ? [['report turns, WAIT 1', waitReports] as const] : [])] as const) {
      process.stdout.write(`${name} sent: ${sent.reduce((a, b) => a + b, 0)} with the warm-up (up to ${Math.max(...sent)} per school)\n`);
    }
    if ([helpResult, reportResult, waitResult].some((r) => r && r.errors > 0)) process.exitCode = 1;
  } finally {
    for (const t of [bare, ...targets]) {
      const exited = new Promise((r) => t.child.once('exit', r));
      t.child.kill('SIGTERM');
      await exited;
    }
    await api.stop();
    await replica?.stop();
    await ownRedis?.stop();
  }
}

await main();
