import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { runJob } from '../../src/cli/jobs-command';
import { jobParts } from '../helpers/job-deps';
import { startTestServer, type TestServer } from '../helpers/test-server';

const SCHOOLS = ['code,name,city,level,category,pilot,contacts', '4101,甲学院,郑州,高职,A,否,a1', '4102,乙学院,郑州,高职,B,否,b1', '4103,丙学校,洛阳,中职,C,否,c1'].join('\n');

/** One nudge service whoever asks: staff 催报 in chat, the dashboard button and the scheduled nudge share its interval and quiet hours. */
describe('the nudge policy', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());
  let n = 0n;

  async function setup(at: string) {
    const clock = new ManualClock(at);
    t = await startTestServer({ clock, worker: false });
    // The deployment began with the roster on 1 November (October being filed).
    await importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 'ops', now: new Date('2026-11-01T09:00:00+08:00') }, () => undefined);
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nsheng,王省,province,\n'), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    return clock;
  }
  const say = async (content: string) => {
    const res = await t!.post(t!.platform.textXml({ from: 'sheng', content, msgId: String(9_800_000_000_000_000_000n + ++n) }));
    return res.body === '' ? '' : (t!.platform.openReply(res.body).Content ?? '');
  };
  const nudges = (user: string) => t!.api.textsTo(user).filter((x) => x.startsWith('【月报提醒】'));

  it('sends one message per school when a 催报 at 09:07 is followed by the scheduled nudge at 09:10', async () => {
    const clock = await setup('2026-12-04T09:07:00+08:00');
    await say('催报');
    expect(await say('确认')).toContain('正在发送催报：全省 3 所未报学校');
    await t!.deliver();
    expect(['a1', 'b1', 'c1'].map((u) => nudges(u).length)).toEqual([1, 1, 1]);
    clock.set('2026-12-04T09:10:00+08:00');
    const out: string[] = [];
    expect(await runJob('nudge', jobParts(t!.stores, t!.api, clock), { at: clock.now(), dryRun: false }, (l) => out.push(l))).toBe(0);
    expect(out).toContain('催报 2026年11月（5日）：3 所学校在 4 小时内已被提醒过，这次不再提醒。');
    expect(['a1', 'b1', 'c1'].map((u) => nudges(u).length)).toEqual([1, 1, 1]);
    // The next stage (day 8) reminds them again.
    clock.set('2026-12-08T09:10:00+08:00');
    await runJob('nudge', jobParts(t!.stores, t!.api, clock), { at: clock.now(), dryRun: false }, (l) => out.push(l));
    expect(['a1', 'b1', 'c1'].map((u) => nudges(u).length)).toEqual([2, 2, 2]);
  });

  it('skips what the scheduled nudge reached a minute before, when staff 催报', async () => {
    const clock = await setup('2026-12-04T09:10:00+08:00');
    await runJob('nudge', jobParts(t!.stores, t!.api, clock), { at: clock.now(), dryRun: false }, () => undefined);
    clock.set('2026-12-04T09:11:00+08:00');
    await say('催报');
    await say('确认');
    await t!.deliver();
    expect(['a1', 'b1', 'c1'].map((u) => nudges(u).length)).toEqual([1, 1, 1]);
    expect(t!.api.textsTo('sheng').at(-1)).toBe('催报完成：全省 0 所学校，送达 0 人。\n跳过 3 所（4 小时内已提醒过）。');
  });

  it('holds a 催报 asked for in quiet hours until 08:10, and tells the staff member when it goes out', async () => {
    const clock = await setup('2026-12-04T22:30:00+08:00');
    await say('催报 郑州');
    expect(await say('确认')).toBe('现在是静默时段（21:00–08:00），催报将于 2026-12-05 08:10 发出：郑州 2 所未报学校（2 位填报人）；4 小时内已提醒过的学校会跳过。发出后告诉您结果。');
    await t!.deliver();
    expect(nudges('a1')).toEqual([]);
    expect(t!.api.textsTo('sheng')).toEqual([]);
    clock.set('2026-12-05T08:09:00+08:00');
    await t!.deliver();
    expect(nudges('a1')).toEqual([]);
    clock.set('2026-12-05T08:10:00+08:00');
    await t!.deliver();
    // Written for when it goes out: the deadline counted from the morning.
    expect(nudges('a1')).toEqual(['【月报提醒】甲学院：2026年11月培训月报还没有开始，回复「填报」开始。12月10日截止，还有 6 天。']);
    expect(nudges('b1')).toHaveLength(1);
    expect(nudges('c1')).toEqual([]);
    expect(t!.api.textsTo('sheng')).toEqual(['催报完成：郑州 2 所学校，送达 2 人。']);
  });

  it('suggests no 催报 after the close: 进度, 未报 and 催报 say how a school gets its month reopened', async () => {
    await setup('2026-12-12T10:00:00+08:00');
    expect((await say('进度')).split('\n').at(-1)).toBe('本期已截止，逾期未报的学校按零申报（未报）处理，不再催报；学校如需补报，请回复「解锁 学校 2026-11」。');
    expect(await say('未报')).not.toContain('回复「催报');
    expect(await say('催报')).toBe('2026年11月月报已于 12月10日截止，逾期未报的学校按零申报（未报）处理，不再催报；学校如需补报，请回复「解锁 学校 2026-11」。');
    const out: string[] = [];
    const parts = jobParts(t!.stores, t!.api, new ManualClock('2026-12-11T09:40:00+08:00'));
    await t!.stores.roster.replaceStaff([{ userId: 'sheng', role: 'province', name: '王省' }]);
    expect(await runJob('digest', parts, { at: new Date('2026-12-11T09:40:00+08:00'), dryRun: false }, (l) => out.push(l))).toBe(0);
    const digest = t!.api.textsTo('sheng').find((x) => x.startsWith('【月报日报】'))!;
    expect(digest).toContain('逾期未报的学校按零申报（未报）处理，不再催报；学校如需补报，请回复「解锁 学校 2026-11」。');
    expect(digest).not.toContain('回复「催报');
  });
});
