/**
 * A scheduled nudge over N schools (default 20,000, none filed) through the WeCom stand-in
 * answering instantly: wall time, Redis commands, and the sends the stand-in received.
 *
 *   npm run bench:jobs -- [--schools 20000]
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import monthlyReport from '../conversations/monthly-report';
import { ManualClock } from '../src/clock';
import { loadForm } from '../src/conversation/form';
import { runNudge } from '../src/jobs/nudge-job';
import { DEFAULT_SCHEDULE, latestFire } from '../src/schedule/schedule';
import { WorkCalendar } from '../src/schedule/work-calendar';
import { RedisStore } from '../src/store/redis-store';
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
const redis = new Redis(process.env.REDIS_URL ?? (own = await startRedisServer()).url, { enableAutoPipelining: true });
const prefix = `bench-jobs:${randomBytes(4).toString('hex')}:`;
const store = new RedisStore(redis, prefix);
const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
const clock = new ManualClock('2026-12-08T09:10:00+08:00');
const commands = async () => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1] ?? 0);
try {
  const schools: Record<string, string> = {};
  const members: Record<string, string> = {};
  for (let n = 0; n < N; n++) {
    const code = `S${String(n).padStart(6, '0')}`;
    schools[code] = JSON.stringify({ code, name: `学校${n}`, city: '郑州', level: '高职', category: 'B', pilot: false, contacts: [`u${n}`] });
    members[`u${n}`] = JSON.stringify({ userId: `u${n}`, role: 'school', school: code });
  }
  await store.replaceSchools(schools, members, { byCity: { 郑州: Object.keys(schools) }, byCategory: { B: Object.keys(schools) } });
  const logger = pino({ level: 'silent' });
  const client = new WeComClient({ apiBase: api.url, corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), store, logger, clock });
  await client.tokens.get();
  const fire = latestFire('nudge', clock.now(), DEFAULT_SCHEDULE, cal, new WorkCalendar())!;
  const deps = { store, sender: new WeComSender(client, store, logger), form: loadForm(monthlyReport), cal, now: clock.now(), print: () => undefined, targets: loadTargets('config/targets.json') };
  const c0 = await commands();
  const t0 = performance.now();
  const summary = await runNudge(deps, fire, false);
  const ms = performance.now() - t0;
  const used = (await commands()) - c0 - 1;
  process.stdout.write(`nudge over ${N} schools: ${ms.toFixed(0)} ms, ${used} Redis commands (Lua included), ${summary.done} sent, stand-in received ${api.callsTo('message/send').length}\n`);
  const t1 = performance.now();
  const again = await runNudge(deps, fire, false);
  process.stdout.write(`re-run (all marked): ${(performance.now() - t1).toFixed(0)} ms, ${again.done} sent, ${again.already} already\n`);
} finally {
  await deletePrefix(redis, prefix);
  redis.disconnect();
  await api.stop();
  await own?.stop();
}
