/**
 * Staff work at scale: 未报, 进度, the dashboard page and 催报 over 20,000 schools (half filed), and an export of 2,000
 * schools. Prints wall time and the Redis commands each took (INFO total_commands_processed).
 *
 *   npm run bench:staff -- [--schools 20000] [--export-schools 2000]
 *
 * Uses REDIS_URL (its own key prefix, removed afterwards), or starts a throwaway redis-server.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../src/store/redis-client';
import { pino } from 'pino';
import monthlyReport from '../conversations/monthly-report';
import { ManualClock } from '../src/clock/clock';
import { loadForm } from '../src/conversation/form';
import { stepStaff } from '../src/conversation/staff-step';
import { followUpHandlers } from '../src/dispatch/follow-ups';
import { staffEntries } from '../src/outbox/staff-entries';
import { owingSchools } from '../src/queries/period-queries';
import { StaffQueries } from '../src/queries/staff-queries';
import type { Report } from '../src/report/records';
import type { School } from '../src/roster/roster';
import { OutboxWorker } from '../src/delivery/worker';
import { DEFAULT_SCHEDULE } from '../src/calendar/schedule';
import { WorkCalendar } from '../src/calendar/work-calendar';
import { overviewPage } from '../src/dashboard/dashboard-pages';
import { buildOverview } from '../src/dashboard/dashboard-view';
import { buildReportTable } from '../src/export/report-table';
import { bookToXlsx, tableToXlsx } from '../src/export/write-table';
import { buildReportBook } from '../src/export/report-book';
import { redisStores } from '../src/store/stores';
import { loadTargets } from '../src/targets/targets';
import { WeComClient } from '../src/wecom/api-client';
import { WeComSender } from '../src/wecom/sender';
import { deletePrefix, startRedisServer, type ThrowawayRedis } from '../test/helpers/redis-server';
import { SAMPLE } from '../test/helpers/sample';
import { WeComApiStub } from '../test/helpers/wecom-api-stub';

const i = process.argv.indexOf('--schools');
const N = i > 0 ? Number(process.argv[i + 1]) : 20_000;
const e = process.argv.indexOf('--export-schools');
/** How many schools the export measurements cover (--export-schools; 2,000 by default). */
const EXPORT_SCHOOLS = e > 0 ? Number(process.argv[e + 1]) : 2_000;
const form = loadForm(monthlyReport);
const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
const logger = pino({ level: 'silent' });

let own: ThrowawayRedis | undefined;
const url = process.env.REDIS_URL ?? (own = await startRedisServer()).url;
// The project's one client factory (a single Redis here).
const redis = createRedisClient({ redisUrl: url, redisClusterNodes: undefined }, undefined, 'cli') as Redis;
await redis.connect();
const prefix = `bench-staff:${randomBytes(4).toString('hex')}:`;
const stores = redisStores(redis, prefix);
const { outbox } = stores;
const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
const clock = new ManualClock('2026-11-05T01:00:00Z');

async function commands(): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

async function measure<T>(name: string, work: () => Promise<T>): Promise<T> {
  const c0 = await commands();
  const t0 = performance.now();
  const out = await work();
  const ms = performance.now() - t0;
  const used = (await commands()) - c0 - 1; // less the INFO call itself
  process.stdout.write(`${name.padEnd(52)} ${ms.toFixed(0).padStart(7)} ms ${String(used).padStart(8)} Redis commands\n`);
  return out;
}

