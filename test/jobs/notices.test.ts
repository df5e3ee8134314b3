import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { runJob } from '../../src/cli/jobs-command';
import { redisStores, type Stores } from '../../src/store/stores';
import { testBacking, type TestBacking } from '../helpers/redis';
import { SAMPLE } from '../helpers/sample';
import { jobParts } from '../helpers/job-deps';
import { report } from '../helpers/records';
import { DashboardLinks } from '../../src/dashboard/dashboard-link';
import { WeComApiStub } from '../helpers/wecom-api-stub';


// On a single Redis and on a real Redis Cluster.
describe.each(['redis', 'cluster'] as const)('window opening, target notice and staff digest (%s)', (backing) => {
  let r: TestBacking;
  let stores: Stores;
  let api: WeComApiStub;
  let out: string[];
  const clock = new ManualClock('2026-12-01T09:10:00+08:00');

  beforeEach(async () => {
    r = await testBacking(backing);
    stores = redisStores(r.redis, r.prefix);
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    out = [];
    const schools = ['code,name,city,level,category,pilot,contacts', '4101,甲学院,郑州,高职,A,否,a1', '4102,乙学院,郑州,高职,A,是,b1', '4103,丙学校,洛阳,中职,C,否,c1'].join('\n');
    // The roster came while November was being filed (each test moves the clock on from there).
    clock.set('2026-12-01T09:10:00+08:00');
    await importRoster(stores, 'schools', 'schools.csv', Buffer.from(schools), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    await importRoster(stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nsheng,王省,province,\nzz,周市,city,郑州\n'), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    // The year's sums as the schools' earlier submissions left them.
    await stores.records.commit({ code: '4101', period: '2026-10', expectedRev: 0, history: [], ytd: { year: 2026, trainees: 5000, subsidized: 600, poor: 0 } });
    await stores.records.commit({ code: '4102', period: '2026-10', expectedRev: 0, history: [], ytd: { year: 2026, trainees: 12000, subsidized: 1300, poor: 5 } });
    await stores.records.commit({ code: '4102', period: '2026-11', expectedRev: 0, history: [], report: report('4102', '2026-11'), status: 'filed' });
  });
  afterEach(async () => {
    await api.stop();
    await r.cleanup();
  });

  /** The run at `at`, its worker's clock there too (as a server's would be, running then). */
  const run = (job: string, at: string) => {
    clock.set(at);
    return runJob(job, jobParts(stores, api, clock), { at: new Date(at), dryRun: false }, (l) => out.push(l));
  };

  it('tells every contact the window is open, with the school’s year so far', async () => {
    expect(await run('open', '2026-12-01T09:10:00+08:00')).toBe(0);
    expect(api.textsTo('a1')).toEqual(['【月报】甲学院：2026年11月培训月报今天开始填报，12月10日截止。回复「填报」开始，11月没有培训回复「11月无培训」。\n本校 2026 年已累计培训 5,000 人次，全年目标 10,000（50.0%）。']);
    // With each notice, its buttons: 开始填报 and 11月无培训 (a click works whenever it comes).
    expect(api.cardsTo('a1')).toMatchObject([{ title: '11月月报开始填报', buttons: [{ key: 'report', text: '开始填报' }, { key: 'zero', text: '11月无培训' }], replaced: null }]);
    expect(api.delivered).toHaveLength(6);
    expect(await run('open', '2026-12-01T10:00:00+08:00')).toBe(0);
    expect(api.delivered).toHaveLength(6);
  });

  it('sends each school its year against target and pace, beside its category’s median', async () => {
    expect(await run('notice', '2026-12-15T09:10:00+08:00')).toBe(0);
    // Category A: 5,000/10,000 = 50 % and 12,000/10,500 = 114.3 % → median 82.1 %.
    expect(api.textsTo('a1')).toEqual([
      '【月报·目标进度】甲学院：截至 11 月，2026 年累计培训 5,000 人次，全年目标 10,000（50.0%）；政府补贴性 600 / 1,200。\n同类（A 类）学校的中位数是 82.1%。\n按进度 1–11月应达 9,167 人次，还差 4,167。',
    ]);
    expect(api.textsTo('b1')).toEqual(['【月报·目标进度】乙学院：截至 11 月，2026 年累计培训 12,000 人次，全年目标 10,500（114.3%）；政府补贴性 1,300 / 1,200。\n同类（A 类）学校的中位数是 82.1%。']);
    expect(api.textsTo('c1')[0]).toContain('同类（C 类）学校的中位数是 0.0%。\n按进度 1–11月应达 2,750 人次，还差 2,750。');
  });

  it('sends each staff member a digest for their scope, once per stage', async () => {
    expect(await run('digest', '2026-12-05T09:40:00+08:00')).toBe(0);
    const province = api.textsTo('sheng')[0]!;
    expect(province).toMatch(/^【月报日报】\n2026年11月月报 · 全省（共 3 所）· 截止 12月10日（还有 6 天）\n已报 1（含逾期补报 0）· 填报中 0 · 未开始 2/);
    expect(province).toContain('未报学校 · 全省 · 共 2 所\n1. 丙学校（4103 · 洛阳）未开始\n2. 甲学院（4101 · 郑州）未开始');
    const city = api.textsTo('zz')[0]!;
    expect(city).toContain('2026年11月月报 · 郑州（共 2 所）');
    expect(city).toContain('未报学校 · 郑州 · 共 1 所\n1. 甲学院（4101）未开始');
    expect(city).not.toContain('丙学校');
    // No public base URL here: no dashboard card.
    expect(api.delivered.some((d) => d.msgtype === 'textcard')).toBe(false);
    expect(await run('digest', '2026-12-05T11:00:00+08:00')).toBe(0);
    expect(api.textsTo('sheng')).toHaveLength(1);
  });

  it('follows the digest with each member’s own dashboard card when links are configured, once per stage', async () => {
    const links = new DashboardLinks({ baseUrl: () => 'https://yuebao.example.cn', secret: 's'.repeat(40), hours: 24 });
    const deps = { ...jobParts(stores, api, clock), links };
    clock.set('2026-12-08T09:40:00+08:00');
    expect(await runJob('digest', deps, { at: new Date('2026-12-08T09:40:00+08:00'), dryRun: false }, (l) => out.push(l))).toBe(0);
    const cards = api.delivered.filter((d) => d.msgtype === 'textcard').map((d) => ({ user: d.userId, card: d.body.textcard as { title: string; url: string; description: string } }));
    expect(cards.map((c) => [c.user, c.card.title])).toEqual([
      ['sheng', '月报看板 · 全省'],
      ['zz', '月报看板 · 郑州'],
    ]);
    // Each link is the member's own, valid for 24 hours from the digest.
    for (const { user, card } of cards) {
      const check = links.check(new URL(card.url).searchParams.get('t')!, new Date('2026-12-08T09:40:00+08:00'));
      expect(check).toMatchObject({ ok: true, claims: { userId: user } });
      expect(card.description).toContain('2026-12-09 09:40前有效');
    }
    // The card comes after the digest's text.
    const sheng = api.delivered.filter((d) => d.userId === 'sheng').map((d) => d.msgtype);
    expect(sheng).toEqual(['text', 'textcard']);
    clock.set('2026-12-08T10:40:00+08:00');
    expect(await runJob('digest', deps, { at: new Date('2026-12-08T10:40:00+08:00'), dryRun: false }, (l) => out.push(l))).toBe(0);
    expect(api.delivered.filter((d) => d.msgtype === 'textcard')).toHaveLength(2);
  });
});
