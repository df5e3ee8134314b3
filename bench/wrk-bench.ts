/**
 * The callback bench with the load generator out of the way: the signed, encrypted requests are
 * made before the clock starts (a corpus of distinct MsgIds, users and contents, written as a Lua
 * table) and Debian's wrk replays them, so the machine's cores go to the server rather than to
 * signing and encrypting in the load generator. Same targets as `npm run bench`: bare Koa, 帮助,
 * report turns.
 *
 *   npm run bench:wrk -- [--seconds 10] [--connections 50] [--users 2000] [--months 0] [--warmup 3] [--tsx]
 *
 * Needs `wrk` (apt-get install wrk). BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=prof") is
 * passed to the targets' Node, for a profile of the loaded server.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds, peakRssMiB, printResults, startTarget, THROUGH_TSX, type Result, type Target } from './targets/start-target';
import { startRedisServer } from '../test/helpers/redis-server';
import { SAMPLE } from '../test/helpers/sample';
import { WeComApiStub } from '../test/helpers/wecom-api-stub';
import { WeComPlatform } from '../test/helpers/wecom-platform';
import { arg } from './args';

const SECONDS = arg('seconds', 10);
const CONNECTIONS = arg('connections', 50);
const USERS = arg('users', 2000);
/** Months each seeded school has filed already (report turns then read a year of reports, as in the autumn). */
const MONTHS = arg('months', 0);
const WARMUP = arg('warmup', 3);
const THREADS = 1;
/** Requests in each corpus: more than the fastest target answers in the warm-up and the run. */
const CORPUS = arg('corpus', 60_000);

/**
 * A wrk script that sends the corpus in order from `offset` (each thread its own share) and
 * stops at its end; an empty corpus sends GET / (bare Koa).
 */
function luaScript(corpusFile: string | null, offset: number): string {
  if (!corpusFile) return 'wrk.method = "GET"\n';
  return `
local corpus = dofile("${corpusFile}")
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end
function init(args)
  k = ${offset} + tid
end
function request()
  local r = corpus[k + 1]
  if r == nil then r = corpus[#corpus] end
  k = k + ${THREADS}
  return wrk.format("POST", r[1], nil, r[2])
end
`;
}


const ms = (text: string): number => {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
};

function wrk(dir: string, name: string, target: Target, corpusFile: string | null, offset: number, seconds: number): Result {
  const script = join(dir, `${name.replace(/\W+/g, '-')}-${offset}.lua`);
  writeFileSync(script, luaScript(corpusFile, offset));
  const cpuBefore = cpuSeconds(target.child.pid!);
  const run = spawnSync('wrk', ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency', '-s', script, `http://127.0.0.1:${target.port}/`], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  const out = run.stdout;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  return {
    name,
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    cpuUs: ((cpuSeconds(target.child.pid!) - cpuBefore) * 1e6) / Math.max(1, requests),
    p50: ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99: ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    errors: non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
    rssMiB: peakRssMiB(target.child.pid!),
  };
}

/**
 * Writes requests as a Lua table of {path, body}; long brackets keep the XML as it is. LuaJIT
 * allows one chunk 65,536 constants, so the rows go in parts of 20,000 that the file joins.
 */
function writeCorpus(file: string, requests: { path: string; body: string }[]): void {
  const parts: string[] = [];
  for (let from = 0; from < requests.length; from += CORPUS_PART) {
    const part = `${file}.${parts.length}.lua`;
    const rows = requests.slice(from, from + CORPUS_PART).map((r) => `{"${r.path}",[==[${r.body}]==]}`);
    writeFileSync(part, `return {\n${rows.join(',\n')}\n}\n`);
    parts.push(part);
  }
  const joins = parts.map((part) => `for _, r in ipairs(dofile("${part}")) do all[#all + 1] = r end`);
  writeFileSync(file, `local all = {}\n${joins.join('\n')}\nreturn all\n`);
}

const CORPUS_PART = 20_000;

async function main(): Promise<void> {
  if (spawnSync('wrk', ['--version']).error) throw new Error('wrk is not installed: apt-get install wrk');
  const dir = mkdtempSync(join(tmpdir(), 'yb-wrk-'));
  const redis = await startRedisServer();
  const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
  const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
  let seq = 0;
  const runId = BigInt(Date.now()) * 1_000_000n;
  const post = (from: string, content: string) => {
    const { query, body } = platform.envelope(platform.textXml({ from, content, msgId: String(runId + BigInt(seq++)) }));
    return { path: `/wecom/callback?${query}`, body };
  };
  process.stdout.write(`signing and encrypting ${CORPUS} requests per corpus…\n`);
  const helpFile = join(dir, 'help.lua');
  writeCorpus(helpFile, Array.from({ length: CORPUS }, (_, k) => post(`bench-user-${k % USERS}`, '帮助')));
  // The k-th request is user k mod USERS's n-th message: 填报, then answers (the warm-up opens the reports).
  const reportFile = join(dir, 'report.lua');
  writeCorpus(reportFile, Array.from({ length: CORPUS }, (_, k) => {
    const n = Math.floor(k / USERS);
    return post(`bench-user-${k % USERS}`, n === 0 ? '填报' : String(n % 7));
  }));

  const bare = await startTarget('bench/targets/bare-koa.ts', {});
  const floorTarget = await startTarget('bench/targets/floor.ts', { BENCH_REDIS_URL: redis.url });
  const helpTarget = await startTarget('bench/targets/yuebao.ts', { BENCH_REDIS_URL: redis.url, BENCH_API_BASE: api.url });
  const reportTarget = await startTarget('bench/targets/yuebao.ts', { BENCH_REDIS_URL: redis.url, BENCH_API_BASE: api.url, BENCH_SCHOOLS: String(USERS), BENCH_MONTHS: String(MONTHS) });
  try {
    process.stdout.write(`targets ${THROUGH_TSX ? 'through tsx' : 'built (npm run build)'}; wrk: ${CONNECTIONS} connections, ${SECONDS}s each after ${WARMUP}s of warm-up (the warm-up sends the corpus' first part, the run goes on from there)…\n`);
    const ranOut: string[] = [];
    const measure = (name: string, target: Target, corpus: string | null) => {
      // The warm-up's share of the corpus: at most what a fast target answers in the warm-up.
      const warmupShare = Math.min(Math.floor(CORPUS / 3), USERS * 2);
      if (WARMUP > 0) wrk(dir, `${name} warm-up`, target, corpus, 0, WARMUP);
      const result = wrk(dir, name, target, corpus, corpus ? warmupShare : 0, SECONDS);
      if (corpus && warmupShare + result.rps * SECONDS > CORPUS) ranOut.push(name);
      return result;
    };
    const baseline = measure('bare Koa (200)', bare, null);
    const floor = measure('floor: crypto + 3 Redis', floorTarget, helpFile);
    const help = measure('callback: 帮助', helpTarget, helpFile);
    const report = measure('callback: report turn', reportTarget, reportFile);
    printResults(baseline, [[help, 0.35], [report, 0.25]], floor);
    if (ranOut.length > 0) process.stdout.write(`note: the corpus ran out for ${ranOut.join(', ')} (raise --corpus above ${CORPUS}); its last request was repeated\n`);
    if ([help, report].some((r) => r.errors > 0)) process.exitCode = 1;
  } finally {
    for (const t of [bare, floorTarget, helpTarget, reportTarget]) {
      const exited = new Promise((r) => t.child.once('exit', r));
      t.child.kill('SIGTERM');
      await exited;
    }
    await api.stop();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