try {
  process.stdout.write(`seeding ${N} schools (half filed for 2026-10)…\n`);
  const places = ['郑州', '开封', '洛阳', '南阳', '新乡', '信阳', '周口', '商丘'];
  const schools: School[] = Array.from({ length: N }, (_, n) => {
    const category = 'ABCD'[n % 4] as School['category'];
    return { code: `S${String(n).padStart(6, '0')}`, name: `学校${n}`, city: places[n % places.length]!, level: category < 'C' ? '高职' : '中职', category, pilot: false, contacts: [`u${n}`] };
  });
  await stores.roster.replaceSchools(schools);
  const filed = (code: string, values: Record<string, number> = {}): Report => ({ v: 1, form: 1, school: code, period: '2026-10', status: 'filed', values, submittedBy: 'x', submittedAt: 0, firstSubmittedAt: 0, acceptedWarnings: [], zero: Object.keys(values).length === 0 });
  await Promise.all(schools.map((s, n) => (n % 2 === 0 ? stores.records.commit({ code: s.code, period: '2026-10', expectedRev: 0, report: filed(s.code), history: [], status: 'filed' }) : Promise.resolve())));

  const province = { userId: 'sheng', role: 'province' as const, name: '王省' };
  const targets = loadTargets('config/targets.json');
  const queries = new StaffQueries({ ...stores, targets, cal, schedule: DEFAULT_SCHEDULE, nudgeIntervalMs: 4 * 3_600_000, form: loadForm(monthlyReport) });
  const at = { now: clock.now(), period: '2026-10' };
  const owing = await measure(`owing set, province-wide (${N} schools)`, () => owingSchools(stores, '2026-10', {}));
  await measure(`owing set, one city and category`, () => owingSchools(stores, '2026-10', { city: '郑州', category: 'A' }));
  const turn = await measure(`未报 turn: load + step, province-wide`, async () => {
    const ctx = await queries.context(province, { kind: 'owing', filter: {}, page: 1 }, at);
    return stepStaff(ctx, cal, clock.now());
  });
  await measure(`进度 turn: load + step, province-wide`, async () => {
    const ctx = await queries.context(province, { kind: 'progress' }, at);
    return stepStaff(ctx, cal, clock.now());
  });
  const page = await measure(`dashboard page: load + figures + HTML, province-wide`, async () => {
    const ctx = await queries.context(province, { kind: 'progress' }, at);
    const window = ctx.window;
    if (ctx.data.kind !== 'progress') throw new Error('progress data expected');
    const { index, schools: all, ytd, targets: year } = ctx.data;
    return overviewPage(buildOverview({ member: province, window, index, schools: all, ytd, targets: year, now: clock.now(), cal, nudgeIntervalHours: 4 }), 'token');
  });
  process.stdout.write(`  dashboard page ${(Buffer.byteLength(page) / 1024).toFixed(0)} KiB\n`);
  // 催报 confirmed: the staff turn's entry, then the outbox's fan-out to schools, the sends and the report.
  const nudgeCtx = await queries.context(province, { kind: 'nudge', filter: {} }, { ...at, pendingNudge: { filter: {}, count: owing.length } });
  const effects = stepStaff({ ...nudgeCtx, command: { kind: 'confirm' } }, cal, clock.now()).effects;
  const client = new WeComClient({ apiBase: api.url, corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), tokens: stores.tokens, markers: stores.markers, logger, clock });
  const handlers = followUpHandlers({ ...stores, sender: new WeComSender(client), form, cal, schedule: DEFAULT_SCHEDULE, work: new WorkCalendar(), nudgeIntervalMs: 4 * 3_600_000, realClock: clock, kick: () => undefined });
  const worker = new OutboxWorker({ outbox, handlers, clock, logger });
  await client.tokens.get();
  await measure(`催报 run: ${owing.length} schools through the outbox and the stand-in`, async () => {
    await outbox.enqueue('sheng', staffEntries('turn:sheng:bench', province, effects, clock.now()), clock.now().getTime());
    await worker.runDue();
  });
  process.stdout.write(`  owing ${owing.length}, first page ${turn.text.split('\n').length - 3} rows; stand-in received ${api.callsTo('message/send').length} sends\n`);

  const some = schools.slice(0, EXPORT_SCHOOLS);
  const small = redisStores(redis, `${prefix}export:`);
  await small.roster.replaceSchools(some);
  const values = Object.fromEntries(form.cells.map((c) => [c.id, 1]));
  await Promise.all(some.map((s) => small.records.commit({ code: s.code, period: '2026-10', expectedRev: 0, report: filed(s.code, values), history: [], status: 'filed' })));
  await measure(`export of ${some.length} schools: table + .xlsx`, async () => tableToXlsx(await buildReportTable(small, form, cal, '2026-10'), 'bench'));
  // The workbook 导出 sends: the table, the summary, the breakdowns and a sheet per city.
  await measure(`导出 workbook of ${some.length} schools (every sheet)`, async () => bookToXlsx(await buildReportBook(small, form, cal, '2026-10', { now: clock.now(), targets }), 'bench'));
} finally {
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await api.stop();
  await own?.stop();
}
