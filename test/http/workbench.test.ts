import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { templateEntry } from '../../src/conversation/workbench';
import { startTestServer, type TestServer } from '../helpers/test-server';

const SCHOOLS = ['code,name,city,level,category,pilot,contacts', '4102,郑州铁路职业技术学院,郑州,高职,A,是,zhao|qian', '4103,郑州市电子信息工程学校,郑州,中职,C,否,wang'].join('\n');

/** Workbench tiles (工作台自定义展示) with WORKBENCH=on, through real callbacks, the outbox and the stand-in. */
describe('status on the workbench', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());
  let n = 0n;
  const say = async (from: string, content: string) => {
    const res = await t!.post(t!.platform.textXml({ from, content, msgId: String(9_500_000_000_000_000_000n + ++n) }));
    return res.body === '' ? '' : (t!.platform.openReply(res.body).Content ?? '');
  };

  it('sets the template, then each person’s tile as their state changes: coalesced to one update a minute, staff after a submission', async () => {
    const clock = new ManualClock('2026-11-05T01:00:10Z');
    // The stand-in's clock is the test's, so that WeCom's per-minute accounting follows it.
    t = await startTestServer({ clock, env: { WORKBENCH: 'on' }, worker: false, stub: { now: () => clock.now().getTime() } });
    await importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nsheng,王省,province,\nzzcity,周市,city,郑州\nlycity,刘市,city,洛阳\n'), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    // What a server's start writes (main.ts): the template, once a day.
    await t.stores.outbox.enqueue('workbench', [templateEntry(clock.now().getTime())], clock.now().getTime());
    await t.deliver();
    expect(t.api.workbenchTemplate?.map((i) => i.key)).toEqual(['本期月报', '状态', '截止']);

    // Three answers within one minute: one update for each of the school's two contacts, at the minute's end.
    await say('zhao', '填报');
    await say('zhao', '2');
    await say('zhao', '1');
    await t.deliver();
    expect(t.api.callsTo('agent/set_workbench_data')).toHaveLength(0);
    clock.set('2026-11-05T01:01:00Z');
    await t.deliver();
    const tile = (user: string) => t!.api.tiles.get(user)?.items.map((i) => `${i.key}：${i.data}`).join(' · ');
    expect(tile('zhao')).toBe('本期月报：10月 · 状态：填报中 2/51 · 截止：11月10日');
    expect(tile('qian')).toBe('本期月报：10月 · 状态：填报中 2/51 · 截止：11月10日');
    expect(t.api.callsTo('agent/set_workbench_data').map((c) => c.json?.userid).sort()).toEqual(['qian', 'zhao']);

    // Another answer half a minute later waits for the next minute.
    clock.set('2026-11-05T01:01:30Z');
    await say('zhao', '0');
    await t.deliver();
    expect(tile('zhao')).toContain('填报中 2/51');
    clock.set('2026-11-05T01:02:00Z');
    await t.deliver();
    expect(tile('zhao')).toContain('填报中 3/51');
    expect(t.api.tiles.get('zhao')!.times).toEqual([Date.parse('2026-11-05T01:01:00Z'), Date.parse('2026-11-05T01:02:00Z')]);

    // 10月无培训 and its 确认: the school's tiles say 已报, and staff of 郑州 and the province see the rate move; 洛阳's do not.
    await say('wang', '10月无培训');
    await say('wang', '确认');
    await say('wang', '300');
    await say('wang', '8000');
    expect(await say('wang', '确认')).toContain('已提交');
    await t.deliver();
    clock.set('2026-11-05T01:03:00Z');
    await t.deliver();
    clock.set('2026-11-05T01:04:00Z');
    await t.deliver();
    expect(tile('wang')).toBe('本期月报：10月 · 状态：本月无培训 · 截止：11月10日');
    expect(tile('zzcity')).toBe('郑州10月报送率：50.0% · 已报：1/2 · 截止：11月10日');
    expect(tile('sheng')).toBe('全省10月报送率：50.0% · 已报：1/2 · 截止：11月10日');
    expect(tile('lycity')).toBeUndefined();
    // Never more than one update a minute to anyone.
    for (const [, { times }] of t.api.tiles) {
      const sorted = [...times].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(60_000);
    }
  });
});
