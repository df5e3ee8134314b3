import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importRoster } from '../../src/cli/roster-command';
import { PLACES } from '../../src/roster/places';
import { redisStores, type Stores } from '../../src/store/stores';
import { testRedis, type TestRedis } from '../helpers/redis';

const HEADER = 'code,name,city,level,category,pilot,contacts';
const now = new Date('2026-11-01T01:00:00Z');

/** A roster file of n schools across every place and category, one or two contacts each. */
export function schoolsCsv(n: number, tweak: (i: number, row: string[]) => string[] = (_i, r) => r): string {
  const rows = Array.from({ length: n }, (_, i) => {
    const category = 'ABCD'[i % 4]!;
    const level = category < 'C' ? '高职' : '中职';
    const row = [`41${String(i).padStart(6, '0')}`, `河南第${i + 1}职业学校`, PLACES[i % PLACES.length]!, level, category, i % 10 === 0 ? '是' : '否', i % 3 === 0 ? `c${i}a|c${i}b` : `c${i}a`];
    return tweak(i, row).join(',');
  });
  return [HEADER, ...rows].join('\n');
}

describe('roster import', () => {
  let r: TestRedis;
  let store: Stores;
  let out: string[];
  const run = async (csv: string, dryRun = false, file = 'schools.csv') => importRoster(store, 'schools', file, Buffer.from(csv), { dryRun, by: 'tester', now }, (l) => out.push(l));

  beforeEach(async () => {
    r = await testRedis();
    store = redisStores(r.redis, r.prefix);
    out = [];
  });
  afterEach(async () => r.cleanup());

  it('imports, then re-imports idempotently, printing what was added, changed and removed', async () => {
    expect(await run(schoolsCsv(5))).toBe(0);
    expect(out.pop()).toBe('已导入。学校：新增 5，变更 0，删除 0，不变 0\n  新增：41000000、41000001、41000002、41000003、41000004\n填报人：新增 7，移除 0');
    expect(await run(schoolsCsv(5))).toBe(0);
    expect(out.pop()).toBe('已导入。学校：新增 0，变更 0，删除 0，不变 5\n填报人：新增 0，移除 0');
    const edited = schoolsCsv(4, (i, row) => (i === 1 ? [row[0]!, '改名后的学校', ...row.slice(2, 6), 'newcontact'] : row));
    expect(await run(edited)).toBe(0);
    expect(out.pop()).toBe(
      '已导入。学校：新增 0，变更 1，删除 1，不变 3\n  变更：41000001\n  删除：41000004\n填报人：新增 1，移除 2（移除的账号即刻失去填报权限，学校草稿保留）\n  移除：c1a、c4a',
    );
    expect((await store.roster.whois('c1a')).member).toBeNull();
    expect((await store.roster.whois('newcontact')).member).toEqual({ userId: 'newcontact', role: 'school', school: '41000001' });
    expect((await store.audit.read()).map((a) => [a.action, a.by, a.added, a.changed, a.removed])).toEqual([
      ['roster-import', 'tester', 5, 0, 0],
      ['roster-import', 'tester', 0, 0, 0],
      ['roster-import', 'tester', 0, 1, 1],
    ]);
  });

  it('changes nothing when one row of a large file is bad, and names the line', async () => {
    await run(schoolsCsv(3));
    const before = await store.roster.read();
    const bad = schoolsCsv(2000, (i, row) => (i === 1234 ? [row[0]!, row[1]!, '火星', ...row.slice(3)] : row));
    expect(await run(bad)).toBe(1);
    expect(out.pop()).toBe('schools.csv 有 1 处问题，未做任何更改：\n  第 1236 行：所在地「火星」不是河南的省辖市、济源示范区或省直管县（市）');
    expect(await store.roster.read()).toEqual(before);
  });

  it('imports 2,000 schools', async () => {
    const started = Date.now();
    expect(await run(schoolsCsv(2000))).toBe(0);
    expect(out.pop()).toMatch(/^已导入。学校：新增 2000，变更 0，删除 0/);
    const roster = await store.roster.read();
    expect(Object.keys(roster.schools)).toHaveLength(2000);
    expect(Object.keys(roster.contacts)).toHaveLength(2667);
    expect(await r.redis.scard(`${r.prefix}{roster}:index:category:A`)).toBe(500);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('changes nothing on a dry run', async () => {
    expect(await run(schoolsCsv(3), true)).toBe(0);
    expect(out.pop()).toMatch(/^（试运行，未做更改）学校：新增 3/);
    expect(await store.roster.read()).toEqual({ schools: {}, contacts: {}, staff: {} });
    expect(await store.audit.read()).toEqual([]);
  });

  it('reads the same columns from .xlsx', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('学校');
    sheet.addRow(HEADER.split(','));
    sheet.addRow(['0101', '郑州铁路职业技术学院', '郑州', '高职', 'A', '是', 'zhang|li']);
    sheet.addRow(['0102', '兰考县中等职业学校', '兰考县', '中职', 'D', '否', 'wang']);
    const data = Buffer.from(await book.xlsx.writeBuffer());
    expect(await importRoster(store, 'schools', 'schools.xlsx', data, { dryRun: false, by: 't', now }, (l) => out.push(l))).toBe(0);
    expect((await store.roster.schools(['0102']))[0]).toMatchObject({ name: '兰考县中等职业学校', city: '兰考', category: 'D' });
  });

  it('reads a spreadsheet as a person wrote it: a formula’s value, and refuses numbers, dates and errors where text belongs', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('学校');
    sheet.addRow([...HEADER.split(','), 'contact_phones']);
    // A name made by a formula imports its cached value; a phone may be a number.
    sheet.addRow(['0101', { formula: 'CONCATENATE("郑州","铁路职业技术学院")', result: '郑州铁路职业技术学院' }, '郑州', '高职', 'A', '是', 'zhang', 13800000001]);
    const good = Buffer.from(await book.xlsx.writeBuffer());
    expect(await importRoster(store, 'schools', 'schools.xlsx', good, { dryRun: false, by: 't', now }, (l) => out.push(l))).toBe(0);
    expect((await store.roster.schools(['0101']))[0]).toMatchObject({ name: '郑州铁路职业技术学院', people: { zhang: { phone: '13800000001' } } });
    sheet.addRow([102, '兰考县中等职业学校', '兰考县', '中职', 'D', '否', 'wang', '']);
    sheet.addRow(['0103', new Date('2026-03-01T00:00:00Z'), '郑州', '中职', 'C', '否', 'li', '']);
    sheet.addRow(['0104', { formula: 'VLOOKUP(A5,X:Y,2,0)', result: { error: '#N/A' } }, '郑州', '中职', 'C', '否', 'zhao', '']);
    const bad = Buffer.from(await book.xlsx.writeBuffer());
    out = [];
    expect(await importRoster(store, 'schools', 'schools.xlsx', bad, { dryRun: false, by: 't', now }, (l) => out.push(l))).toBe(1);
    expect(out.join('\n')).toContain('第 3 行：学校代码（code）「102」是数字格式，请把这一列设为文本后重新填写（数字格式会去掉开头的 0）');
    expect(out.join('\n')).toContain('第 4 行：名称（name）「2026-03-01」是日期格式，请把这一列设为文本后重新填写');
    expect(out.join('\n')).toContain('第 5 行：名称（name）是公式错误「#N/A」，请改成文字');
    expect(out.join('\n')).not.toContain('[object Object]');
    // Nothing changed: the school of the good import is all there is.
    expect((await store.roster.read()).schools).toHaveProperty('0101');
    expect(await store.roster.schools(['0103'])).toEqual([null]);
  });

  it('refuses a file that is not UTF-8 text', async () => {
    const gbk = Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x2c, 0xff, 0xfe]);
    expect(await importRoster(store, 'schools', 'schools.csv', gbk, { dryRun: false, by: 't', now }, (l) => out.push(l))).toBe(1);
    expect(out.pop()).toBe('schools.csv：文件不是 UTF-8 编码：请在 Excel 里「另存为 → CSV UTF-8」后再导入。未做任何更改。');
  });

  it('imports staff, replacing the previous list', async () => {
    const staff = (text: string) => importRoster(store, 'staff', 'staff.csv', Buffer.from(text), { dryRun: false, by: 't', now }, (l) => out.push(l));
    expect(await staff('userid,name,role,city\nwang,王省,province,\nzhou,周市,city,周口\n')).toBe(0);
    expect(await staff('userid,name,role,city\nzhou,周市,city,商丘\n')).toBe(0);
    expect(out.pop()).toBe('已导入。工作人员：新增 0，变更 1，删除 1，不变 0\n  变更：zhou\n  删除：wang');
    expect((await store.roster.whois('zhou')).member).toEqual({ userId: 'zhou', role: 'city', name: '周市', city: '商丘' });
  });
});
