/**
 * A simulated deadline day: every school's contact files a realistic report by parts (a mistake now
 * and then, a correction for some) through two real server processes on one Redis (or a Cluster),
 * with real signed, encrypted callbacks, re-sent with the same MsgId as WeCom does on a non-200 or a
 * timeout; the school's other contacts ask 进度; staff ask 进度 / 未报 / 导出 throughout; the nudge
 * runs mid-day and the close after the deadline. At the end the month is exported and every cell
 * compared with what was sent.
 *
 *   npm run bench:day -- [--schools 600] [--contacts 2000] [--concurrency 64] [--cluster]
 *
 * BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=prof" profiles the two servers.
 *
 * Prints messages handled, p50/p99 per kind of turn, errors, peak RSS per instance, Redis memory
 * and commands per message, and "lost 0, duplicated 0" — or the cells that differ (exit 1).
 * A bench, not a timed test: the suite runs it once at 30 schools as a correctness check.
 */
import { readFileSync } from 'node:fs';
import { Cluster, Redis } from 'ioredis';
import monthlyReport from '../conversations/monthly-report';
import { importRoster } from '../src/cli/roster-command';
import { loadForm } from '../src/conversation/form';
import { buildReportBook } from '../src/export/report-book';
import { CITIES } from '../src/roster/places';
import { redisStores } from '../src/store/stores';
import { createRedisClient, openRedis } from '../src/store/redis-client';
import { processEnv, runCli, startInstance, type Instance } from '../test/helpers/processes';
import { startRedisCluster, startRedisServer } from '../test/helpers/redis-server';
import { SAMPLE } from '../test/helpers/sample';
import { WeComApiStub } from '../test/helpers/wecom-api-stub';
import { WeComPlatform } from '../test/helpers/wecom-platform';
import { dayScript } from './day/day-reports';
import { arg } from './args';
import { targetNodeArgs } from './targets/start-target';
// @ts-expect-error: a plain .mjs module without types (scripts/build.mjs).
import { buildEntries } from '../scripts/build.mjs';

const SCHOOLS = arg('schools', 600);
const CONTACTS = Math.max(SCHOOLS, arg('contacts', 2000));
const CONCURRENCY = arg('concurrency', 64);
const CLUSTER = process.argv.includes('--cluster');
/** Day 5 of the window, just after its 09:10 nudge time: the nudge the bench runs mid-day is due at once. */
const FAKE_NOW = '2026-11-05T09:12:00+08:00';
const PERIOD = '2026-10';
/** One school in this many does not file: the close makes its month a zero report. */
const SILENT_EVERY = 25;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const form = loadForm(monthlyReport);

const code = (s: number) => `D${String(s).padStart(5, '0')}`;
const cityOf = (s: number) => CITIES[s % CITIES.length]!;
/** Contacts spread over the schools: the first of each school files, the others ask 进度. */
const contactsOf = (s: number) => Array.from({ length: Math.floor(CONTACTS / SCHOOLS) + (s < CONTACTS % SCHOOLS ? 1 : 0) }, (_, j) => `d${s}c${j}`);
const files = (s: number) => s % SILENT_EVERY !== SILENT_EVERY - 1;

