/**
 * The fault table: school contacts filing through two real server processes on one Redis, each
 * request re-sent with its MsgId until answered (as WeCom does), while a fault strikes mid-run.
 * For each fault it prints the answers lost, applied twice and stored in the wrong cell — all must
 * be 0 — and exits 1 otherwise.
 *
 *   npm run bench:faults -- [--contacts 50] [--answers 31] [--outage 10]
 *
 * Starts its own redis-server (AOF, fsync always, in a temporary directory: a stopped or killed
 * Redis comes back with what it had), and the WeCom stand-in in this process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { importRoster } from '../src/cli/roster-command';
import { redisStores } from '../src/store/stores';
import { freePort } from '../test/helpers/redis-server';
import { processEnv, startInstance, type Instance } from '../test/helpers/processes';
import { SAMPLE } from '../test/helpers/sample';
import { WeComApiStub } from '../test/helpers/wecom-api-stub';
import { WeComPlatform } from '../test/helpers/wecom-platform';
import monthlyReport from '../conversations/monthly-report';
import { loadForm } from '../src/conversation/form';
import { arg } from './args';

const CONTACTS = arg('contacts', 50);
const ANSWERS = Math.min(51, arg('answers', 31));
const OUTAGE_MS = arg('outage', 10) * 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const form = loadForm(monthlyReport);

/** A Redis that keeps what it had across a stop or a kill: AOF, fsync on every write. */
class DurableRedis {
  process: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'yb-faults-'));
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        await sleep(50);
      }
    }
    throw new Error('redis-server did not start');
  }
  signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.process!;
    const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    child.kill(signal);
    return signal === 'SIGSTOP' || signal === 'SIGCONT' ? Promise.resolve() : exited;
  }
  async shutdownNosave(): Promise<void> {
    const client = new Redis(this.url, { maxRetriesPerRequest: 0 });
    const exited = new Promise<void>((resolve) => this.process!.once('exit', () => resolve()));
    await client.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    client.disconnect();
    await exited;
  }
  async stop(): Promise<void> {
    if (this.process && this.process.exitCode === null) await this.signal('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

type Fault = { name: string; strike: (ctx: { redis: DurableRedis; pool: Instance[]; restart: (i: number) => Promise<void> }) => Promise<void> };

const FAULTS: Fault[] = [
  { name: 'none', strike: async () => undefined },
  {
    name: `Redis SHUTDOWN NOSAVE for ${OUTAGE_MS / 1000} s`,
    strike: async ({ redis }) => {
      await redis.shutdownNosave();
      await sleep(OUTAGE_MS);
      await redis.start();
    },
  },
  {
    name: `Redis paused (SIGSTOP) ${(OUTAGE_MS * 1.2) / 1000} s`,
    strike: async ({ redis }) => {
      await redis.signal('SIGSTOP');
      await sleep(OUTAGE_MS * 1.2);
      await redis.signal('SIGCONT');
    },
  },
  {
    name: 'Redis SIGKILL, restarted',
    strike: async ({ redis }) => {
      await redis.signal('SIGKILL');
      await sleep(1_000);
      await redis.start();
    },
  },
  {
    name: 'one server SIGKILL, restarted',
    strike: async ({ pool, restart }) => {
      await pool[0]!.kill('SIGKILL');
      await restart(0);
    },
  },
  {
    name: 'one server SIGTERM under load, restarted',
    strike: async ({ pool, restart }) => {
      await pool[1]!.kill('SIGTERM');
      await restart(1);
    },
  },
];

interface Tally {
  answered: number;
  lost: number;
  duplicated: number;
  misplaced: number;
  attempts: number;
  ms: number;
}

/** The value contact c sends for the k-th cell: distinct within a contact, so a value in another cell gives itself away. */
const valueFor = (c: number, k: number) => 1 + ((c * 53 + k * 7) % 900);

async function runFault(fault: Fault, redis: DurableRedis, api: WeComApiStub, round: number): Promise<Tally> {
  const prefix = `faults-${round}:`;
  const admin = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  // Redis goes away on purpose here: the client reconnects by itself.
  admin.on('error', () => undefined);
  const store = redisStores(admin, prefix);
  const rows = Array.from({ length: CONTACTS }, (_, c) => `F${round}${String(c).padStart(4, '0')},学校${c},郑州,高职,A,否,f${round}u${c}`);
  await importRoster(store, 'schools', 'schools.csv', Buffer.from(['code,name,city,level,category,pilot,contacts', ...rows].join('\n')), { dryRun: false, by: 'bench', now: new Date() }, () => undefined);
  const env = processEnv(api.url, redis.url, prefix, { FAKE_NOW: '2026-11-05T09:00:00+08:00', LOG_LEVEL: 'warn', OUTBOX_LEASE_SECONDS: '15' });
  const pool: Instance[] = [await startInstance(env), await startInstance(env)];
  const restart = async (i: number) => {
    pool[i] = await startInstance(env);
  };
  const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
  let msgId = BigInt(Date.now()) * 1000n;
  let attempts = 0;
  let next = 0;
  let done = 0;
  let strike: () => void = () => undefined;
  const third = new Promise<void>((resolve) => (strike = resolve));
  const answered = Array.from({ length: CONTACTS }, () => new Set<number>());

  /** One message as WeCom sends it: again, with the same MsgId, while no 200 comes. */
  const send = async (user: string, content: string): Promise<boolean> => {
    const xml = platform.textXml({ from: user, content, msgId: String(++msgId) });
    for (let attempt = 0; attempt < 40; attempt++) {
      attempts++;
      const target = pool[next++ % pool.length]!;
      const { query, body } = platform.envelope(xml);
      const ok = await fetch(`http://127.0.0.1:${target.port}/wecom/callback?${query}`, { method: 'POST', body, signal: AbortSignal.timeout(5_000) }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status === 200;
        },
        () => false,
      );
      if (ok) {
        if (++done >= (CONTACTS * (ANSWERS + 1)) / 3) strike();
        return true;
      }
      await sleep(1_500);
    }
    return false;
  };

  const started = Date.now();
  const contacts = Array.from({ length: CONTACTS }, async (_, c) => {
    const user = `f${round}u${c}`;
    await send(user, '填报');
    for (let k = 0; k < ANSWERS; k++) if (await send(user, String(valueFor(c, k)))) answered[c]!.add(k);
  });
  // The fault strikes a third of the way into the run.
  const struck = third.then(() => fault.strike({ redis, pool, restart }));
  await Promise.all([...contacts, struck]);
  const ms = Date.now() - started;

  const tally: Tally = { answered: 0, lost: 0, duplicated: 0, misplaced: 0, attempts, ms };
  const codes = rows.map((r) => r.split(',')[0]!);
  const drafts = await store.records.drafts('2026-10', codes);
  codes.forEach((_, c) => {
    const values = drafts[c]?.values ?? {};
    const sentFor = new Map<number, number>();
    for (let k = 0; k < ANSWERS; k++) sentFor.set(valueFor(c, k), k);
    for (let k = 0; k < form.cells.length; k++) {
      const v = values[form.cells[k]!.id];
      if (k < ANSWERS && answered[c]!.has(k)) tally.answered++;
      if (k < ANSWERS && answered[c]!.has(k) && v === undefined) tally.lost++;
      if (v === undefined || v === valueFor(c, k)) continue;
      // A value sent for another cell: applied twice if it is also in its own cell, else misplaced.
      const own = sentFor.get(v);
      if (own !== undefined && values[form.cells[own]!.id] === v) tally.duplicated++;
      else tally.misplaced++;
    }
  });
  await Promise.all(pool.map((i) => i.kill('SIGTERM')));
  admin.disconnect();
  return tally;
}

async function main(): Promise<void> {
  const redis = new DurableRedis(await freePort());
  await redis.start();
  const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
  process.stdout.write(`${CONTACTS} contacts × ${ANSWERS} answers a run, two server processes, each request re-sent until answered\n`);
  process.stdout.write(`${'fault'.padEnd(44)} ${'answered'.padStart(8)} ${'lost'.padStart(5)} ${'twice'.padStart(6)} ${'wrong cell'.padStart(10)} ${'requests'.padStart(9)} ${'time'.padStart(8)}\n`);
  let bad = 0;
  try {
    for (const [round, fault] of FAULTS.entries()) {
      const t = await runFault(fault, redis, api, round);
      bad += t.lost + t.duplicated + t.misplaced + (t.answered === CONTACTS * ANSWERS ? 0 : 1);
      process.stdout.write(`${fault.name.padEnd(44)} ${String(t.answered).padStart(8)} ${String(t.lost).padStart(5)} ${String(t.duplicated).padStart(6)} ${String(t.misplaced).padStart(10)} ${String(t.attempts).padStart(9)} ${`${(t.ms / 1000).toFixed(1)} s`.padStart(8)}\n`);
    }
  } finally {
    await api.stop();
    await redis.stop();
  }
  process.stdout.write(bad === 0 ? 'all faults: nothing lost, nothing applied twice, nothing in the wrong cell\n' : `FAILED: ${bad} problem(s)\n`);
  process.exitCode = bad === 0 ? 0 : 1;
}

await main();
