import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock';
import { importRoster } from '../../src/cli/roster-command';
import { runJob } from '../../src/cli/jobs-command';
import { reportSchema, type Report } from '../../src/report/records';
import { RedisStore } from '../../src/store/redis-store';
import { testRedis, type TestRedis } from '../helpers/redis';
import { SAMPLE } from '../helpers/sample';
import { form, jobDeps } from '../helpers/job-deps';
import { WeComApiStub } from '../helpers/wecom-api-stub';

const SCHOOLS = [
  'code,name,city,level,category,pilot,contacts',
  '4101,河南工业职业技术学院,南阳,高职,A,否,zhangsan',
  '4102,郑州铁路职业技术学院,郑州,高职,A,是,zhao',
  '4103,郑州市电子信息工程学校,郑州,中职,C,否,wang|wang2',
  '4104,洛阳市第一职业高中,洛阳,中职,D,否,',
].join('\n');

describe('jobs run close', () => {
  let r: TestRedis;
  let store: RedisStore;
  let api: WeComApiStub;
  let out: string[];
  const clock = new ManualClock('2026-11-11T00:05:00+08:00');

  beforeEach(async () => {
    r = await testRedis();
    store = new RedisStore(r.redis, r.prefix);
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    out = [];
    await importRoster(store, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    // 4102 filed on time; 4103 has a draft in progress.
    const values = Object.fromEntries(form.cells.map((c) => [c.id, 0]));
    const filed: Report = { v: 1, school: '4102', period: '2026-10', status: 'filed', values, submittedBy: 'zhao', submittedAt: 1, firstSubmittedAt: 1, acceptedWarnings: [], zero: true };
    await store.commitSchool('4102', '2026-10', { expectedRev: 0, report: JSON.stringify(filed) });
    await store.setSchoolStatus('2026-10', '4102', 'filed');
    await store.commitSchool('4103', '2026-10', { expectedRev: 0, draft: JSON.stringify({ v: 1, values: { projects_fiscal: 2 }, startedBy: 'wang', startedAt: 1, updatedBy: 'wang', updatedAt: 1, zero: false }) });
    await store.setSchoolStatus('2026-10', '4103', 'drafting');
  });
  afterEach(async () => {
    await api.stop();
    await r.cleanup();
  });

  const deps = () => jobDeps(store, api, clock);
  const run = (at: string, dryRun = false) => runJob('close', deps(), { at: new Date(at), dryRun }, (l) => out.push(l));
  const report = async (code: string) => {
    const raw = (await store.readSchool(code, '2026-10')).reports['2026-10'];
    return raw ? reportSchema.parse(JSON.parse(raw)) : null;
  };

  it('records exactly the missing zero reports at 00:05, keeps drafts, and tells contacts once at 08:10', async () => {
    expect(await run('2026-11-11T00:05:00+08:00')).toBe(0);
    expect(out[0]).toBe('现在是静默时段：只记录零申报，通知在 08:10 发出。');
    expect(out).toContain('关账 2026年10月：3/3');
    expect(api.delivered).toEqual([]);
    expect(await run('2026-11-11T08:10:00+08:00')).toBe(0);
    expect(out.at(-1)).toBe('关账 2026年10月完成：新记零申报 0 所，之前已记 3 所；通知送达 3 人，无效账号 0，失败 0。');
    expect((await report('4101'))?.status).toBe('defaulted');
    expect((await report('4103'))).toMatchObject({ status: 'defaulted', submittedBy: null, values: expect.objectContaining({ trainees_students: 0 }) });
    expect((await report('4104'))?.status).toBe('defaulted');
    expect((await report('4102'))?.status).toBe('filed');
    expect((await store.readSchool('4103', '2026-10')).draft).not.toBeNull();
    expect((await store.readPeriodIndex('2026-10')).status).toEqual({ filed: ['4102'], late: [], drafting: [], defaulted: expect.arrayContaining(['4101', '4103', '4104']) });
    expect(api.textsTo('zhangsan')).toEqual(['【月报】河南工业职业技术学院：2026年10月培训月报已于 11月10日截止，贵校未提交，按规定记为零申报（未报）。如需补报，请联系市教育局或省教育厅职成教处解锁。']);
    expect(api.textsTo('wang2')).toHaveLength(1);
    expect(api.textsTo('zhao')).toEqual([]);
    expect((await store.readHistory('4101')).map((h) => [h.type, h.by, h.status])).toEqual([['default', 'system', 'defaulted']]);

    // A second run, or a second instance firing the same close: nothing new, nothing sent twice.
    out = [];
    expect(await run('2026-11-11T08:11:00+08:00')).toBe(0);
    expect(out.at(-1)).toBe('关账 2026年10月：之前已全部完成（零申报 3 所，均已通知），无事可做。');
    expect(api.delivered).toHaveLength(3);
  });

  it('finishes a run that stopped midway: the rest is recorded and told, nothing twice', async () => {
    // As if an earlier run recorded 4101 and told its contact, then died.
    await store.recordDefault('4101', '2026-10', JSON.stringify({ ...(await zero('4101')) }), { type: 'default', by: 'system' });
    await store.markOnce('close:2026-10', ['4101'], 3_600_000);
    expect(await run('2026-11-11T08:12:00+08:00')).toBe(0);
    expect(out.at(-1)).toBe('关账 2026年10月完成：新记零申报 2 所，之前已记 1 所；通知送达 2 人，无效账号 0，失败 0。');
    expect(api.textsTo('zhangsan')).toEqual([]);
    expect(api.textsTo('wang')).toHaveLength(1);
    expect((await store.readPeriodIndex('2026-10')).status.defaulted.sort()).toEqual(['4101', '4103', '4104']);
  });

  it('prints who would be affected on a dry run, and changes and sends nothing', async () => {
    expect(await run('2026-11-11T00:05:00+08:00', true)).toBe(0);
    expect(out.slice(0, 4)).toEqual([
      '（试运行）关账 2026年10月：将有 3 所学校记为零申报（未报）：',
      '  4101 河南工业职业技术学院（南阳）→ 通知 zhangsan',
      '  4103 郑州市电子信息工程学校（郑州）→ 通知 wang、wang2',
      '  4104 洛阳市第一职业高中（洛阳）→ 通知 （无填报人）',
    ]);
    expect(await report('4101')).toBeNull();
    expect(api.calls).toEqual([]);
  });

  it('refuses to close a window that is still open, and names unknown jobs', async () => {
    // At 23:59 on the 10th the latest close is September's; October's window is still open.
    expect(await run('2026-11-10T23:59:00+08:00')).toBe(0);
    expect(out.at(-1)).toMatch(/^关账 2026年9月/);
    expect(await report('4101')).toBeNull();
    expect(await runJob('sweep', deps(), { at: new Date(), dryRun: false }, (l) => out.push(l))).toBe(2);
    expect(out.at(-1)).toBe('没有「sweep」这个任务。可用：nudge、close、notice、digest、open。');
  });

  async function zero(code: string): Promise<Report> {
    return { v: 1, school: code, period: '2026-10', status: 'defaulted', values: Object.fromEntries(form.cells.map((c) => [c.id, 0])), submittedBy: null, submittedAt: 1, firstSubmittedAt: 1, acceptedWarnings: [], zero: true };
  }
});
