import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import monthlyReport from '../../conversations/monthly-report';
import { ManualClock } from '../../src/clock/clock';
import { loadForm, type Form } from '../../src/conversation/form';
import { createBot } from '../../src/dispatch/bot';
import { TurnRunner } from '../../src/dispatch/turn-runner';
import { buildReportTable } from '../../src/export/report-table';
import { DEFAULT_SCHEDULE } from '../../src/calendar/schedule';
import { memoryStores, type Stores } from '../../src/store/stores';
import { loadTargets } from '../../src/targets/targets';
import monthlyReportV2 from '../fixtures/monthly-report-v2';
import { readSession } from '../helpers/sessions';
import { SAMPLE } from '../helpers/sample';
import { report } from '../fixtures/records';

const v1 = loadForm(monthlyReport);
const v2 = loadForm(monthlyReportV2);
const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
const SCHOOL = { code: '4101', name: '甲学院', city: '郑州', level: '高职' as const, category: 'A' as const, pilot: false, contacts: ['zhang', 'li'] };

/** The bot with a given form over shared stores: the deployment before and after the form changed. */
function bot(stores: Stores, form: Form, clock: ManualClock) {
  const logger = pino({ level: 'silent' });
  const runner = new TurnRunner({ turns: stores.turns, conversation: createBot({ ...stores, form, cal, targets: loadTargets('config/targets.json'), logger, schedule: DEFAULT_SCHEDULE, nudgeIntervalMs: 4 * 3_600_000 }), clock, logger });
  let n = 0;
  return async (user: string, content: string) => {
    const out = await runner.run({ kind: 'text', userId: user, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId, createTime: 1, msgId: `${form.version}${user}${++n}`, content });
    return out.replies.map((r) => (r.kind === 'text' ? r.text : '')).join('\n');
  };
}

async function setup() {
  const stores = memoryStores();
  await stores.roster.replaceSchools([SCHOOL]);
  await stores.markers.startCalendar(Date.parse('2026-10-01T00:00:00+08:00'));
  const clock = new ManualClock('2026-11-05T09:00:00+08:00');
  return { stores, clock };
}

describe('a new form version under records made with the old one', () => {
  it('carries a version-1 draft into version 2: the contact is told what changed, the next answer is stored in version 2', async () => {
    const { stores, clock } = await setup();
    const old = bot(stores, v1, clock);
    await old('zhang', '填报');
    for (const answer of ['2', '3', '1', '12.5', '120', '40']) await old('zhang', answer);
    expect((await stores.records.read('4101', '2026-10')).draft).toMatchObject({ form: 1, values: { funds_received: 12.5, hours_unsubsidized: 40 } });
    // zhang was last asked 在校学生 (7th of version 1); the form changes overnight.
    const now = bot(stores, v2, clock);
    const reply = await now('zhang', '继续');
    expect(reply.split('\n')[0]).toBe('月报表格已更新为第 2 版：「培训到账经费」已按新表的名称保留；「非补贴性培训学时」（原填 40）新表不再填报，已去掉；其余已填数据不变。');
    expect(reply).toContain('已完成 5/50');
    expect(reply).toContain('在校学生');
    await now('zhang', '300');
    expect((await stores.records.read('4101', '2026-10')).draft).toMatchObject({ form: 2, values: { projects_fiscal: 2, funds_arrived: 12.5, trainees_students: 300 } });
    expect((await stores.records.read('4101', '2026-10')).draft!.values.hours_unsubsidized).toBeUndefined();
    // Told once: the draft is now version 2.
    expect((await now('zhang', '查看')).startsWith('月报表格已更新')).toBe(false);
  });

  it('asks the next cell when the session was correcting a cell the new version removed', async () => {
    const { stores, clock } = await setup();
    const old = bot(stores, v1, clock);
    await old('zhang', '填报');
    for (const answer of ['2', '3', '1', '12.5', '120', '40']) await old('zhang', answer);
    await old('zhang', '修改 非补贴性培训学时');
    expect((await readSession(stores.turns, '4101', 'zhang')).report).toMatchObject({ editing: 'hours_unsubsidized', form: 1 });
    const reply = await bot(stores, v2, clock)('zhang', '继续');
    expect(reply).toContain('在校学生');
    expect((await readSession(stores.turns, '4101', 'zhang')).report).toMatchObject({ editing: null, form: 2 });
  });

  it('gives up a draft the form cannot read, says so once, and takes the school out of 填报中', async () => {
    const { stores, clock } = await setup();
    const newer = bot(stores, v2, clock);
    await newer('li', '填报');
    await newer('li', '2');
    expect((await stores.records.statusSets('2026-10')).drafting).toEqual(['4101']);
    // Rolled back to version 1, which knows no way from version 2.
    const back = bot(stores, v1, clock);
    expect(await back('li', '查看')).toBe('月报表格已更新为第 1 版，之前按第 2 版填写的 1 项无法对应到新表，之前的草稿已作废，需要重新填写。\n2026年10月月报还没有开始填写。回复「填报」开始。');
    expect((await stores.records.read('4101', '2026-10')).draft).toBeNull();
    expect((await stores.records.statusSets('2026-10')).drafting).toEqual([]);
    expect((await stores.records.history('4101')).at(-1)).toMatchObject({ type: 'discard', by: 'system' });
    // Said once; a new draft starts in version 1.
    expect((await back('li', '继续')).startsWith('开始填写 甲学院 2026年10月培训月报')).toBe(true);
    expect((await stores.records.read('4101', '2026-10')).draft).toMatchObject({ form: 1, values: {} });
  });

  it('exports a version-1 report in version 2’s columns: renamed cells carried, a cell it never had left empty', async () => {
    const { stores } = await setup();
    const values = Object.fromEntries(v1.cells.map((c) => [c.id, 1]));
    await stores.records.commit({ code: '4101', period: '2026-09', expectedRev: 0, report: report('4101', '2026-09', 'filed', { ...values, funds_received: 7.5 }), history: [], status: 'filed' });
    const withNewCell = loadForm({ ...monthlyReportV2, version: 3, parts: monthlyReportV2.parts.map((p) => (p.id === 'basic' ? { ...p, cells: [...p.cells, { ...p.cells[0]!, id: 'projects_online', name: '线上项目', label: '线上项目', aliases: [] }] } : p)), migrations: [...monthlyReportV2.migrations!, { from: 2, rename: {}, remove: [] }] });
    const table = buildReportTable(stores, withNewCell, cal, '2026-09');
    const { header, rows } = await table;
    const col = (label: string) => header.findIndex((h) => h.startsWith(label));
    expect(rows[0]![col('培训到账经费')]).toBe(7.5);
    expect(col('培训学时 · 非政府补贴性培训')).toBe(-1);
    expect(rows[0]![col('线上项目')]).toBeNull();
  });
});
