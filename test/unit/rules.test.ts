import { describe, expect, it } from 'vitest';
import monthlyReport from '../../conversations/monthly-report';
import { loadForm } from '../../src/conversation/form';
import type { Values } from '../../src/report/values';

const form = loadForm(monthlyReport);
const none = { history: [] };

/** A complete, consistent report: T = 150. */
function good(): Values {
  const v: Values = Object.fromEntries(form.cells.map((c) => [c.id, 0]));
  Object.assign(v, {
    projects_fiscal: 2, projects_nonfiscal: 3, funds_received: 12.5, hours_subsidized: 120, hours_unsubsidized: 200,
    trainees_students: 100, trainees_public: 50, trainees_subsidized: 40, teachers_fulltime: 300, students_fulltime: 8000,
    content_skills: 120, content_theory: 30, mode_onsite: 100, mode_online: 50, trainers_internal: 10, trainers_external: 3,
    industry_c: 120, industry_e: 30, group_employees: 50, group_other: 100,
  });
  return v;
}
const findings = (v: Values, ctx = none) => form.findings(v, ctx).map((f) => `${f.rule} ${f.level}: ${f.message}`);

describe('rules', () => {
  it('a consistent report passes every rule', () => {
    expect(findings(good())).toEqual([]);
  });
  it('R1: content breakdown must sum to T, with the arithmetic', () => {
    expect(findings({ ...good(), content_theory: 10 })).toEqual([
      'R1 error: 按培训内容合计 130 < 培训人数 150（在校学生 100 + 社会人员 50），少 20。请核对第 2 部分各项，或第 1 部分的在校学生、社会人员。',
    ]);
  });
  it('R2: form breakdown', () => {
    expect(findings({ ...good(), mode_online: 70 })).toEqual([
      'R2 error: 按培训形式合计 170 > 培训人数 150（在校学生 100 + 社会人员 50），多 20。请核对第 3 部分各项，或第 1 部分的在校学生、社会人员。',
    ]);
  });
  it('R3: industry breakdown', () => {
    expect(findings({ ...good(), industry_e: 0 })[0]).toMatch(/^R3 error: 按培训内容所属行业合计 120 < 培训人数 150/);
  });
  it('R4: key groups breakdown', () => {
    expect(findings({ ...good(), group_other: 0 })[0]).toMatch(/^R4 error: 按重点人群合计 50 < 培训人数 150.*少 100。/);
  });
  it('R5: subsidized within T', () => {
    expect(findings({ ...good(), trainees_subsidized: 200 })).toEqual([
      'R5 error: 政府补贴性培训人数 200 > 培训人数 150（在校学生 100 + 社会人员 50），超出 50。补贴性人数是培训人数的一部分。',
    ]);
  });
  it('R6: trainees without projects is an error; projects without trainees a warning', () => {
    expect(findings({ ...good(), projects_fiscal: 0, projects_nonfiscal: 0 })).toEqual([
      'R6 error: 有培训人数 150（在校学生 100 + 社会人员 50），但培训项目/班次数合计为 0：请至少填写 1 个培训项目。',
    ]);
    const zero: Values = Object.fromEntries(form.cells.map((c) => [c.id, 0]));
    expect(findings({ ...zero, projects_public: 1, teachers_fulltime: 10 })).toEqual([
      'R6 warning: 填了 1 个培训项目/班次，但培训人数为 0。月报只统计所报月份已完成的项目，请确认。',
    ]);
  });
  it('R7: internal trainers within full-time teachers', () => {
    expect(findings({ ...good(), trainers_internal: 320 })).toEqual(['R7 error: 培训师中的学校专任教师 320 人 > 专任教师数 300 人，多 20 人。']);
  });
  it('R8: subsidized people without hours, and the reverse, are warnings', () => {
    expect(findings({ ...good(), hours_subsidized: 0 })).toEqual(['R8 warning: 政府补贴性培训人数 40 人次，但补贴性培训学时为 0，请确认。']);
    expect(findings({ ...good(), trainees_subsidized: 0 })).toEqual(['R8 warning: 补贴性培训学时 120，但政府补贴性培训人数为 0，请确认。']);
  });
  it('R9: training without trainers is a warning', () => {
    expect(findings({ ...good(), trainers_internal: 0, trainers_external: 0 })).toEqual([
      'R9 warning: 有培训人数 150（在校学生 100 + 社会人员 50），但培训师数为 0（学校专任教师 0 + 聘请校外人员 0），请确认。',
    ]);
  });
  it('R10: over 5× the school’s largest earlier month, or staff changing over 20 %, are warnings', () => {
    const history = [
      { period: '2026-08', values: { ...good(), industry_c: 100 } },
      { period: '2026-09', values: { ...good(), industry_c: 20, teachers_fulltime: 250 } },
    ];
    // 制造业 was at most 100 a month: 620 is over 5×; 建筑业 30 → 0 and 技术技能培训 120 → 590 are not.
    const v = { ...good(), industry_c: 620, industry_e: 0, content_skills: 590, teachers_fulltime: 320 };
    const r10 = form.findings(v, { history }).filter((f) => f.rule === 'R10').map((f) => f.message);
    // Each names the month it compares with, and its unit.
    expect(r10).toEqual(['专任教师数 320 人，2026年9月 250 人，变化 28%，请确认。', '制造业 620 人次，超过本校以往最多的一个月（2026年8月 100 人次）的 5 倍，请确认。']);
    // The last month filed is not always the month before: it is named as it is.
    const gap = form.findings({ ...good(), teachers_fulltime: 400 }, { history: [{ period: '2026-06', values: { ...good(), teachers_fulltime: 300 } }] }).filter((f) => f.rule === 'R10');
    expect(gap.map((f) => f.message)).toEqual(['专任教师数 400 人，2026年6月 300 人，变化 33%，请确认。']);
  });
  it('R10 stays quiet without history', () => {
    expect(form.findings({ ...good(), industry_c: 100000 }, none).filter((f) => f.rule === 'R10')).toEqual([]);
  });
  it('judges a rule only once all its cells are filled', () => {
    expect(form.findings({ trainees_students: 100, trainees_public: 50, content_skills: 10 }, none)).toEqual([]);
  });
});
