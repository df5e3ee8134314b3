import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { importRoster } from '../../src/cli/roster-command';
import { runJob } from '../../src/cli/jobs-command';
import { RedisStore } from '../../src/store/redis-store';
import { testRedis, type TestRedis } from '../helpers/redis';
import { SAMPLE } from '../helpers/sample';
import { jobDeps } from '../helpers/job-deps';
import { WeComApiStub } from '../helpers/wecom-api-stub';

const SCHOOLS = [
  'code,name,city,level,category,pilot,contacts',
  '4101,河南工业职业技术学院,南阳,高职,A,否,zhangsan',
  '4102,郑州铁路职业技术学院,郑州,高职,A,是,zhao',
  '4103,郑州市电子信息工程学校,郑州,中职,C,否,wang',
].join('\n');

describe('jobs run nudge', () => {
  let r: TestRedis;
  let store: RedisStore;
  let api: WeComApiStub;
  let out: string[];
  let sleeps: number[];
  const clock = new ManualClock('2026-12-04T09:10:00+08:00');

  async function seed(period: string) {
    await importRoster(store, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    await store.commitSchool('4102', period, { expectedRev: 0, report: JSON.stringify({ v: 1, school: '4102', period, status: 'filed', values: {}, submittedBy: 'zhao', submittedAt: 1, firstSubmittedAt: 1, acceptedWarnings: [], zero: true }) });
    await store.setSchoolStatus(period, '4102', 'filed');
    await store.commitSchool('4103', period, { expectedRev: 0, draft: JSON.stringify({ v: 1, values: { projects_fiscal: 1, projects_nonfiscal: 0, projects_public: 0 }, startedBy: 'wang', startedAt: 1, updatedBy: 'wang', updatedAt: 1, zero: false }) });
    await store.setSchoolStatus(period, '4103', 'drafting');
  }

  beforeEach(async () => {
    r = await testRedis();
    store = new RedisStore(r.redis, r.prefix);
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    out = [];
    sleeps = [];
  });
  afterEach(async () => {
    await api.stop();
    await r.cleanup();
  });

  const deps = () => jobDeps(store, api, clock, async (ms) => void sleeps.push(ms));
  const run = (at: string, dryRun = false) => runJob('nudge', deps(), { at: new Date(at), dryRun }, (l) => out.push(l));

  it('reminds the schools that owe, telling one with a draft where it stands, and nothing twice', async () => {
    await seed('2026-11');
    // December 5th 2026 is a Saturday: the day-5 nudge goes out on Friday the 4th.
    expect(await run('2026-12-04T09:10:00+08:00')).toBe(0);
    expect(api.textsTo('zhangsan')).toEqual(['【月报提醒】河南工业职业技术学院：2026年11月培训月报还没有开始，回复「填报」开始。12月10日截止，还有 7 天。']);
    expect(api.textsTo('wang')).toEqual(['【月报提醒】郑州市电子信息工程学校：2026年11月培训月报已完成 3/51，回复「继续」接着填。12月10日截止，还有 7 天。']);
    expect(api.textsTo('zhao')).toEqual([]);
    expect(out).toContain('催报 2026年11月（day-5）：已发送 2/2');
    expect(out.at(-1)).toBe('催报 2026年11月（day-5）完成：发送 2 条，之前已发 0 条；送达 2 人，无效账号 0，失败 0。');
    expect(await run('2026-12-04T15:00:00+08:00')).toBe(0);
    expect(out.at(-1)).toBe('催报 2026年11月（day-5）完成：发送 0 条，之前已发 2 条；送达 0 人，无效账号 0，失败 0。');
    expect(api.delivered).toHaveLength(2);
    // The next stage is a new nudge.
    expect(await run('2026-12-08T09:10:00+08:00')).toBe(0);
    expect(api.delivered).toHaveLength(4);
  });

  it('does not nudge a school that filed while its index entry was left behind, and corrects the index', async () => {
    await seed('2026-11');
    // 4101 filed, but the process died before the index was written: the index still says it owes.
    await store.commitSchool('4101', '2026-11', { expectedRev: 0, report: JSON.stringify({ v: 1, school: '4101', period: '2026-11', status: 'filed', values: {}, submittedBy: 'zhangsan', submittedAt: 1, firstSubmittedAt: 1, acceptedWarnings: [], zero: true }) });
    expect(await store.owingSchools('2026-11', {})).toContain('4101');
    expect(await run('2026-12-04T09:10:00+08:00')).toBe(0);
    expect(api.textsTo('zhangsan')).toEqual([]);
    expect(api.textsTo('wang')).toHaveLength(1);
    expect(out).toContain('催报 2026年11月：1 所学校已提交但索引未更新，已更正，不催。');
    expect((await store.owingSchools('2026-11', {})).sort()).toEqual(['4103']);
  });

  it('says 明天截止 and that the due day is a day off when the last call moves before it', async () => {
    await seed('2025-12');
    // January 10th 2026 is a Saturday: the last call goes out on Friday the 9th.
    expect(await run('2026-01-09T09:10:00+08:00')).toBe(0);
    expect(api.textsTo('zhangsan')).toEqual(['【月报提醒】河南工业职业技术学院：2025年12月培训月报还没有开始，回复「填报」开始。明天（1月10日）截止。1月10日是休息日，请提前提交。']);
  });

  it('sends each message once when two instances fire the same nudge at once', async () => {
    await seed('2026-11');
    await Promise.all([run('2026-12-04T09:10:00+08:00'), run('2026-12-04T09:10:00+08:00')]);
    expect(api.delivered.map((d) => d.userId).sort()).toEqual(['wang', 'zhangsan']);
  });

  it('rides out -1 and 45009 from WeCom during a run', async () => {
    await seed('2026-11');
    api.failNext('message/send', -1);
    api.failNext('message/send', 45009);
    expect(await run('2026-12-04T09:10:00+08:00')).toBe(0);
    expect(api.delivered.map((d) => d.userId).sort()).toEqual(['wang', 'zhangsan']);
    expect(sleeps.some((ms) => ms >= 60_000)).toBe(true);
  });

  it('prints recipients and texts on a dry run and sends nothing; refuses outside the window', async () => {
    await seed('2026-11');
    expect(await run('2026-12-04T09:10:00+08:00', true)).toBe(0);
    expect(out).toEqual([
      '（试运行）催报 2026年11月（day-5）：2 所学校：',
      '  4101 → zhangsan：【月报提醒】河南工业职业技术学院：2026年11月培训月报还没有开始，回复「填报」开始。12月10日截止，还有 7 天。',
      '  4103 → wang：【月报提醒】郑州市电子信息工程学校：2026年11月培训月报已完成 3/51，回复「继续」接着填。12月10日截止，还有 7 天。',
    ]);
    expect(api.calls).toEqual([]);
    out = [];
    expect(await run('2026-12-20T09:10:00+08:00')).toBe(1);
    expect(out).toEqual(['2026年11月月报现在不在填报期内，不发催报。']);
  });
});
