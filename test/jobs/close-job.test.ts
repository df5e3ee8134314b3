import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { periodIndex } from '../../src/queries/period-queries';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { runJob } from '../../src/cli/jobs-command';
import { textMessages } from '../../src/wecom/sender';
import { redisStores, type Stores } from '../../src/store/stores';
import { testBacking, type TestBacking } from '../helpers/redis';
import { SAMPLE } from '../helpers/sample';
import { form, jobParts } from '../helpers/job-deps';
import { report as reportOf, seedDraft, seedReport } from '../helpers/records';
import { WeComApiStub } from '../helpers/wecom-api-stub';

const SCHOOLS = [
  'code,name,city,level,category,pilot,contacts',
  '4101,河南工业职业技术学院,南阳,高职,A,否,zhangsan',
  '4102,郑州铁路职业技术学院,郑州,高职,A,是,zhao',
  '4103,郑州市电子信息工程学校,郑州,中职,C,否,wang|wang2',
  '4104,洛阳市第一职业高中,洛阳,中职,D,否,',
].join('\n');
const NOTICE = '【月报】河南工业职业技术学院：2026年10月培训月报已于 11月10日截止，贵校未提交，按规定记为零申报（未报）。如需补报，请联系南阳市教育局或省教育厅职成教处解锁。';

// On a single Redis and on a real Redis Cluster.
describe.each(['redis', 'cluster'] as const)('jobs run close (%s)', (backing) => {
  let r: TestBacking;
  let stores: Stores;
  let api: WeComApiStub;
  let out: string[];
  const clock = new ManualClock('2026-11-11T00:05:00+08:00');

  beforeEach(async () => {
    r = await testBacking(backing);
    stores = redisStores(r.redis, r.prefix);
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    out = [];
    await importRoster(stores, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    // 4102 filed on time; 4103 has a draft in progress.
    await seedReport(stores, reportOf('4102', '2026-10', 'filed', Object.fromEntries(form.cells.map((c) => [c.id, 0]))));
    await seedDraft(stores, '4103', '2026-10', { projects_fiscal: 2 }, 'wang');
  });
  afterEach(async () => {
    await api.stop();
    await r.cleanup();
  });

  const parts = () => jobParts(stores, api, clock);
  /** The run at `at`, its worker's clock there too (as a server's would be, running then). */
  const run = (at: string, dryRun = false) => {
    clock.set(at);
    return runJob('close', parts(), { at: new Date(at), dryRun }, (l) => out.push(l));
  };
  const report = async (code: string) => {
    return (await stores.records.read(code, '2026-10')).reports['2026-10'] ?? null;
  };

  it('records exactly the missing zero reports at 00:05, keeps drafts, and tells contacts once, at 08:10', async () => {
    expect(await run('2026-11-11T00:05:00+08:00')).toBe(0);
    expect(out[0]).toBe('现在是静默时段：只记录零申报，通知在 08:10 发出。');
    expect(out).toContain('关账 2026年10月：3/3');
    expect(out.at(-1)).toBe('关账 2026年10月完成：送达 0 人，无效账号 0，失败 0；待发 2 条（最早 2026-11-11 08:10 发出）。');
    expect(api.delivered).toEqual([]);
    expect((await report('4101'))?.status).toBe('defaulted');
    expect(await report('4103')).toMatchObject({ status: 'defaulted', submittedBy: null, values: expect.objectContaining({ trainees_students: 0 }) });
    expect((await report('4104'))?.status).toBe('defaulted');
    expect((await report('4102'))?.status).toBe('filed');
    expect((await stores.records.read('4103', '2026-10')).draft).not.toBeNull();
    expect((await periodIndex(stores, '2026-10')).status).toEqual({ filed: ['4102'], late: [], drafting: [], defaulted: expect.arrayContaining(['4101', '4103', '4104']) });
    expect((await stores.records.history('4101')).map((h) => [h.type, h.by, h.status])).toEqual([['default', 'system', 'defaulted']]);

    // The scheduler's morning run (or anyone's) finds nothing to record, and the notices go out.
    out = [];
    expect(await run('2026-11-11T08:10:00+08:00')).toBe(0);
    expect(out).toContain('关账 2026年10月：新记零申报 0 所，之前已记 3 所。');
    expect(out.at(-1)).toBe('关账 2026年10月完成：送达 3 人，无效账号 0，失败 0。');
    expect(api.textsTo('zhangsan')).toEqual([NOTICE]);
    expect(api.textsTo('wang2')).toHaveLength(1);
    expect(api.textsTo('wang2')[0]).toContain('请联系郑州市教育局或省教育厅职成教处解锁');
    expect(api.textsTo('zhao')).toEqual([]);

    // A second run, or a second instance firing the same close: nothing new, nothing sent twice.
    expect(await run('2026-11-11T08:11:00+08:00')).toBe(0);
    expect(out.at(-1)).toBe('关账 2026年10月完成：送达 3 人，无效账号 0，失败 0。');
    expect(api.delivered).toHaveLength(3);
  });

  it('finishes a run that stopped midway: the rest is recorded and told, nothing twice', async () => {
    // As if an earlier run recorded 4101 (its notice with it) and told its contact, then died.
    const notice = { id: 'close:2026-10:4101', payload: { kind: 'message' as const, to: ['zhangsan'], messages: textMessages(NOTICE) }, due: clock.now().getTime() };
    await stores.records.recordDefault('4101', '2026-10', reportOf('4101', '2026-10', 'defaulted'), { type: 'default', period: '2026-10', by: 'system', at: 1, cells: [], status: 'defaulted' }, notice, clock.now().getTime());
    await parts().worker.runDue();
    expect(api.textsTo('zhangsan')).toEqual([NOTICE]);
    expect(await run('2026-11-11T08:12:00+08:00')).toBe(0);
    expect(out).toContain('关账 2026年10月：新记零申报 2 所，之前已记 1 所。');
    expect(out.at(-1)).toBe('关账 2026年10月完成：送达 3 人，无效账号 0，失败 0。');
    expect(api.textsTo('zhangsan')).toEqual([NOTICE]);
    expect(api.textsTo('wang')).toHaveLength(1);
    expect((await periodIndex(stores, '2026-10')).status.defaulted.sort()).toEqual(['4101', '4103', '4104']);
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
    expect(await runJob('sweep', parts(), { at: new Date(), dryRun: false }, (l) => out.push(l))).toBe(2);
    expect(out.at(-1)).toBe('没有「sweep」这个任务。可用：nudge、close、notice、digest、open。');
  });

  it('takes the scheduler’s lease: a close another instance is running is not run beside it', async () => {
    const held = await stores.markers.tryLock('fire:close:2026-10:close', 60_000);
    expect(held).not.toBeNull();
    expect(await run('2026-11-11T08:12:00+08:00')).toBe(1);
    expect(out.at(-1)).toBe('关账 2026年10月正在由另一个实例运行，请稍后再看结果（npm run cli -- outbox status）。');
    expect(await report('4101')).toBeNull();
    await stores.markers.unlock('fire:close:2026-10:close', held!);
    expect(await run('2026-11-11T08:12:00+08:00')).toBe(0);
    // And marks it done, as the scheduler would: the scheduler's tick does not run it again.
    expect(await stores.markers.isMarked('fire-done', 'close:2026-10:close')).toBe(true);
  });
});
