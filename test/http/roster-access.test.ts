import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { startTestServer, type TestServer } from '../helpers/test-server';

const HEADER = 'code,name,city,level,category,pilot,contacts';

describe('the roster decides who may file', () => {
  let t: TestServer;
  const clock = new ManualClock('2026-11-05T01:00:00Z');
  const say = async (from: string, content: string) => {
    const res = await t.post(t.platform.textXml({ from, content, msgId: String(9_200_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9))) }));
    return t.platform.openReply(res.body).Content ?? '';
  };
  const roster = (contacts: string) =>
    importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(`${HEADER}\n4101,河南工业职业技术学院,南阳,高职,A,否,${contacts}\n`), { dryRun: false, by: 't', now: clock.now() }, () => undefined);

  beforeAll(async () => {
    t = await startTestServer({ clock });
  });
  afterAll(async () => t.close());

  it('lets a listed contact file, and cuts off a removed one at once while the school keeps its draft', async () => {
    await roster('zhangsan|lisi');
    expect(await say('zhangsan', '填报')).toContain('开始填写 河南工业职业技术学院 2026年10月培训月报');
    expect(await say('zhangsan', '2')).toContain('✓ 财政资金项目 2');
    await roster('lisi');
    expect(await say('zhangsan', '3')).toContain('您的企业微信账号还没有登记为学校填报人');
    expect((await t.stores.records.read('4101', '2026-10')).draft).not.toBeNull();
    // zhangsan has left the roster, and with it the name: a colleague is told of 「本校另一位填报人」.
    expect(await say('lisi', '继续')).toContain('正在由 本校另一位填报人 填报，已完成 1/51');
  });

  it('answers a staff member from the staff list as staff, not as unregistered', async () => {
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nwangsheng,王省,province,\n'), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    expect(await say('wangsheng', '进度')).not.toContain('还没有登记');
  });

  it('treats a user who is both a school contact and staff as the school contact (the more specific role)', async () => {
    await roster('lisi');
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nlisi,李四,province,\n'), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    expect(await say('lisi', '未报')).toBe('「未报」是教育部门工作人员的功能。您是 河南工业职业技术学院 的填报人，可以回复：填报、进度、查看、帮助。');
  });

  it('says nothing when a staff member merely opens the app', async () => {
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nopener,开应用,province,\n'), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    const res = await t.post(t.platform.eventXml({ from: 'opener', event: 'enter_agent' }));
    expect(res).toEqual({ status: 200, body: '' });
    expect(await say('opener', '帮助')).toContain('您是省级工作人员');
  });
});
