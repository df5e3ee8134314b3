import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { startTestServer, type TestServer } from '../helpers/test-server';

const SCHOOLS = ['code,name,city,level,category,pilot,contacts', '4101,甲学院,郑州,高职,A,否,a1', '4102,乙学院,洛阳,中职,C,否,b1'].join('\n');
const STAFF = 'userid,name,role,city\nsheng,王省,province,\n';
const BEFORE = '本系统从2026年12月月报起收集，2026年11月在此之前，没有应报的学校。2026年12月月报 1月1日开始填报，1月10日截止。';

/**
 * A deployment whose first roster came on 15 December, after November's window closed: November was
 * never asked for. Staff asking about it in chat or on the dashboard are told so, not shown every
 * school as 未报, and nothing is nudged or closed for it.
 */
describe('a month before the deployment began', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());
  let n = 0n;

  async function setup() {
    const clock = new ManualClock('2026-12-15T10:00:00+08:00');
    t = await startTestServer({ clock, links: true, wecomSleep: async () => undefined, worker: false });
    await importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from(STAFF), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    return clock;
  }
  const say = async (content: string) => {
    const res = await t!.post(t!.platform.textXml({ from: 'sheng', content, msgId: String(9_300_000_000_000_000_000n + ++n) }));
    return res.body === '' ? '' : (t!.platform.openReply(res.body).Content ?? '');
  };

  it('answers 进度, 未报 and 催报 with when collection begins, and nudges nobody', async () => {
    await setup();
    expect(await say('进度')).toBe(BEFORE);
    expect(await say('未报')).toBe(BEFORE);
    expect(await say('催报')).toBe(BEFORE);
    expect(await say('确认')).toBe('现在没有需要确认的操作。');
    await t!.deliver();
    expect(t!.api.textsTo('a1')).toEqual([]);
    expect((await t!.stores.markers.readCalendar()).startedAt).toBe(Date.parse('2026-12-15T10:00:00+08:00'));
  });

  it('says so on the dashboard, with no 催报 button and no school listed as owing', async () => {
    await setup();
    await say('进度');
    await t!.deliver();
    const card = t!.api.delivered.filter((d) => d.userId === 'sheng' && d.msgtype === 'textcard').at(-1);
    expect(card).toBeDefined();
    const html = await (await fetch((card!.body.textcard as { url: string }).url)).text();
    expect(html).toContain(`<p class="notice">${BEFORE}</p>`);
    expect(html).not.toContain('id="nudge"');
    expect(html).toContain('未报学校（<span id="owing-count">0</span> 所）');
  });
});
