/**
 * A scheduled nudge over N schools (default 20,000, none filed) through the outbox and the WeCom
 * stand-in answering instantly: the run that writes the entries, then their delivery by one
 * instance's worker (8 sends in flight), with wall time and Redis commands for each.
 *
 *   npm run bench:jobs -- [--schools 20000]
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../src/store/redis-client';
import { pino } from 'pino';
import monthlyReport from '../conversations/monthly-report';
import { ManualClock } from '../src/clock/clock';
import { loadForm } from '../src/conversation/form';
import { followUpHandlers } from '../src/dispatch/follow-ups';
import { runNudge } from '../src/jobs/nudge-job';
import { OutboxWorker } from '../src/delivery/worker';
import { summarize } from '../src/delivery/delivery-report';
import { DEFAULT_SCHEDULE, latestFire } from '../src/calendar/schedule';
import { WorkCalendar } from '../src/calendar/work-calendar';
import { redisStores } from '../src/store/stores';
import { loadTargets } from '../src/targets/targets';
import { WeComClient } from '../src/wecom/api-client';
import { WeComSender } from '../src/wecom/sender';
import { deletePrefix, startRedisServer, type ThrowawayRedis } from '../test/helpers/redis-server';
import { SAMPLE } from '../test/helpers/sample';
import { WeComApiStub } from '../test/helpers/wecom-api-stub';

const i = process.argv.indexOf('--schools');
const N = i > 0 ? Number(process.argv[i + 1]) : 20_000;
const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
let own: ThrowawayRedis | undefined;
// The project's one client factory (a single Redis here).
const redis = createRedisClient({ redisUrl: process.env.REDIS_URL ?? (own = await startRedisServer()).url, redisClusterNodes: undefined }, undefined, 'cli') as Redis;
await redis.connect();
const prefix = `bench-jobs:${randomBytes(4).toString('hex')}:`;
const stores = redisStores(redis, prefix);
const { outbox } = stores;
const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
const clock = new ManualClock('2026-12-08T09:10:00+08:00');
const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
async function measure<T>(work: () => Promise<T>): Promise<{ out: T; ms: number; used: number }> {
  const c0 = await commands();
  const t0 = performance.now();
  const out = await work();
  return { out, ms: performance.now() - t0, used: (await commands()) - c0 - 1 };
}
try {
  await stores.roster.replaceSchools(Array.from({ length: N }, (_, n) => ({ code: `S${String(n).padStart(6, '0')}`, name: `学校${n}`, city: '郑州', level: '高职' as const, category: 'B' as const, pilot: false, contacts: [`u${n}`] })));
  const logger = pino({ level: 'silent' });
  const client = new WeComClient({ apiBase: api.url, corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), tokens: stores.tokens, markers: stores.markers, logger, clock });
  await client.tokens.get();
  const form = loadForm(monthlyReport);
  const work = new WorkCalendar();
  const fire = latestFire('nudge', clock.now(), DEFAULT_SCHEDULE, cal, work)!;
  const deps = { ...stores, form, cal, schedule: DEFAULT_SCHEDULE, work, nudgeIntervalMs: 4 * 3_600_000, now: clock.now(), print: () => undefined, targets: loadTargets('config/targets.json') };
  const handlers = followUpHandlers({ ...stores, sender: new WeComSender(client), form, cal, schedule: DEFAULT_SCHEDULE, work, nudgeIntervalMs: 4 * 3_600_000, realClock: clock, kick: () => undefined });
  const worker = new OutboxWorker({ outbox, handlers, clock, logger });

  const run = await measure(() => runNudge(deps, fire, false));
  process.stdout.write(`nudge over ${N} schools, writing the outbox: ${run.ms.toFixed(0)} ms, ${run.used} Redis commands, ${run.out.queued} entries\n`);
  const delivery = await measure(() => worker.runDue());
  const summary = summarize(await outbox.get(run.out.entries));
  process.stdout.write(`delivery by one worker: ${delivery.ms.toFixed(0)} ms, ${delivery.used} Redis commands, ${summary.reached.length} reached, ${summary.pending} pending; stand-in received ${api.callsTo('message/send').length}\n`);
  process.stdout.write(`the whole run through the outbox: ${(run.ms + delivery.ms).toFixed(0)} ms, ${run.used + delivery.used} Redis commands\n`);
  const again = await measure(() => runNudge({ ...deps, now: clock.now() }, fire, false));
  process.stdout.write(`re-run (every entry written): ${again.ms.toFixed(0)} ms, ${again.out.queued} new, ${again.out.already} already\n`);
} finally {
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await api.stop();
  await own?.stop();
}