/** Latencies per kind of turn, and what went wrong. */
class Tally {
  readonly ms = new Map<string, number[]>();
  handled = 0;
  retries = 0;
  gaveUp = 0;
  add(kind: string, ms: number): void {
    const list = this.ms.get(kind) ?? [];
    list.push(ms);
    this.ms.set(kind, list);
    this.handled++;
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
const peakRssMiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** Each master's INFO section (one for a single Redis). */
async function infoOf(redis: Redis | Cluster, section: string): Promise<string[]> {
  return redis instanceof Cluster ? Promise.all(redis.nodes('master').map((n) => n.info(section))) : [await redis.info(section)];
}
const field = (infos: string[], name: string) => infos.reduce((n, info) => n + Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0), 0);
const commandsServed = async (redis: Redis | Cluster) => field(await infoOf(redis, 'stats'), 'total_commands_processed');

async function main(): Promise<void> {
  const started = Date.now();
  const single = CLUSTER ? undefined : await startRedisServer();
  const cluster = CLUSTER ? await startRedisCluster() : undefined;
  const nodes = cluster?.nodes.map((n) => ({ host: n.split(':')[0]!, port: Number(n.split(':')[1]) }));
  // The driver's own client comes from the one factory, as the CLI's does (the servers make theirs from REDIS_*).
  const redis = createRedisClient({ redisUrl: single?.url, redisClusterNodes: nodes }, undefined, 'cli');
  await openRedis(redis);
  const prefix = 'day:';
  const stores = redisStores(redis, prefix);
  const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), latencyMs: 5 }).start();
  const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
  const instances: Instance[] = [];
  try {
    const rows = Array.from({ length: SCHOOLS }, (_, s) => `${code(s)},${cityOf(s)}第${s}职业学院,${cityOf(s)},${s % 4 < 2 ? '高职' : '中职'},${'ABCD'[s % 4]},否,${contactsOf(s).join('|')}`);
    const now = new Date(FAKE_NOW);
    const imported = (code: number) => {
      if (code !== 0) throw new Error('the roster import was refused (above)');
    };
    imported(await importRoster(stores, 'schools', 'schools.csv', Buffer.from(['code,name,city,level,category,pilot,contacts', ...rows].join('\n')), { dryRun: false, by: 'bench', now }, (line) => process.stdout.write(`  ${line}\n`)));
    const staff = ['sheng', ...CITIES.map((_, i) => `city${i}`)];
    imported(await importRoster(stores, 'staff', 'staff.csv', Buffer.from(['userid,name,role,city', 'sheng,省厅王敏,province,', ...CITIES.map((c, i) => `city${i},${c}市李强,city,${c}`)].join('\n')), { dryRun: false, by: 'bench', now }, (line) => process.stdout.write(`  ${line}\n`)));
    const redisEnv: Record<string, string> = nodes ? { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster!.nodes.join(',') } : {};
    const env = { ...processEnv(api.url, single?.url ?? '', prefix, { FAKE_NOW, LOG_LEVEL: 'warn', OUTBOX_LEASE_SECONDS: '15' }), ...redisEnv };
    // The servers as `npm start` runs them, built into plain JavaScript (a folder of the bench's own).
    await buildEntries(['src/main.ts', 'src/export/xlsx-worker.ts'], 'dist/day');
    // With npm start's Node options, then BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=prof").
    const serverArgs = [...targetNodeArgs(), 'dist/day/main.js'];
    instances.push(await startInstance(env, undefined, serverArgs), await startInstance(env, undefined, serverArgs));
    process.stdout.write(`${SCHOOLS} schools, ${CONTACTS} contacts, ${staff.length} staff; two server processes on ${CLUSTER ? 'a three-master Cluster' : 'one Redis'}; ${CONCURRENCY} contacts at a time\n`);

    const tally = new Tally();
    let msgId = BigInt(Date.now()) * 1000n;
    let turn = 0;
    /** One message as WeCom sends it: the same MsgId again (to either instance) on a non-200 or a timeout, three retries. */
    const send = async (kind: string, from: string, content: string): Promise<boolean> => {
      const xml = platform.textXml({ from, content, msgId: String(++msgId) });
      for (let attempt = 0; attempt < 4; attempt++) {
        const target = instances[turn++ % instances.length]!;
        const { query, body } = platform.envelope(xml);
        const t0 = performance.now();
        const ok = await fetch(`http://127.0.0.1:${target.port}/wecom/callback?${query}`, { method: 'POST', body, signal: AbortSignal.timeout(5_000) }).then(
          async (res) => (await res.arrayBuffer(), res.status === 200),
          () => false,
        );
        if (ok) {
          tally.add(kind, performance.now() - t0);
          return true;
        }
        tally.retries++;
        await sleep(1_000 * (attempt + 1));
      }
      tally.gaveUp++;
      return false;
    };

    const commandsBefore = await commandsServed(redis);
    const scripts = Array.from({ length: SCHOOLS }, (_, s) => dayScript(form, s + 1));
    const answered = new Array<boolean>(SCHOOLS).fill(true);
    let filed = 0;
    let nextSchool = 0;
    const contactWork = async () => {
      for (let s = nextSchool++; s < SCHOOLS; s = nextSchool++) {
        if (!files(s)) continue;
        const [filer, ...others] = contactsOf(s);
        for (const [i, message] of scripts[s]!.messages.entries()) {
          const kind = i === 0 ? '填报' : message === '提交' || message === '确认' ? message : message === '不知道' || message.startsWith('修改') ? 'mistake / 修改' : 'part';
          if (!(await send(kind, filer!, message))) answered[s] = false;
          // Halfway through, a colleague asks how far the school is.
          if (i === 3 && others[0]) await send('contact 进度', others[0], '进度');
        }
        filed++;
      }
    };
    let filing = true;
    const staffWork = async (userId: string, i: number) => {
      const words = ['进度', '未报', '导出'];
      for (let n = i; filing; n++) {
        await send(`staff ${words[n % words.length]}`, userId, words[n % words.length]!);
        // Half a second apart at 600 schools, less often the more there are: an export of all of them is large.
        await sleep(500 * Math.max(1, SCHOOLS / 600));
      }
    };
    const progress = setInterval(() => process.stdout.write(`  … ${tally.handled} messages answered, ${filed} schools filed, ${tally.retries} retries\n`), 5_000);
    const t0 = Date.now();
    const contactsDone = Promise.all(Array.from({ length: CONCURRENCY }, contactWork));
    const staffDone = Promise.all(staff.slice(0, 6).map(staffWork));
    // The day-5 nudge runs while the schools file (the CLI, as cron would on one instance).
    const nudge = (async () => {
      while (filed < SCHOOLS / 3) await sleep(100);
      return runCli(['jobs', 'run', 'nudge', '--at', '2026-11-05T09:10:00+08:00'], env).done;
    })();
    await contactsDone;
    filing = false;
    await staffDone;
    clearInterval(progress);
    const filingMs = Date.now() - t0;
    const nudged = await nudge;
    const commandsAfter = await commandsServed(redis);
    // After the deadline: the close makes every month not filed a zero report.
    const close = await runCli(['jobs', 'run', 'close', '--at', '2026-11-11T00:30:00+08:00'], env).done;

    // The month as the export has it, every cell against what was sent.
    const book = await buildReportBook(stores, form, { timezone: 'Asia/Shanghai', dueDay: 10 }, PERIOD, { now: new Date('2026-11-11T01:00:00+08:00') });
    const table = book.main;
    const codeColumn = table.header.indexOf('学校代码');
    const statusColumn = table.header.indexOf('状态');
    const firstCell = table.header.length - form.cells.length;
    const byCode = new Map(table.rows.map((r) => [String(r[codeColumn]), r]));
    const differ: string[] = [];
    let lost = 0;
    let cells = 0;
    for (let s = 0; s < SCHOOLS; s++) {
      const row = byCode.get(code(s));
      if (!files(s)) {
        if (!row || row[statusColumn] !== '零申报(未报)') differ.push(`${code(s)}: status ${String(row?.[statusColumn])}, not 零申报(未报)`);
        continue;
      }
      if (!answered[s]) continue;
      for (const [k, cell] of form.cells.entries()) {
        cells++;
        const got = row?.[firstCell + k];
        const want = scripts[s]!.values[cell.id];
        if (got !== want) {
          lost++;
          if (differ.length < 20) differ.push(`${code(s)} ${cell.id}: sent ${want}, export has ${String(got)}`);
        }
      }
    }
    // Applied twice: a submission recorded more than once, or a message that reached a contact twice
    // (the same message to the same person: WeCom's duplicate check would have dropped a resend).
    const histories = await Promise.all(Array.from({ length: SCHOOLS }, (_, s) => stores.records.history(code(s))));
    const twiceSubmitted = histories.filter((h) => h.filter((e) => e.type === 'submit' && e.period === PERIOD).length > 1).length;
    const seen = new Map<string, number>();
    for (const d of api.delivered) {
      if (!/^d\d+c\d+$/.test(d.userId)) continue;
      const { enable_duplicate_check: _check, duplicate_check_interval: _interval, ...message } = d.body as Record<string, unknown>;
      const key = `${d.userId} ${JSON.stringify(message)}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const twiceSent = [...seen.values()].filter((n) => n > 1).length;
    for (const [k, n] of seen) if (n > 1 && differ.length < 40) differ.push(`sent ${n} times: ${k.slice(0, 160)}`);
    const duplicated = twiceSubmitted + twiceSent;
    const contactMessages = [...seen.values()].reduce((a, b) => a + b, 0);

    const memory = field(await infoOf(redis, 'memory'), 'used_memory');
    process.stdout.write(`\nfiled ${filed} schools in ${(filingMs / 1000).toFixed(1)} s; ${tally.handled} messages answered (${(tally.handled / (filingMs / 1000)).toFixed(0)}/s), ${tally.retries} retried, ${tally.gaveUp} given up\n`);
    process.stdout.write(`${'turn'.padEnd(18)} ${'count'.padStart(7)} ${'p50'.padStart(9)} ${'p99'.padStart(9)}\n`);
    for (const [kind, list] of [...tally.ms.entries()].sort()) {
      const sorted = [...list].sort((a, b) => a - b);
      process.stdout.write(`${kind.padEnd(18)} ${String(sorted.length).padStart(7)} ${`${percentile(sorted, 50).toFixed(1)} ms`.padStart(9)} ${`${percentile(sorted, 99).toFixed(1)} ms`.padStart(9)}\n`);
    }
    process.stdout.write(`peak RSS per instance: ${instances.map((i) => `${peakRssMiB(i.child.pid!).toFixed(0)} MiB`).join(', ')}\n`);
    process.stdout.write(`Redis: ${(memory / 2 ** 20).toFixed(1)} MiB used; ${((commandsAfter - commandsBefore) / tally.handled).toFixed(1)} commands per message (all clients, the outbox workers included)\n`);
    process.stdout.write(`sent to contacts through the outbox: ${contactMessages} (cards, nudges, notices), ${api.duplicates.length} resends dropped by WeCom's duplicate check\n`);
    process.stdout.write(`nudge: ${nudged.out.trim().split('\n').at(-1)}\nclose: ${close.out.trim().split('\n').at(-1)}\n`);
    process.stdout.write(`export: ${table.rows.length} schools, ${cells} cells compared; ${SCHOOLS - scripts.filter((_, s) => files(s)).length} zero reports\n`);
    for (const line of differ) process.stdout.write(`  differs: ${line}\n`);
    process.stdout.write(`lost ${lost}, duplicated ${duplicated}${tally.gaveUp ? `, ${tally.gaveUp} messages unanswered after WeCom's retries` : ''} (${((Date.now() - started) / 1000).toFixed(0)} s in all)\n`);
    process.exitCode = lost + duplicated + tally.gaveUp + differ.length + (nudged.code ?? 1) + (close.code ?? 1) === 0 ? 0 : 1;
  } finally {
    await Promise.all(instances.map((i) => i.kill('SIGTERM')));
    redis.disconnect();
    await api.stop();
    await single?.stop();
    await cluster?.stop();
  }
}

await main();
