import { describe, expect, it } from 'vitest';
import monthlyReport from '../../conversations/monthly-report';
import { FormDefinitionError, loadForm } from '../../src/conversation/form';
import { readDraft, readReport } from '../../src/conversation/form-versions';
import { totalsText } from '../../src/conversation/report-texts';
import type { Draft } from '../../src/report/records';
import monthlyReportV2 from '../fixtures/monthly-report-v2';
import { draft as makeDraft, report as makeReport } from '../fixtures/records';

const v1 = loadForm(monthlyReport);
const v2 = loadForm(monthlyReportV2);
const draft = (values: Record<string, number>, form = 1): Draft => makeDraft(values, { form });

describe('a pinned form version', () => {
  it('knows its version and maps version-1 cells into version 2', () => {
    expect([v1.version, v2.version, v2.cells.length]).toEqual([1, 2, 50]);
    expect(v2.migrateCellId('funds_received', 1)).toBe('funds_arrived');
    expect(v2.migrateCellId('hours_unsubsidized', 1)).toBeNull();
    expect(v2.migrateCellId('projects_fiscal', 1)).toBe('projects_fiscal');
    expect(v2.migrateValues({ projects_fiscal: 2, funds_received: 12.5, hours_unsubsidized: 30 }, 1)).toEqual({
      values: { projects_fiscal: 2, funds_arrived: 12.5 },
      renamed: ['funds_arrived'],
      removed: [{ id: 'hours_unsubsidized', name: '非补贴性培训学时', value: 30 }],
      from: 1,
    });
    // No way from a version it does not know (a newer one, or a missing step).
    expect(v2.migrateValues({}, 3)).toBeNull();
    expect(v1.migrateValues({ funds_received: 1 }, 1)).toEqual({ values: { funds_received: 1 }, renamed: [], removed: [], from: 1 });
  });

  it('refuses a map that leads to cells the form does not have, or keeps a cell it says is removed', () => {
    const bad = { ...monthlyReportV2, migrations: [{ from: 1, rename: { funds_received: 'funds_nowhere' }, remove: [{ id: 'projects_fiscal', name: '财政资金项目' }] }] };
    expect(() => loadForm(bad)).toThrow(FormDefinitionError);
    expect(() => loadForm(bad)).toThrow(/renames 'funds_received' to 'funds_nowhere', which the form does not have[\s\S]*removes 'projects_fiscal', which the form still has/);
    expect(() => loadForm({ ...monthlyReportV2, migrations: [{ from: 2, rename: {}, remove: [] }] })).toThrow(/must be from an earlier version than 2/);
  });

  it('reads a version-1 draft in version 2 with a word about what changed, and gives up on one it cannot read', () => {
    const read = readDraft(v2, draft({ projects_fiscal: 2, funds_received: 12.5, hours_unsubsidized: 30 }));
    expect(read.draft).toMatchObject({ form: 2, values: { projects_fiscal: 2, funds_arrived: 12.5 } });
    expect(read.notice).toBe('月报表格已更新为第 2 版：「培训到账经费」已按新表的名称保留；「非补贴性培训学时」（原填 30）新表不再填报，已去掉；其余已填数据不变。');
    expect(read.stale).toBe(false);
    expect(readDraft(v2, draft({ a: 1 }, 2))).toEqual({ draft: draft({ a: 1 }, 2), notice: null, stale: false });
    const lost = readDraft(v1, draft({ projects_fiscal: 2, funds_arrived: 1 }, 2));
    expect(lost).toEqual({ draft: null, stale: true, notice: '月报表格已更新为第 1 版，之前按第 2 版填写的 2 项无法对应到新表，之前的草稿已作废，需要重新填写。' });
  });

  it('reads a version-1 report through its own version (the rules and the export read these values)', () => {
    const report = makeReport('s', '2026-09', 'filed', { funds_received: 3, hours_unsubsidized: 4, projects_fiscal: 1 });
    expect(readReport(v2, report).values).toEqual({ funds_arrived: 3, projects_fiscal: 1 });
    expect(readReport(v1, report)).toBe(report);
  });

  it('sums a receipt’s projects, hours and funds through the form, so a renamed or dropped cell is still counted right', () => {
    const values = { projects_fiscal: 1, projects_nonfiscal: 2, hours_subsidized: 40, trainees_students: 10 };
    expect(totalsText(v1, { ...values, funds_received: 2.5, hours_unsubsidized: 6 })[1]).toBe('培训项目 3 个，学时 46，到帐经费 2.5 万元');
    expect(totalsText(v2, { ...values, funds_arrived: 2.5 })[1]).toBe('培训项目 3 个，学时 40，到帐经费 2.5 万元');
  });
});
