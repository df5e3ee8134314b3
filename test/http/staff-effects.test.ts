import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { startTestServer, type TestServer } from '../helpers/test-server';

const SCHOOLS = [
  'code,name,city,level,category,pilot,contacts',
  '4101,河南工业职业技术学院,南阳,高职,A,否,zhangsan|ghost',
  '4102,郑州铁路职业技术学院,郑州,高职,A,是,zhao',
  '4103,郑州市电子信息工程学校,郑州,中职,C,否,wang',
  '4104,洛阳市第一职业高中,洛阳,中职,D,否,',
].join('\n');

describe('staff actions that send', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());
  let n = 0n;

  /** The outbox is delivered by hand here (t.deliver), so that each test says when things go out. */
  async function setup(stub: { members?: string[] } = {}) {
    const clock = new ManualClock('2026-11-05T01:00:00Z');
    const sleeps: number[] = [];
    t = await startTestServer({ clock, stub: stub.members ? { members: stub.members } : {}, wecomSleep: async (ms: number) => void sleeps.push(ms), worker: false });
    const now = clock.now();
    await importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 'ops', now }, () => undefined);
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nsheng,王省,province,\nzzcity,周市,city,郑州\n'), { dryRun: false, by: 'ops', now }, () => undefined);
    return { clock, sleeps };
  }
  const say = async (from: string, content: string) => {
    const res = await t!.post(t!.platform.textXml({ from, content, msgId: String(9_300_000_000_000_000_000n + ++n) }));
    return res.body === '' ? '' : (t!.platform.openReply(res.body).Content ?? '');
  };

  /** A school contact files a report of zeros (本月无培训), start to finish. */
  const fileZeroReport = async (user: string) => {
    for (const text of ['本月无培训', '确认', '300', '8000', '确认']) await say(user, text);
  };

  it('催报 is confirmed with the count, nudges exactly the schools that owe, reports how it went, and never twice within the interval', async () => {
    await setup({ members: ['zhangsan', 'zhao', 'wang', 'sheng', 'zzcity'] });
    await fileZeroReport('zhao');
    expect(await say('sheng', '催报')).toBe('将向 全省 3 所未报学校（3 位填报人）发送催报；4 小时内已提醒过的学校会跳过。\n回复「确认」发送，回复其他取消。');
    await t!.deliver();
    // Nothing sent before 确认 (the cards are the school's own filing).
    expect(t!.api.delivered.filter((d) => d.msgtype !== 'template_card')).toEqual([]);
    expect(await say('sheng', '确认')).toBe('正在发送催报：全省 3 所未报学校（3 位填报人）；4 小时内已提醒过的学校会跳过。发出后告诉您结果。');
    await t!.deliver();
    expect(t!.api.textsTo('zhangsan')).toEqual(['【月报提醒】河南工业职业技术学院：2026年10月培训月报还没有开始，回复「填报」开始。11月10日截止，还有 6 天。']);
    expect(t!.api.textsTo('wang')).toHaveLength(1);
    expect(t!.api.textsTo('zhao').filter((x) => x.startsWith('【月报提醒】'))).toEqual([]);
    expect(t!.api.textsTo('sheng')).toEqual(['催报完成：全省 2 所学校，送达 2 人。\n1 所学校没有登记填报人，请补充名单。\n无效或无权限的账号 1 个：ghost']);
    await say('sheng', '催报');
    await say('sheng', '确认');
    await t!.deliver();
    expect(t!.api.textsTo('sheng')[1]).toBe('催报完成：全省 0 所学校，送达 0 人。\n跳过 2 所（4 小时内已提醒过）。\n1 所学校没有登记填报人，请补充名单。');
    expect(t!.api.textsTo('zhangsan')).toHaveLength(1);
    expect((await t!.stores.audit.read()).filter((a) => a.action === 'nudge').map((a) => [a.by, a.schools, a.sent, a.invalid])).toEqual([
      ['sheng', 2, 2, 1],
      ['sheng', 0, 0, 0],
    ]);
  });

  it('催报 shows the new count when the list changed before 「确认」, and sends only on a second 「确认」', async () => {
    await setup({ members: ['zhangsan', 'zhao', 'wang', 'sheng'] });
    expect(await say('sheng', '催报 A')).toContain('将向 A 类 2 所未报学校');
    await fileZeroReport('zhao');
    expect(await say('sheng', '确认')).toBe('名单有变化，现在是 1 所。将向 A 类 1 所未报学校（2 位填报人）发送催报；4 小时内已提醒过的学校会跳过。\n回复「确认」发送，回复其他取消。');
    await t!.deliver();
    expect(t!.api.textsTo('zhangsan')).toEqual([]);
    expect(await say('sheng', '确认')).toContain('正在发送催报：A 类 1 所未报学校');
    await t!.deliver();
    expect(t!.api.textsTo('zhangsan')).toHaveLength(1);
  });

  it('催报 leaves out a school that files between the confirmation and the sending', async () => {
    await setup({ members: ['zhangsan', 'zhao', 'wang', 'sheng'] });
    await say('sheng', '催报');
    await say('sheng', '确认');
    // 4101 files while the 催报 waits in the outbox.
    await fileZeroReport('zhangsan');
    await t!.deliver();
    expect(t!.api.textsTo('zhangsan').filter((x) => x.startsWith('【月报提醒】'))).toEqual([]);
    expect(t!.api.textsTo('zhao')).toHaveLength(1);
    expect(t!.api.textsTo('sheng')[0]).toContain('1 所刚刚已提交，不再提醒。');
  });

  it('a nudge refused with WeCom’s frequency limit (45009) waits a minute, then goes out once', async () => {
    const { clock } = await setup();
    t!.api.failNext('message/send', 45009);
    await say('zzcity', '催报');
    await say('zzcity', '确认');
    await t!.deliver();
    const delivered = t!.api.textsTo('wang').length + t!.api.textsTo('zhao').length;
    expect(delivered).toBe(1);
    // The outbox paused for the limit's window: the rest goes out a minute later, nothing twice.
    clock.advance(61_000);
    await t!.deliver();
    expect(t!.api.textsTo('wang')).toHaveLength(1);
    expect(t!.api.textsTo('zhao')).toHaveLength(1);
    expect(t!.api.textsTo('zzcity')[0]).toBe('催报完成：郑州 2 所学校，送达 2 人。');
    expect(t!.api.textsTo('zhangsan')).toEqual([]);
  });

  it('city staff cannot nudge or unlock outside their city', async () => {
    await setup();
    expect(await say('zzcity', '催报 洛阳')).toBe('您只能查看和处理郑州的学校。');
    expect(await say('zzcity', '解锁 4104 2026-10')).toBe('找到的「洛阳市第一职业高中」属于洛阳，您只能查看和处理郑州的学校。');
    expect(t!.api.delivered).toEqual([]);
  });

  it('解锁 reopens a closed period, tells the school, and records who did it', async () => {
    const { clock } = await setup();
    clock.set('2026-11-12T01:00:00Z');
    expect(await say('zzcity', '解锁 郑州市电子信息工程学校 10月')).toBe('已解锁 郑州市电子信息工程学校 2026年10月月报（当前：未开始），已通知 1 位填报人。');
    await t!.deliver();
    // The words that open the month, and the date asked for: on 11-12 October's window has closed, so the
    // next deadline (November's, 12月10日) is the one asked.
    expect(t!.api.textsTo('wang')).toEqual(['【月报解锁】郑州市电子信息工程学校：2026年10月培训月报已由周市解锁，现在可以补报。\n回复「补报 10月」开始，请在 12月10日前提交；提交后记为逾期补报。']);
    expect((await t!.stores.records.history('4103')).map((h) => [h.type, h.by, h.period])).toEqual([['reopen', 'zzcity', '2026-10']]);
    expect((await t!.stores.audit.read()).filter((a) => a.action === 'reopen').map((a) => [a.by, a.school, a.period])).toEqual([['zzcity', '4103', '2026-10']]);
    expect(await say('wang', '填报')).toContain('开始补报 郑州市电子信息工程学校 2026年10月培训月报（统计该月完成的培训），已由工作人员解锁。');
  });

  it('导出 sends the period’s table for the staff member’s scope as an .xlsx file', async () => {
    await setup();
    expect(await say('zzcity', '导出')).toBe('正在生成 2026年10月月报表（郑州），稍后以文件发给您。');
    await t!.deliver();
    expect(t!.api.uploads).toEqual([{ filename: '2026-10 职业培训月报表（郑州）.xlsx', size: expect.any(Number), mediaId: 'media-1' }]);
    expect(t!.api.delivered.map((d) => [d.userId, d.msgtype])).toEqual([['zzcity', 'file']]);
    expect(await say('sheng', '导出 13月')).toBe('「13月」不是月份，请写成「导出 2026-10」或「导出 10月」。');
    expect((await t!.stores.audit.read()).filter((a) => a.action === 'export').map((a) => [a.by, a.rows])).toEqual([['zzcity', 2]]);
  });

  it('广播 reaches exactly its audience and reports invalid users', async () => {
    await setup({ members: ['zhao', 'wang', 'sheng', 'zzcity'] });
    await say('sheng', '广播');
    await say('sheng', '请尽快完成月报。');
    expect(await say('sheng', '全部')).toBe('将发给 全省 学校的填报人：4 所学校共 4 人\n——\n请尽快完成月报。\n——\n回复「确认」发送，「取消」放弃。');
    await say('sheng', '确认');
    await t!.deliver();
    expect(t!.api.textsTo('wang')).toEqual(['【通知】请尽快完成月报。\n——王省']);
    expect(t!.api.textsTo('sheng')).toEqual(['广播已发送（全省 学校的填报人），送达 2 人。\n无效或无权限的账号 2 个：zhangsan、ghost']);
    expect((await t!.stores.audit.read()).filter((a) => a.action === 'broadcast').map((a) => [a.by, a.recipients, a.sent, a.invalid])).toEqual([['sheng', 4, 2, 2]]);
  });

  it('撤回 recalls a broadcast within 24 hours, once, lists it in 广播记录, and refuses past 24 hours and others’ broadcasts', async () => {
    const { clock } = await setup({ members: ['zhao', 'wang', 'sheng', 'zzcity'] });
    const broadcast = async (user: string, text: string, audience: string) => {
      await say(user, '广播');
      await say(user, text);
      await say(user, audience);
      await say(user, '确认');
      await t!.deliver();
    };
    expect(await say('sheng', '广播记录')).toBe('最近没有广播。回复「广播」发一条。');
    await broadcast('sheng', '本月截止日期改为 11 月 12 日。', '全部');
    await broadcast('zzcity', '郑州各校请于本周内完成。', '全部');
    // Provincial staff see every broadcast; city staff their own.
    expect(await say('sheng', '广播记录')).toBe(
      [
        '最近 2 条广播（最新的在前）：',
        '1. 2026-11-05 09:00 · 周市 · 郑州 学校的填报人 · 送达 2 人 · 可撤回（还剩 24 小时）',
        '   「郑州各校请于本周内完成。」',
        '2. 2026-11-05 09:00 · 王省 · 全省 学校的填报人 · 送达 2 人，未送达 2 · 可撤回（还剩 24 小时）',
        '   「本月截止日期改为 11 月 12 日。」',
        '回复「撤回」撤回第 1 条，「撤回 2」撤回第 2 条（24 小时内）。',
      ].join('\n'),
    );
    expect(await say('zzcity', '撤回 2')).toBe('没有第 2 条广播：最近只有 1 条。回复「广播记录」查看。');
    clock.set(new Date(clock.now().getTime() + 3 * 3_600_000).toISOString());
    expect(await say('sheng', '撤回 2')).toBe('正在撤回 2026-11-05 09:00 发给全省 学校的填报人的广播（送达 2 人），完成后告诉您结果。');
    await t!.deliver();
    const sent = [...t!.api.messages.entries()].filter(([, m]) => m.users.includes('wang'));
    expect(t!.api.callsTo('message/recall').map((c) => c.json?.msgid)).toEqual([sent[0]![0]]);
    expect(t!.api.messages.get(sent[0]![0])!.recalled).toBe(true);
    expect(t!.api.textsTo('sheng').at(-1)).toBe('撤回完成：全省 学校的填报人的广播（4 人）1 条消息已撤回。');
    expect(await say('sheng', '撤回 2')).toBe('2026-11-05 09:00 发给全省 学校的填报人的广播已经撤回过了。');
    expect(await say('sheng', '广播记录')).toContain('送达 2 人，未送达 2 · 已撤回');
    // WeCom's own clock says the other is past 24 hours: it is reported as not recalled, with WeCom's reason.
    t!.api.ageMessages(25 * 3_600_000);
    expect(await say('zzcity', '撤回')).toContain('正在撤回');
    await t!.deliver();
    expect(t!.api.textsTo('zzcity').at(-1)).toBe('撤回完成：郑州 学校的填报人的广播（2 人）0 条消息已撤回，1 条未能撤回（msg sent more than 24 hours ago）。');
    // Past 24 hours the bot says so itself, and calls nothing.
    clock.set(new Date(clock.now().getTime() + 22 * 3_600_000).toISOString());
    const calls = t!.api.callsTo('message/recall').length;
    await broadcast('zzcity', '再次提醒。', '全部');
    clock.set(new Date(clock.now().getTime() + 25 * 3_600_000).toISOString());
    expect(await say('zzcity', '撤回')).toBe('2026-11-06 10:00 发给郑州 学校的填报人的广播已超过 24 小时，企业微信不能再撤回。需要更正的话，请再发一条广播说明。');
    expect(t!.api.callsTo('message/recall')).toHaveLength(calls);
    expect((await t!.stores.audit.read()).filter((a) => a.action === 'recall').map((a) => [a.by, a.recalled, a.refused])).toEqual([
      ['sheng', 1, 0],
      ['zzcity', 0, 1],
    ]);
  });

  it('广播 refused with WeCom’s frequency limit (45009) goes out a minute later, once, and reports what went out', async () => {
    const { clock } = await setup();
    await say('zzcity', '广播');
    await say('zzcity', '周五开会。');
    await say('zzcity', '全部');
    t!.api.failNext('message/send', 45009);
    await say('zzcity', '确认');
    await t!.deliver();
    expect(t!.api.textsTo('wang')).toEqual([]);
    const [entry] = await t!.stores.outbox.get([{ owner: 'zzcity', id: (await t!.stores.outbox.find(`turn:zzcity:m:${9_300_000_000_000_000_000n + n}:broadcast:1`))!.id }]);
    expect(entry).toMatchObject({ state: 'pending', lastError: expect.stringContaining('45009') });
    clock.advance(61_000);
    await t!.deliver();
    expect(t!.api.textsTo('wang')).toEqual(['【通知】周五开会。\n——周市']);
    expect(t!.api.textsTo('zzcity')).toEqual(['广播已发送（郑州 学校的填报人），送达 2 人。']);
  });
});
