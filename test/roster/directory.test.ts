import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster, refreshNames } from '../../src/cli/roster-command';
import { startTestServer, type TestServer } from '../helpers/test-server';

const HEADER = 'code,name,city,level,category,pilot,contacts,contact_names,contact_phones';

/**
 * Names the roster file leaves out come from WeCom's 读取成员 (user/get), through the stand-in over
 * HTTP: kept in Redis, copied into the school's record, and used by every text that names a person.
 */
describe('names from WeCom for people the roster lists without one', () => {
  let t: TestServer;
  const clock = new ManualClock('2026-11-05T01:00:00Z');
  const say = async (from: string, content: string) => {
    const res = await t.post(t.platform.textXml({ from, content, msgId: String(9_300_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e9))) }));
    return t.platform.openReply(res.body).Content ?? '';
  };
  const schools = (names: string) =>
    importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(`${HEADER}\n4101,河南工业职业技术学院,南阳,高职,A,否,zhangsan|lisi|ghost|outsider,${names},13800000001|||\n`), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
  const userGets = () => t.api.callsTo('user/get').map((c) => c.query.get('userid')).sort();

  beforeAll(async () => {
    t = await startTestServer({
      clock,
      stub: {
        // The app's 可见范围 holds everyone but outsider, who exists in the corp; ghost is not in the address book (yet).
        members: ['zhangsan', 'lisi', 'chu', 'ghost'],
        directory: { zhangsan: { name: '张三（企业微信）' }, lisi: { name: '李四老师', department: [2, 7] }, outsider: { name: '外人' }, chu: { name: '赵处长' } },
      },
    });
    await schools('张三|||');
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nchu,赵处,province,\n'), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
  });
  afterAll(async () => t.close());

  it('reads only the unnamed, keeps what WeCom says of each (name, or why not), and names them in 查', async () => {
    expect(await say('chu', '查 4101')).toContain('填报人：张三 13800000001、另有 3 位未登记姓名');
    await t.parts.directory.runOnce();
    // zhangsan has a roster name and the staff member too: neither is asked for.
    expect(userGets()).toEqual(['ghost', 'lisi', 'outsider']);
    const directory = await t.stores.roster.directory();
    expect(directory.lisi).toMatchObject({ name: '李四老师', department: [2, 7] });
    expect(directory.ghost).toMatchObject({ missing: 60111 });
    expect(directory.outsider).toMatchObject({ missing: 60011 });
    expect(directory.outsider?.name).toBeUndefined();
    // The roster's own name wins over WeCom's; the one WeCom gave fills the gap.
    expect(await say('chu', '查 4101')).toContain('填报人：张三 13800000001、李四老师、另有 2 位未登记姓名');
    const school = (await t.stores.roster.schools(['4101']))[0]!;
    expect(school.people).toEqual({ zhangsan: { name: '张三', phone: '13800000001' }, lisi: { directoryName: '李四老师' } });
  });

  it('names a colleague by the WeCom name in the texts contacts see', async () => {
    expect(await say('lisi', '填报')).toContain('开始填写');
    expect(await say('lisi', '2')).toContain('✓');
    expect(await say('zhangsan', '继续')).toContain('正在由 李四老师 填报，已完成 1/51');
  });

  it('reads nobody again within the day, and keeps the names through the next import', async () => {
    const before = t.api.callsTo('user/get').length;
    await t.parts.directory.runOnce();
    expect(t.api.callsTo('user/get').length).toBe(before);
    await schools('张三|||');
    expect((await t.stores.roster.schools(['4101']))[0]!.people?.lisi).toEqual({ directoryName: '李四老师' });
    // A name written into the file later replaces WeCom's.
    await schools('张三|李老师||');
    expect((await t.stores.roster.schools(['4101']))[0]!.people?.lisi).toEqual({ name: '李老师' });
    expect(await say('chu', '查 4101')).toContain('填报人：张三 13800000001、李老师、另有 2 位未登记姓名');
  });

  it('`roster names --all` reads everyone unnamed again, with progress, and lists who cannot be read and why', async () => {
    t.api.options.directory!.ghost = { name: '新同事' };
    const lines: string[] = [];
    expect(await refreshNames({ stores: t.stores, client: t.parts.client }, true, (l) => lines.push(l))).toBe(0);
    expect(lines).toEqual([
      '已读取 2/2 人',
      '名册中未写姓名的有 2 人，本次向企业微信读取 2 人：1 人取得姓名，1 条记录更新。',
      '  outsider：企业微信无法读取（不在应用的可见范围内）',
    ]);
    expect(await say('chu', '查 4101')).toContain('填报人：张三 13800000001、李老师、新同事、另有 1 位未登记姓名');
  });

  it('stops at a configuration error with what to configure, keeping what it had read', async () => {
    t.api.failNext('user/get', 60020, 'not allow to access from your ip');
    const lines: string[] = [];
    expect(await refreshNames({ stores: t.stores, client: t.parts.client }, true, (l) => lines.push(l))).toBe(1);
    expect(lines.join('\n')).toContain("this server's public IP is not in the app's 企业可信IP list");
    expect((await t.stores.roster.directory()).ghost).toMatchObject({ name: '新同事' });
  });
});
