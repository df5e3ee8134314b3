import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { loadForm } from '../../src/conversation/form';
import monthlyReport from '../../conversations/monthly-report';
import { buildReportTable } from '../../src/export/report-table';
import type { Stores } from '../../src/store/stores';
import { report } from '../fixtures/records';
import { seedReport } from '../helpers/records';
import { startTestServer, type TestServer } from '../helpers/test-server';

const form = loadForm(monthlyReport);
const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
const SCHOOLS = ['code,name,city,level,category,pilot,contacts,contact_names', '4102,郑州铁路职业技术学院,郑州,高职,A,是,zhao,赵磊', '4103,郑州市电子信息工程学校,郑州,中职,C,否,wang,王芳'].join('\n');

/** Review through the real server: real signed callbacks, the outbox delivered by hand, a real Redis. */
describe('city review', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());
  let n = 0n;

  async function setup(env: Record<string, string>, wrapStores?: (s: Stores) => Stores) {
    const clock = new ManualClock('2026-11-05T01:00:00Z');
    t = await startTestServer({ clock, env, worker: false, links: true, ...(wrapStores ? { wrapStores } : {}) });
    const now = clock.now();
    await importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 'ops', now }, () => undefined);
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nsheng,王省,province,\nzzcity,周市,city,郑州\n'), { dryRun: false, by: 'ops', now }, () => undefined);
    return clock;
  }
  const say = async (from: string, content: string) => {
    const res = await t!.post(t!.platform.textXml({ from, content, msgId: String(9_400_000_000_000_000_000n + ++n) }));
    return res.body === '' ? '' : (t!.platform.openReply(res.body).Content ?? '');
  };
  // 4102's October: 150 person-times in 制造业 (100 students, 50 from outside), submitted needing review.
  const october = (review: { state: 'pending'; required: boolean }) =>
    report('4102', '2026-10', 'filed', Object.fromEntries(form.cells.map((c) => [c.id, ({ trainees_students: 100, trainees_public: 50, industry_c: 150, content_skill: 150, form_offline: 150, group_other: 150, teachers_fulltime: 300, students_fulltime: 8000 } as Record<string, number>)[c.id] ?? 0])), { submittedBy: 'zhao', submittedAt: Date.parse('2026-11-05T00:30:00Z'), review });

  it('with REVIEW_REQUIRED=on, counts a report in the year, the export and the totals only once approved', async () => {
    await setup({ REVIEW_REQUIRED: 'on' });
    await seedReport(t!.stores, october({ state: 'pending', required: true }));
    expect((await t!.stores.records.yearToDate(2026))['4102']?.trainees).toBe(0);
    let table = await buildReportTable(t!.stores, form, cal, '2026-10');
    const col = table.header.findIndex((h) => h.includes('制造业'));
    expect(table.rows.find((r) => r[0] === '4102')![5]).toBe('已报·待审');
    expect(table.totals[col]).toBe(0);
    expect(table.notes[0]).toContain('已报待审的 1 所在审核通过前不计入');

    expect(await say('zzcity', '通过 4102')).toBe('已通过 郑州铁路职业技术学院 2026年10月月报（已报）；已通知 1 位填报人。');
    // Nothing is decided until the outbox carries it to the school's partition.
    expect((await t!.stores.records.yearToDate(2026))['4102']?.trainees).toBe(0);
    await t!.deliver();
    expect((await t!.stores.records.yearToDate(2026))['4102']?.trainees).toBe(150);
    table = await buildReportTable(t!.stores, form, cal, '2026-10');
    expect(table.rows.find((r) => r[0] === '4102')![5]).toBe('已报·已审');
    expect(table.totals[col]).toBe(150);
    expect(t!.api.textsTo('zhao')).toEqual(['【月报审核】郑州铁路职业技术学院：2026年10月培训月报已由周市审核通过，计入统计。如需更正，请联系郑州市教育局或省教育厅职成教处解锁。']);
    const stored = (await t!.stores.records.read('4102', '2026-10')).reports['2026-10']!;
    expect(stored.review).toMatchObject({ state: 'approved', required: true, by: 'zzcity', byName: '周市' });

    // 退回 takes it out of the figures again (it needs review) and opens the month for the school.
    expect(await say('sheng', '退回 4102 制造业人数请核对')).toContain('已退回 郑州铁路职业技术学院 2026年10月月报（已报），原因：制造业人数请核对');
    await t!.deliver();
    expect((await t!.stores.records.yearToDate(2026))['4102']?.trainees).toBe(0);
    const snap = await t!.stores.records.read('4102', '2026-10');
    expect(snap.reopened).toBe(true);
    expect(snap.reports['2026-10']!.review).toMatchObject({ state: 'returned', by: 'sheng', reason: '制造业人数请核对' });
    expect((await t!.stores.audit.read()).map((a) => [a.action, a.by, a.school])).toEqual([
      ['roster-import', 'ops', undefined],
      ['staff-import', 'ops', undefined],
      ['approve', 'zzcity', '4102'],
      ['return', 'sheng', '4102'],
    ]);
  });

  it('进度 counts the reviews from the period’s review index, and reads whole a report written before the index', async () => {
    await setup({ REVIEW_REQUIRED: 'on' });
    await seedReport(t!.stores, october({ state: 'pending', required: true }));
    await seedReport(t!.stores, report('4103', '2026-10', 'filed', {}, { submittedBy: 'wang', review: { state: 'pending', required: true } }));
    // 4103's report as one written before the index: its mark is not there.
    const { redis, prefix } = t!.redis!;
    const markKeys = await redis.keys(`${prefix}*:review:2026-10`);
    expect(markKeys.length).toBeGreaterThan(0);
    for (const key of markKeys) await redis.hdel(key, '4103');
    expect(await t!.stores.records.reviewMarks('2026-10')).toEqual({ '4102': 'pending-required' });
    expect(await say('sheng', '进度')).toContain('审核：已报 2 · 已审 0 · 退回 0 · 待审 2');
    expect(await say('zzcity', '通过 4102')).toContain('已通过 郑州铁路职业技术学院');
    expect(await say('zzcity', '退回 4103 请补全')).toContain('已退回 郑州市电子信息工程学校');
    await t!.deliver();
    // The decisions wrote both marks; 进度 reads the index alone now.
    expect(await t!.stores.records.reviewMarks('2026-10')).toEqual({ '4102': 'approved', '4103': 'returned' });
    const reads = t!.stores.records.reports.bind(t!.stores.records);
    let reportsRead = 0;
    t!.stores.records.reports = async (period, codes) => ((reportsRead += codes.length), reads(period, codes));
    expect(await say('sheng', '进度')).toContain('审核：已报 2 · 已审 1 · 退回 1 · 待审 0');
    expect(reportsRead).toBe(0);
  });

  it('with review off, a report counts at once and a 退回 keeps it counted until resubmitted', async () => {
    await setup({});
    await seedReport(t!.stores, october({ state: 'pending', required: false }));
    expect((await t!.stores.records.yearToDate(2026))['4102']?.trainees).toBe(150);
    await say('zzcity', '退回 4102 请补充说明');
    await t!.deliver();
    expect((await t!.stores.records.yearToDate(2026))['4102']?.trainees).toBe(150);
    expect((await buildReportTable(t!.stores, form, cal, '2026-10')).rows.find((r) => r[0] === '4102')![5]).toBe('已报·退回');
  });

  it('applies a decision once when its delivery dies after the commit, and tells the school once', async () => {
    let failNotice = true;
    const clock = await setup({ REVIEW_REQUIRED: 'on' }, (stores) => ({
      ...stores,
      outbox: Object.assign(Object.create(Object.getPrototypeOf(stores.outbox)), stores.outbox, {
        enqueue: async (...args: Parameters<Stores['outbox']['enqueue']>) => {
          // The process dies right after the review's commit, before its notice is written.
          if (failNotice && args[1].some((e) => e.id.endsWith(':review:notice'))) {
            failNotice = false;
            throw new Error('injected: died before the notice');
          }
          return stores.outbox.enqueue(...args);
        },
      }),
    }));
    await seedReport(t!.stores, october({ state: 'pending', required: true }));
    await say('zzcity', '通过 4102');
    await t!.deliver();
    expect(failNotice).toBe(false);
    // The first attempt committed and then failed; the retry finds its own decision and only sends the notice.
    // The worker backs off a failed entry; a minute later it runs it again.
    clock.set(new Date(clock.now().getTime() + 60_000).toISOString());
    await t!.deliver();
    expect(t!.api.textsTo('zhao')).toHaveLength(1);
    expect((await t!.stores.records.history('4102')).map((h) => h.type)).toEqual(['approve']);
    expect((await t!.stores.audit.read()).filter((a) => a.action === 'approve')).toHaveLength(1);
    expect((await t!.stores.records.yearToDate(2026))['4102']?.trainees).toBe(150);
  });

  it('leaves a report alone that the school started correcting after staff looked, and says so', async () => {
    await setup({ REVIEW_REQUIRED: 'on' });
    await seedReport(t!.stores, october({ state: 'pending', required: true }));
    expect(await say('zzcity', '通过 4102')).toContain('已通过');
    // Before the decision is carried out, the school reopens its report with 修改.
    expect(await say('zhao', '修改')).toContain('已重新打开');
    await t!.deliver();
    expect(t!.api.textsTo('zzcity')).toEqual(['2026年10月月报的通过没有执行：学校正在修改这份报告。请回复「查 4102」看最新的报告后再审核。']);
    expect((await t!.stores.records.read('4102', '2026-10')).reports['2026-10']!.review?.state).toBe('pending');
    // And now that a draft is open, 通过 itself says why not.
    expect(await say('zzcity', '通过 4102')).toBe('郑州铁路职业技术学院 正在修改 2026年10月月报（填报中），请等学校重新提交后再审核。');
  });

  it('reviews from a school’s page: the same step, the reason required, scope held, a resent request written once', async () => {
    const clock = await setup({ REVIEW_REQUIRED: 'on' });
    await seedReport(t!.stores, october({ state: 'pending', required: true }));
    const token = (user: string) => new URL(t!.parts.links.linkFor(user, clock.now())!.url).searchParams.get('t')!;
    const post = async (user: string, body: unknown) => {
      const res = await fetch(`${t!.baseUrl}/dashboard/api/review`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-dashboard-token': token(user) }, body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { text?: string; error?: string; done?: boolean } };
    };
    const page = await (await fetch(`${t!.baseUrl}/dashboard/school/4102?t=${token('zzcity')}`)).text();
    expect(page).toContain('<p id="review-state" class="rv-pending">待审（审核通过后计入统计）</p>');
    expect(await post('zzcity', { school: '4102', period: '2026-10', decision: 'return', reason: '  ', requestId: 'abcdefgh1' })).toEqual({ status: 400, body: { error: '退回请写明原因，学校会看到它。' } });
    expect(await post('zzcity', { school: '4102', period: '10月', decision: 'approve', requestId: 'abcdefgh1' })).toEqual({ status: 400, body: { error: '审核需要学校、月份、通过或退回，以及请求编号。' } });
    // A city's staff reach their own city only.
    await importRoster(t!.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nsheng,王省,province,\nzzcity,周市,city,郑州\nlycity,刘市,city,洛阳\n'), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    expect(await post('lycity', { school: '4102', period: '2026-10', decision: 'approve', requestId: 'abcdefgh2' })).toEqual({ status: 200, body: { text: '找到的「郑州铁路职业技术学院」属于郑州，您只能查看和处理洛阳的学校。', done: false } });
    const approve = { school: '4102', period: '2026-10', decision: 'approve', requestId: 'abcdefgh3' };
    expect(await post('zzcity', approve)).toEqual({ status: 200, body: { text: '已通过 郑州铁路职业技术学院 2026年10月月报（已报）；已通知 1 位填报人。', done: true } });
    // The same press sent again (a retried request) writes the same entry, which is applied once.
    expect((await post('zzcity', approve)).status).toBe(200);
    await t!.deliver();
    expect((await t!.stores.records.history('4102')).map((h) => h.type)).toEqual(['approve']);
    expect(t!.api.textsTo('zhao')).toHaveLength(1);
    const after = await (await fetch(`${t!.baseUrl}/dashboard/school/4102?t=${token('zzcity')}`)).text();
    expect(after).toMatch(/<p id="review-state" class="rv-approved">已审（周市 2026-11-05 09:00）<\/p>/);
    expect(after).toMatch(/<ol class="history" id="history-list"><li>2026-11-05 09:00 · 周市 · 审核通过 10月月报<\/li><\/ol>/);
  });
});
