import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { runJob } from '../../src/cli/jobs-command';
import { redisStores, type Stores } from '../../src/store/stores';
import { testBacking, type TestBacking } from '../helpers/redis';
import { SAMPLE } from '../helpers/sample';
import { jobParts } from '../helpers/job-deps';
import { report, seedDraft, seedReport } from '../helpers/records';
import { WeComApiStub } from '../helpers/wecom-api-stub';

const SCHOOLS = [
  'code,name,city,level,category,pilot,contacts',
  '4101,河南工业职业技术学院,南阳,高职,A,否,zhangsan',
  '4102,郑州铁路职业技术学院,郑州,高职,A,是,zhao',
  '4103,郑州市电子信息工程学校,郑州,中职,C,否,wang',
].join('\n');

// On a single Redis and on a real Redis Cluster.
describe.each(['redis', 'cluster'] as const)('jobs run nudge (%s)', (backing) => {
  let r: TestBacking;
  let stores: Stores;
  let api: WeComApiStub;
  let out: string[];
  const clock = new ManualClock('2026-12-04T09:10:00+08:00');

  async function seed(period: string) {
    await importRoster(stores, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    await seedReport(stores, report('4102', period));
    await seedDraft(stores, '4103', period, { projects_fiscal: 1, projects_nonfiscal: 0, projects_public: 0 }, 'wang');
  }

  beforeEach(async () => {
    r = await testBacking(backing);
    stores = redisStores(r.redis, r.prefix);
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    out = [];
  });
  afterEach(async () => {
    await api.stop();
    await r.cleanup();
  });

  /** The run at `at`, its worker's clock there too (as a server's would be, running then). */
  const run = (at: string, dryRun = false) => {
    clock.set(at);
    return runJob('nudge', jobParts(stores, api, clock), { at: new Date(at), dryRun }, (l) => out.push(l));
  };

  it('reminds the schools that owe, telling one with a draft where it stands, and nothing twice', async () => {
    await seed('2026-11');
    // December 5th 2026 is a Saturday: the day-5 nudge goes out on Friday the 4th.
    expect(await run('2026-12-04T09:10:00+08:00')).toBe(0);
    expect(api.textsTo('zhangsan')).toEqual(['【月报提醒】河南工业职业技术学院：2026年11月培训月报还没有开始，回复「填报」开始。12月10日截止，还有 7 天。']);
    expect(api.textsTo('wang')).toEqual(['【月报提醒】郑州市电子信息工程学校：2026年11月培训月报已完成 3/51，回复「继续」接着填。12月10日截止，还有 7 天。']);
    expect(api.textsTo('zhao')).toEqual([]);
    expect(out).toContain('催报 2026年11月（5日）：新写入发件箱 2 条，之前已写入 0 条。');
    expect(out.at(-1)).toBe('催报 2026年11月（5日）完成：送达 2 人，无效账号 0，失败 0。');
    // A re-run of the same stage: nothing new; the summary counts what WeCom accepted.
    expect(await run('2026-12-04T15:00:00+08:00')).toBe(0);
    expect(out).toContain('催报 2026年11月（5日）：新写入发件箱 0 条，之前已写入 2 条。');
    expect(out.at(-1)).toBe('催报 2026年11月（5日）完成：送达 2 人，无效账号 0，失败 0。');
    expect(api.delivered).toHaveLength(2);
    // The next stage is a new nudge.
    expect(await run('2026-12-08T09:10:00+08:00')).toBe(0);
    expect(api.delivered).toHaveLength(4);
  });

  it('does not nudge a school nudged within the interval, whoever asked', async () => {
    await seed('2026-11');
    // A staff 催报 at 08:00 reached 4101 (its nudge written by the nudge service).
    const { nudgeSchools } = await import('../../src/nudge/nudge-service');
    const parts = jobParts(stores, api, clock);
    await nudgeSchools({ ...stores, form: parts.form, cal: parts.cal, work: parts.work, intervalMs: parts.nudgeIntervalMs }, { period: '2026-11', codes: ['4101'], sendAt: Date.parse('2026-12-04T08:00:00+08:00'), now: Date.parse('2026-12-04T08:00:00+08:00'), idOf: (c) => `staff-req:${c}` });
    // A server's worker delivers it at 08:00.
    clock.set('2026-12-04T08:00:00+08:00');
    await parts.worker.runDue();
    expect(api.textsTo('zhangsan')).toHaveLength(1);
    expect(await run('2026-12-04T09:10:00+08:00')).toBe(0);
    expect(api.textsTo('zhangsan')).toHaveLength(1);
    expect(api.textsTo('wang')).toHaveLength(1);
    expect(out).toContain('催报 2026年11月（5日）：1 所学校在 4 小时内已被提醒过，这次不再提醒。');
  });

  it('says 明天截止 and that the due day is a day off when the last call moves before it', async () => {
    await seed('2025-12');
    // January 10th 2026 is a Saturday: the last call goes out on Friday the 9th.
    expect(await run('2026-01-09T09:10:00+08:00')).toBe(0);
    expect(api.textsTo('zhangsan')).toEqual(['【月报提醒】河南工业职业技术学院：2025年12月培训月报还没有开始，回复「填报」开始。明天（1月10日）截止。1月10日是休息日，请提前提交。']);
  });

  it('sends each message once when two instances fire the same nudge at once', async () => {
    await seed('2026-11');
    const codes = await Promise.all([run('2026-12-04T09:10:00+08:00'), run('2026-12-04T09:10:00+08:00')]);
    // One run holds the fire's lease; the other says so and leaves it.
    expect(codes.sort()).toEqual([0, 1]);
    expect(out).toContain('催报 2026年11月（5日）正在由另一个实例运行，请稍后再看结果（npm run cli -- outbox status）。');
    expect(api.delivered.map((d) => d.userId).sort()).toEqual(['wang', 'zhangsan']);
  });

  it('rides out -1 and 45009 from WeCom during a run, sending each nudge once', async () => {
    await seed('2026-11');
    api.failNext('message/send', -1);
    api.failNext('message/send', 45009);
    // The run's own worker waits out the back-off and the minute's pause on its clock; a short wait here.
    clock.set('2026-12-04T09:10:00+08:00');
    const parts = jobParts(stores, api, clock);
    const started = Date.now();
    const done = runJob('nudge', parts, { at: new Date('2026-12-04T09:10:00+08:00'), dryRun: false, waitMs: 1_500 }, (l) => out.push(l));
    expect(await done).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(out.at(-1)).toMatch(/^催报 2026年11月（5日）完成：送达 \d 人，无效账号 0，失败 0；待发 \d 条/);
    // Another worker (a server's) delivers the rest once the pause is over.
    const later = new ManualClock('2026-12-04T09:12:00+08:00');
    await jobParts(stores, api, later).worker.runDue();
    expect(api.delivered.map((d) => d.userId).sort()).toEqual(['wang', 'zhangsan']);
    expect(api.callsTo('message/send').every((c) => c.json?.enable_duplicate_check === 1)).toBe(true);
  });

  it('prints recipients and texts on a dry run and sends nothing; refuses outside the window', async () => {
    await seed('2026-11');
    expect(await run('2026-12-04T09:10:00+08:00', true)).toBe(0);
    expect(out).toEqual([
      '（试运行）催报 2026年11月（5日）：2 所学校：',
      '  4101 → zhangsan：【月报提醒】河南工业职业技术学院：2026年11月培训月报还没有开始，回复「填报」开始。12月10日截止，还有 7 天。',
      '  4103 → wang：【月报提醒】郑州市电子信息工程学校：2026年11月培训月报已完成 3/51，回复「继续」接着填。12月10日截止，还有 7 天。',
    ]);
    expect(api.calls).toEqual([]);
    out = [];
    expect(await run('2026-12-20T09:10:00+08:00')).toBe(1);
    expect(out).toEqual(['2026年11月月报现在不在填报期内，不发催报。']);
  });
});
