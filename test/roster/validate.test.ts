import { describe, expect, it } from 'vitest';
import { normalizePlace } from '../../src/roster/places';
import { readTable } from '../../src/roster/read-table';
import { validateSchools, validateStaff } from '../../src/roster/validate';

const HEADER = 'code,name,city,level,category,pilot,contacts';
const table = (text: string) => readTable('x.csv', Buffer.from(text));

describe('normalizePlace', () => {
  it.each([
    ['郑州', '郑州'],
    ['郑州市', '郑州'],
    ['河南省洛阳市', '洛阳'],
    ['济源', '济源示范区'],
    ['济源市', '济源示范区'],
    ['济源示范区', '济源示范区'],
    ['巩义市', '巩义'],
    ['兰考县', '兰考'],
    ['滑县', '滑县'],
    ['长垣市', '长垣'],
  ])('%s → %s', (raw, place) => expect(normalizePlace(raw)).toBe(place));
  it.each(['北京', '郑州区', '', '中原'])('refuses %s', (raw) => expect(normalizePlace(raw)).toBeNull());
});

describe('validateSchools', () => {
  it('reads contacts’ names and phones in the order of the contacts, and refuses what does not line up', async () => {
    const head = `${HEADER},contact_names,contact_phones`;
    const good = await table(`${head}\n0101,甲学院,郑州,高职,A,否,zhang|li|wu,张敏|李强|,13800000001||0371-66668888\n`);
    expect(validateSchools(good)).toMatchObject({ ok: true, items: [{ contacts: ['zhang', 'li', 'wu'], people: { zhang: { name: '张敏', phone: '13800000001' }, li: { name: '李强' }, wu: { phone: '0371-66668888' } } }] });
    const bad = await table(
      `${head}\n0101,甲学院,郑州,高职,A,否,zhang|li,张敏,,\n0102,乙学院,郑州,高职,A,否,wang,王芳,12345\n0103,"丙\u0007学院",郑州,高职,A,否,,,\n0104,${'长'.repeat(101)},郑州,高职,A,否,,,\n`,
    );
    expect(validateSchools(bad)).toEqual({
      ok: false,
      problems: [
        { line: 2, reason: 'contact_names 有 1 个姓名，contacts 有 2 个填报人：请按同样的顺序用 | 分隔，空着的留空' },
        { line: 3, reason: '填报人「wang」的电话「12345」不像电话号码（手机 11 位，座机如 0371-12345678）' },
        { line: 4, reason: '学校名称「丙�学院」含有控制字符（如换行），请删去' },
        { line: 5, reason: '学校名称超过 100 个字' },
      ],
    });
  });

  it('reads a good file, keeping leading zeros and normalising places', async () => {
    const result = validateSchools(await table(`${HEADER}\n0101,郑州铁路职业技术学院,郑州市,高职,A,是,zhang|li\n0102,兰考县中等职业学校,兰考县,中职,D,否,\n`));
    expect(result).toEqual({
      ok: true,
      items: [
        { code: '0101', name: '郑州铁路职业技术学院', city: '郑州', level: '高职', category: 'A', pilot: true, contacts: ['zhang', 'li'] },
        { code: '0102', name: '兰考县中等职业学校', city: '兰考', level: '中职', category: 'D', pilot: false, contacts: [] },
      ],
      // Each item's line in the file (the account check at import names them).
      lines: [2, 3],
    });
  });

  it('reports every bad row with its line and reason', async () => {
    const result = validateSchools(
      await table(
        [
          HEADER,
          '0101,甲学院,郑州,高职,A,是,u1',
          '0102,乙学院,火星,高职,B,否,u2',
          '0103,丙学校,洛阳,高职,C,否,u3',
          '0101,丁学院,开封,高职,B,否,u4',
          '0105,戊学院,新乡,高职,B,否,u1',
          '0106,,安阳,中职,D,否,u6',
          '0107,己学校,安阳,中职,D,也许,u7',
          '0108,庚学校,安阳,中专,D,否,u8',
          '0109,辛学校,安阳,中职,E,否,u9',
          '0110,壬学校,安阳,中职,D,否,有空格 的账号',
          ',癸学校,安阳,中职,D,否,u11',
        ].join('\n'),
      ),
    );
    expect(result).toEqual({
      ok: false,
      problems: [
        { line: 3, reason: '所在地「火星」不是河南的省辖市、济源示范区或省直管县（市）' },
        { line: 4, reason: '类别 C 属于中职，与层次「高职」不符' },
        { line: 5, reason: '学校代码「0101」重复（第 2 行已有）' },
        { line: 6, reason: '填报人「u1」同时属于第 2 行的学校 0101；一个账号只能对应一所学校' },
        { line: 7, reason: '学校名称（name）为空' },
        { line: 8, reason: '试点（pilot）「也许」应为 是 或 否' },
        { line: 9, reason: '层次「中专」应为 高职 或 中职' },
        { line: 10, reason: '类别「E」应为 A、B（高职）或 C、D（中职）' },
        { line: 11, reason: '填报人「有空格 的账号」不是有效的企业微信账号（UserID）' },
        { line: 12, reason: '学校代码（code）为空' },
      ],
    });
  });

  it('names missing columns', async () => {
    expect(validateSchools(await table('code,name,city\n1,甲,郑州'))).toEqual({
      ok: false,
      problems: [{ line: 1, reason: '表头缺少列：level、category、pilot、contacts（应为 code,name,city,level,category,pilot,contacts）' }],
    });
  });
});

describe('validateStaff', () => {
  it('reads province and city staff', async () => {
    expect(validateStaff(await table('userid,name,role,city\nwangsheng,王省,province,\nzhoushi,周市,city,周口市\n'))).toEqual({
      ok: true,
      items: [
        { userId: 'wangsheng', name: '王省', role: 'province', city: null },
        { userId: 'zhoushi', name: '周市', role: 'city', city: '周口' },
      ],
      lines: [2, 3],
    });
    expect(validateStaff(await table('userid,name,role,city,phone\nwangsheng,王省,province,,0371-66660000\nzhoushi,周市,city,周口,1380\n'))).toEqual({
      ok: false,
      problems: [{ line: 3, reason: '电话「1380」不像电话号码（手机 11 位，座机如 0371-12345678）' }],
    });
  });
  it('reports each bad row', async () => {
    const result = validateStaff(await table('userid,name,role,city\na,甲,city,\nb,乙,province,郑州\nc,丙,boss,\na,丁,province,\nd,戊,city,火星\n'));
    expect(result).toEqual({
      ok: false,
      problems: [
        { line: 2, reason: '市级人员（role=city）必须填写所在地（city）' },
        { line: 3, reason: '省级人员（role=province）的所在地（city）应留空' },
        { line: 4, reason: '角色「boss」应为 province（省级）或 city（市级）' },
        { line: 5, reason: '账号「a」重复（第 2 行已有）' },
        { line: 6, reason: '所在地「火星」不是河南的省辖市、济源示范区或省直管县（市）' },
      ],
    });
  });
});
