import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import monthlyReport from '../../conversations/monthly-report';
import { importRoster } from '../../src/cli/roster-command';
import { exportReport } from '../../src/cli/export-command';
import { loadForm } from '../../src/conversation/form';
import type { Report } from '../../src/report/records';
import { redisStores } from '../../src/store/stores';
import type { Stores } from '../../src/store/stores';
import { seedDraft, seedReport } from '../helpers/records';
import { loadTargets } from '../../src/targets/targets';
import { report as makeReport } from '../fixtures/records';
import { testRedis, type TestRedis } from '../helpers/redis';
import { mkdtemp, readFile } from 'node:fs/promises';

const form = loadForm(monthlyReport);
const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
const now = new Date('2026-11-12T01:00:00Z');
/** The roster came on 2 November, while October was being filed: October is the first month. */
const imported = new Date('2026-11-02T01:00:00Z');
const SCHOOLS = [
  'code,name,city,level,category,pilot,contacts',
  '0101,郑州铁路职业技术学院,郑州,高职,A,是,zhao',
  '0102,"=HYPERLINK(""http://evil"")",郑州,中职,C,否,wang',
  '0201,洛阳市第一职业高中,洛阳,中职,D,否,liu',
].join('\n');

/** A report of October with every cell (those not given 0), filed by zhao on 5 November. */
function report(school: string, status: Report['status'], values: Record<string, number>): Report {
  const all = Object.fromEntries(form.cells.map((c) => [c.id, values[c.id] ?? 0]));
  return makeReport(school, '2026-10', status, all, { submittedBy: status === 'defaulted' ? null : 'zhao', submittedAt: Date.parse('2026-11-05T01:40:00Z'), firstSubmittedAt: 0 });
}

