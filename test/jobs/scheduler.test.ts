import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import monthlyReport from '../../conversations/monthly-report';
import { ManualClock } from '../../src/clock';
import { importRoster } from '../../src/cli/roster-command';
import { loadForm } from '../../src/conversation/form';
import { loadTargets } from '../../src/targets/targets';
import { DEFAULT_SCHEDULE } from '../../src/schedule/schedule';
import { Scheduler } from '../../src/schedule/scheduler';
import { RedisStore } from '../../src/store/redis-store';
import { WeComClient } from '../../src/wecom/api-client';
import { WeComSender } from '../../src/wecom/sender';
import { testRedis, type TestRedis } from '../helpers/redis';
import { SAMPLE } from '../helpers/sample';
import { WeComApiStub } from '../helpers/wecom-api-stub';

const form = loadForm(monthlyReport);
const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };

describe('the scheduler on two instances', () => {
  let r: TestRedis;
  let store: RedisStore;
  let api: WeComApiStub;
  const clock = new ManualClock('2026-12-01T00:00:00+08:00');

  beforeEach(async () => {
    r = await testRedis();
    store = new RedisStore(r.redis, r.prefix);
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    const schools = ['code,name,city,level,category,pilot,contacts', '4101,甲学院,郑州,高职,A,否,a1', '4102,乙学院,郑州,高职,B,否,b1', '4103,丙学校,洛阳,中职,C,否,c1'].join('\n');
    await importRoster(store, 'schools', 'schools.csv', Buffer.from(schools), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    await store.commitSchool('4102', '2026-11', { expectedRev: 0, report: JSON.stringify({ v: 1, school: '4102', period: '2026-11', status: 'filed', values: {}, submittedBy: 'b1', submittedAt: 1, firstSubmittedAt: 1, acceptedWarnings: [], zero: true }) });
    await store.setSchoolStatus('2026-11', '4102', 'filed');
  });
  afterEach(async () => {
    await api.stop();
    await r.cleanup();
  });

  function instance(): Scheduler {
    const logger = pino({ level: 'silent' });
    // Each instance has its own store object and client, sharing one Redis, as separate processes would.
    const own = new RedisStore(r.redis, r.prefix);
    const client = new WeComClient({ apiBase: api.url, corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), store: own, logger, clock });
    return new Scheduler({ store: own, targets: loadTargets('config/targets.json'), sender: new WeComSender(client, own, logger), form, cal, clock, logger, schedule: DEFAULT_SCHEDULE });
  }
  const at = (iso: string) => new Date(iso);
  const stages = (fires: { job: string; stage: string }[]) => fires.map((f) => `${f.job} ${f.stage}`);

  it('runs each fire once, however many instances tick', async () => {
    const a = instance();
    const b = instance();
    const [ra, rb] = await Promise.all([a.tick(at('2026-12-04T09:11:00+08:00')), b.tick(at('2026-12-04T09:11:00+08:00'))]);
    expect([...stages(ra), ...stages(rb)]).toEqual(['nudge day-5']);
    expect(api.delivered.map((d) => d.userId).sort()).toEqual(['a1', 'c1']);
    expect(stages(await b.tick(at('2026-12-04T09:12:00+08:00')))).toEqual([]);
    expect(api.delivered).toHaveLength(2);
  });

  it('sends nothing in quiet hours, and catches a missed nudge up in the morning', async () => {
    const a = instance();
    expect(stages(await a.tick(at('2026-12-08T23:00:00+08:00')))).toEqual([]);
    expect(api.delivered).toHaveLength(0);
    // The day-8 staff digest was missed too: it runs (nobody on the staff list here).
    expect(stages(await a.tick(at('2026-12-09T08:15:00+08:00')))).toEqual(['nudge day-8', 'digest day-8']);
    expect(api.delivered).toHaveLength(2);
  });

  it('records the close at night and tells the schools in the morning', async () => {
    const a = instance();
    expect(stages(await a.tick(at('2026-12-11T00:06:00+08:00')))).toEqual(['close close']);
    expect(JSON.parse((await store.readSchool('4101', '2026-11')).reports['2026-11']!).status).toBe('defaulted');
    expect(api.delivered).toHaveLength(0);
    expect(stages(await a.tick(at('2026-12-11T08:11:00+08:00')))).toEqual(['close notify']);
    expect(api.textsTo('a1')[0]).toMatch(/^【月报】甲学院：2026年11月培训月报已于 12月10日截止，贵校未提交，按规定记为零申报/);
    expect(api.textsTo('b1')).toEqual([]);
  });

  it('leaves a fire another instance is running alone, and resumes it once that lease lapses', async () => {
    const a = instance();
    // Another instance holds the day-10 nudge's lease (and died holding it).
    const held = await store.tryLock('fire:nudge:2026-11:day-10', 100);
    expect(held).not.toBeNull();
    expect(stages(await a.tick(at('2026-12-10T09:11:00+08:00')))).toEqual([]);
    await new Promise((res) => setTimeout(res, 150));
    expect(stages(await a.tick(at('2026-12-10T09:12:00+08:00')))).toEqual(['nudge day-10']);
    expect(api.textsTo('a1')).toEqual(['【月报提醒】甲学院：2026年11月培训月报还没有开始，回复「填报」开始。今天（12月10日）截止。']);
  });
});