describe('report export', () => {
  let r: TestRedis;
  let store: Stores;
  let dir: string;
  beforeEach(async () => {
    r = await testRedis();
    store = redisStores(r.redis, r.prefix);
    dir = await mkdtemp('/tmp/yb-export-');
    expect(await importRoster(store, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 't', now: imported }, () => undefined)).toBe(0);
    await seedReport(store, report('0101', 'filed', { trainees_students: 100, trainees_public: 50, funds_received: 12.3456, industry_c: 150, teachers_fulltime: 300, students_fulltime: 8000 }));
    await seedReport(store, report('0201', 'defaulted', {}));
  });
  afterEach(async () => r.cleanup());

  const run = async (format: string) => {
    const out: string[] = [];
    const code = await exportReport(store, form, cal, { period: '2026-10', format, out: `${dir}/t.${format}`, by: 'ops', now }, (l) => out.push(l));
    return { code, out, data: await readFile(`${dir}/t.${format}`) };
  };

  it('writes the form’s layout to .xlsx: title, grouped headers, units, numbers as numbers, statuses, carried stock, totals with notes, a sheet per city and a summary', async () => {
    // 0102 is drafting (3 cells); 0201's zero report carries its September staff figures.
    await seedDraft(store, '0102', '2026-10', { projects_fiscal: 1, projects_nonfiscal: 0, projects_public: 0 });
    await seedReport(store, makeReport('0201', '2026-09', 'filed', Object.fromEntries(form.cells.map((c) => [c.id, ({ teachers_fulltime: 80, students_fulltime: 900 } as Record<string, number>)[c.id] ?? 0])), { submittedBy: 'liu', submittedAt: Date.parse('2026-10-05T01:00:00Z'), firstSubmittedAt: 0 }));
    // September of 0101: 40 in 制造业, for the year's 累计 (150 + 40).
    await seedReport(store, makeReport('0101', '2026-09', 'filed', Object.fromEntries(form.cells.map((c) => [c.id, c.id === 'industry_c' || c.id === 'trainees_students' ? 40 : 0])), { submittedBy: 'zhao', submittedAt: Date.parse('2026-10-05T01:00:00Z'), firstSubmittedAt: 0 }));
    const out: string[] = [];
    expect(await exportReport(store, form, cal, { period: '2026-10', format: 'xlsx', out: `${dir}/t.xlsx`, by: 'ops', now, targets: loadTargets('config/targets.json') }, (l) => out.push(l))).toBe(0);
    expect(out).toEqual([`已导出 2026年10月月报表：3 所学校（已报 1）→ ${dir}/t.xlsx`]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await readFile(`${dir}/t.xlsx`)) as unknown as ArrayBuffer);
    expect(book.worksheets.map((w) => w.name)).toEqual(['2026-10', '汇总', '分类汇总', '洛阳', '郑州']);
    const sheet = book.worksheets[0]!;
    expect(sheet.getCell('A1').value).toBe('河南省职业院校开展职业培训情况 2026 年 10 月报表（全省）');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 4 });
    expect(sheet.getCell('A2').value).toBe('学校');
    expect(sheet.getCell('H2').value).toBe('1. 基本情况');
    expect(sheet.getCell('H2').isMerged).toBe(true);
    expect(sheet.getCell('S2').value).toBe('2. 按培训内容分培训人数（人次）');
    expect(sheet.getRow(3).values).toEqual([undefined, '学校代码', '学校名称', '所在地', '层次', '类别', '状态', '提交时间', '培训项目/班次数 · 财政资金项目（个）', ...Array(50).fill(expect.any(String))]);
    expect(sheet.getCell('K3').value).toBe('培训到帐经费（万元）');
    // The unit row of the paper form.
    expect(['A4', 'H4', 'K4', 'L4', 'N4', 'Q4', 'S4'].map((c) => sheet.getCell(c).value)).toEqual(['单位', '个', '万元', '学时', '人次', '人', '人次']);
    // Rows by place, then code: 洛阳 before 郑州.
    expect([5, 6, 7].map((n) => sheet.getCell(`A${n}`).value)).toEqual(['0201', '0101', '0102']);
    expect([5, 6, 7].map((n) => sheet.getCell(`F${n}`).value)).toEqual(['零申报(未报)', '已报', '填报中(3/51)']);
    expect(sheet.getCell('G6').value).toBe('2026-11-05 09:40');
    expect(sheet.getCell('K6').value).toBe(12.3456);
    expect(sheet.getCell('K6').numFmt).toBe('0.0000');
    expect(sheet.getCell('N6').value).toBe(100);
    expect(sheet.getCell('N6').type).toBe(ExcelJS.ValueType.Number);
    expect(sheet.getCell('N7').value).toBeNull();
    // A zero report: the month's activity 0, the school's staff carried from September, in italics with a note.
    expect(sheet.getCell('N5').value).toBe(0);
    expect([sheet.getCell('Q5').value, sheet.getCell('R5').value]).toEqual([80, 900]);
    expect(sheet.getCell('Q5').font?.italic).toBe(true);
    // The cells share their style objects: the italic and the bold stay where they were put.
    expect([sheet.getCell('Q6').font?.italic, sheet.getCell('N5').font?.italic, sheet.getCell('N6').font?.bold, sheet.getCell('A6').font?.bold]).toEqual([undefined, undefined, undefined, undefined]);
    expect([sheet.getCell('Q6').numFmt, sheet.getCell('Q8').numFmt, sheet.getCell('K8').numFmt]).toEqual(['#,##0', '#,##0', '0.0000']);
    expect(JSON.stringify(sheet.getCell('Q5').note ?? null)).toContain('沿用 2026年9月填报的数字');
    // A name that looks like a formula stays text.
    expect(sheet.getCell('B7').value).toBe('=HYPERLINK("http://evil")');
    expect(sheet.getCell('B7').type).toBe(ExcelJS.ValueType.String);
    // Totals: the filed school's cells; the staff figures with the carried ones (300 + 80, 8,000 + 900).
    expect(sheet.getCell('A8').value).toBe('合计');
    expect(sheet.getCell('F8').value).toBe('已报 1');
    expect([sheet.getCell('N8').value, sheet.getCell('K8').value, sheet.getCell('Q8').value, sheet.getCell('R8').value]).toEqual([100, 12.3456, 380, 8900]);
    expect(sheet.getCell('N8').font?.bold).toBe(true);
    expect(sheet.getCell('A10').value).toBe('注1：合计含已报（含本月无培训）和逾期补报的 1 所学校；零申报(未报) 1 所的培训数字计为 0；填报中、未开始的 1 所不计入。');
    expect(String(sheet.getCell('A11').value)).toContain('零申报(未报)的学校沿用其最近一次填报的数字（斜体，计入合计）');
    // A city's sheet: its schools, its own totals.
    const zz = book.getWorksheet('郑州')!;
    expect(zz.getCell('A1').value).toBe('河南省职业院校开展职业培训情况 2026 年 10 月报表（郑州）');
    expect([5, 6].map((n) => zz.getCell(`A${n}`).value)).toEqual(['0101', '0102']);
    expect([zz.getCell('A7').value, zz.getCell('Q7').value]).toEqual(['合计', 300]);
    // The summary: filing by city and category, the year against the schools' targets.
    const sum = book.getWorksheet('汇总')!;
    expect(sum.getRow(2).values).toEqual([undefined, '市县 / 类别', '学校数', '已报', '逾期补报', '填报中', '未开始', '零申报(未报)', '报送率', '年累计培训（人次）', '各校目标合计（人次）', '完成率', '按进度应达（人次）']);
    const rows = Array.from({ length: 10 }, (_, i) => (sum.getRow(i + 3).values as unknown[]).slice(1, 9));
    expect(rows[0]).toEqual(['按市县']);
    expect(rows[1]).toEqual(['洛阳', 1, 0, 0, 0, 0, 1, '0.0%']);
    expect(rows[2]).toEqual(['郑州', 2, 1, 0, 1, 0, 0, '50.0%']);
    expect(rows[3]).toEqual(['按类别']);
    expect(rows.find((r) => r[0] === '全省')).toEqual(['全省', 3, 1, 0, 1, 0, 1, '33.3%']);
    // The breakdowns by content, form, industry and group: the month and the year so far, per scope.
    const bd = book.getWorksheet('分类汇总')!;
    expect(bd.getCell('A1').value).toBe('河南省职业院校开展职业培训情况 2026 年 10 月报表 · 分类汇总（全省）');
    const head = (bd.getRow(3).values as unknown[]).slice(1);
    const industryC = head.indexOf('制造业') + 1;
    expect(head.slice(0, 3)).toEqual(['范围', '时段', '岗前基础培训']);
    expect(head).toHaveLength(2 + 5 + 3 + 21 + 9);
    const scopes = Array.from({ length: 8 }, (_, i) => [bd.getCell(i + 4, 1).value, bd.getCell(i + 4, 2).value, bd.getCell(i + 4, industryC).value]);
    expect(scopes).toEqual([
      ['全省', '10月', 150],
      ['全省', '1–10月累计', 190],
      ['洛阳', '10月', 0],
      ['洛阳', '1–10月累计', 0],
      ['郑州', '10月', 150],
      ['郑州', '1–10月累计', 190],
      ['A 类', '10月', 150],
      ['A 类', '1–10月累计', 190],
    ]);
    expect((await store.audit.read()).filter((a) => a.action === 'export').map((a) => [a.by, a.period, a.rows])).toEqual([['ops', '2026-10', 3]]);
  });

  it('writes CSV with a BOM, the same columns, and formula-looking text defused', async () => {
    const { data } = await run('csv');
    const text = data.toString('utf8');
    expect(text.startsWith('\uFEFF学校代码,学校名称,所在地,层次,类别,状态,提交时间,培训项目/班次数 · 财政资金项目（个）')).toBe(true);
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[2]!.startsWith('0101,郑州铁路职业技术学院,郑州,高职,A,已报,2026-11-05 09:40,0,0,0,12.3456,0,0,100,50,')).toBe(true);
    expect(lines[3]).toContain(`0102,"'=HYPERLINK(""http://evil"")",郑州,中职,C,未开始,,,,`);
    expect(lines[4]!.startsWith('合计,3 所学校,,,,已报 1,,0,0,0,12.3456,0,0,100,50,')).toBe(true);
  });

  it('marks a month before the deployment began as such, not 未报 (FIRST_PERIOD moves the start)', async () => {
    const out: string[] = [];
    expect(await exportReport(store, form, cal, { period: '2026-09', format: 'csv', out: `${dir}/sep.csv`, by: 'ops', now }, (l) => out.push(l))).toBe(0);
    const rows = (await readFile(`${dir}/sep.csv`, 'utf8')).trim().split('\n').slice(1, -1);
    expect(rows.map((l) => l.split(',')[5])).toEqual(['系统启用前', '系统启用前', '系统启用前']);
    expect(out[1]).toBe('2026年9月在本系统启用（2026年10月起收集）之前，未提交的学校标为「系统启用前」，不是未报。');
    expect(await exportReport(store, form, cal, { period: '2026-09', format: 'csv', out: `${dir}/sep.csv`, by: 'ops', now, firstPeriod: '2026-01' }, () => undefined)).toBe(0);
    expect((await readFile(`${dir}/sep.csv`, 'utf8')).trim().split('\n').slice(1, -1).map((l) => l.split(',')[5])).toEqual(['未开始', '未开始', '未开始']);
  });

  it('refuses a bad period or format with a clear message', async () => {
    const out: string[] = [];
    expect(await exportReport(store, form, cal, { period: '2026-13', format: 'xlsx', out: `${dir}/x`, by: 't', now }, (l) => out.push(l))).toBe(1);
    expect(await exportReport(store, form, cal, { period: '2026-10', format: 'pdf', out: `${dir}/x`, by: 't', now }, (l) => out.push(l))).toBe(1);
    expect(out).toEqual(['--period「2026-13」应写成 YYYY-MM，如 2026-10。', '--format「pdf」应为 csv 或 xlsx。']);
  });

  it('exports 2,000 schools', async () => {
    const rows = ['code,name,city,level,category,pilot,contacts', ...Array.from({ length: 2000 }, (_, i) => `S${i},学校${i},郑州,高职,B,否,u${i}`)];
    await importRoster(store, 'schools', 'schools.csv', Buffer.from(rows.join('\n')), { dryRun: false, by: 't', now }, () => undefined);
    for (let i = 0; i < 2000; i += 2) await seedReport(store, report(`S${i}`, 'filed', { trainees_students: 10 }));
    const started = Date.now();
    const { code, out } = await run('xlsx');
    expect(code).toBe(0);
    expect(out[0]).toContain('2000 所学校（已报 1000）');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
