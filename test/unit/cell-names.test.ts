import { describe, expect, it } from 'vitest';
import monthlyReport from '../../conversations/monthly-report';
import { findCellRef, parseAnswer, type Answer } from '../../src/conversation/answer-parser';
import { nameTable } from '../../src/conversation/cell-names';
import { loadForm } from '../../src/conversation/form';

const form = loadForm(monthlyReport);
const cell = (id: string) => form.place(id).cell;
/** A reply read while `asked` is being asked, with open errors in `errorParts`. */
function read(text: string, asked: string | null, errorParts: string[] = []): Answer {
  const current = asked ? cell(asked) : null;
  return parseAnswer(text, form, { current, part: current ? form.place(current.id).part : null, errorParts: new Set(errorParts) });
}
const ids = (a: Answer) => (a.kind === 'values' ? Object.fromEntries(a.assignments.map((x) => [x.cell.id, x.value])) : a.reason);

describe('cell names as people write them', () => {
  it('reads every cell by its name, label, the words of its question and each alias, asked from anywhere in its part', () => {
    const questionWords = (prompt: string) => prompt.split(/[：:？?，,]/u)[0]!.replace(/^(?:本月的?|其中)/u, '');
    for (const part of form.parts) {
      for (const c of part.cells) {
        for (const said of [c.name, c.label, questionWords(c.prompt), ...c.aliases.filter((a) => !/^[a-z]$/iu.test(a))]) {
          // From the cell itself and from the part's first cell: its own name never goes elsewhere.
          for (const asked of new Set([c.id, part.cells[0]!.id])) {
            const answer = read(`${said} 7`, asked);
            // A shared alias (补贴性) asked from another cell is asked about, never guessed.
            if (answer.kind === 'error') expect(answer.reason, `${said} from ${asked}`).toMatch(/^「.+」可以指：/u);
            else expect(ids(answer), `${said} from ${asked}`).toEqual({ [c.id]: 7 });
          }
          expect(ids(read(`${said} 7`, c.id)), `${said} asked at ${c.id}`).toEqual({ [c.id]: 7 });
        }
      }
    }
  });

  it('reads a name unique in the form from any part, and asks about one that fits several', () => {
    for (const entry of nameTable(form)) {
      if (entry.letter) continue;
      const answer = read(`${entry.name} 3`, 'group_employees', []);
      if (entry.cells.length === 1) expect(ids(answer), entry.name).toEqual({ [entry.cells[0]!.id]: 3 });
      else if (!entry.cells.some((c) => form.place(c.id).part.id === 'groups')) expect(answer.kind, entry.name).toBe('error');
    }
  });

  it('reads part 1 by the short names and the paper form’s words', () => {
    expect(ids(read('财政资金 4 非财政 6 公益性 2', 'projects_fiscal'))).toEqual({ projects_fiscal: 4, projects_nonfiscal: 6, projects_public: 2 });
    expect(ids(read('财政 4，非财政 6，公益 2', 'projects_fiscal'))).toEqual({ projects_fiscal: 4, projects_nonfiscal: 6, projects_public: 2 });
    expect(ids(read('补贴性 200 非补贴性 280', 'hours_subsidized'))).toEqual({ hours_subsidized: 200, hours_unsubsidized: 280 });
    expect(ids(read('补贴学时 200 非补贴学时 280', 'projects_fiscal'))).toEqual({ hours_subsidized: 200, hours_unsubsidized: 280 });
    expect(ids(read('学校专任教师数 320', 'teachers_fulltime'))).toEqual({ teachers_fulltime: 320 });
    expect(ids(read('专任教师 320 全日制 8000', 'teachers_fulltime'))).toEqual({ teachers_fulltime: 320, students_fulltime: 8000 });
    expect(ids(read('在校学生 100 社会人员 50 补贴人数 40', 'trainees_students'))).toEqual({ trainees_students: 100, trainees_public: 50, trainees_subsidized: 40 });
    expect(ids(read('到账经费 12.5', 'funds_received'))).toEqual({ funds_received: 12.5 });
    expect(ids(read('培训到帐经费 12.5万', 'projects_fiscal'))).toEqual({ funds_received: 12.5 });
    // The question names the report's month (10月培训到帐经费); said back with it, it is still the cell.
    expect(ids(read('10月培训到帐经费 12.5', 'funds_received'))).toEqual({ funds_received: 12.5 });
  });

  it('asks which cell a column header means, listing them with their numbers', () => {
    expect(ids(read('培训项目/班次 12个', 'projects_fiscal'))).toBe('「培训项目/班次」可以指：1 财政资金项目（第 1 部分）、2 非财政资金项目（第 1 部分）、3 公益性项目（第 1 部分）。请用「修改 编号 数字」写明，如「修改 1 10」');
    // 补贴性 fits the hours and the trainees: asked at the hours, it is the hours; at 在校学生, it is asked about.
    expect(ids(read('补贴性 40', 'hours_unsubsidized'))).toEqual({ hours_subsidized: 40 });
    expect(read('补贴性 40', 'trainees_students').kind).toBe('error');
  });

  it('reads 专任教师 as the trainers’ cell in part 4 and as the school’s in part 1', () => {
    expect(ids(read('专任教师 12', 'trainers_internal'))).toEqual({ trainers_internal: 12 });
    expect(ids(read('专任教师 12 校外 3', 'trainers_internal'))).toEqual({ trainers_internal: 12, trainers_external: 3 });
    expect(ids(read('专任教师 320', 'projects_fiscal'))).toEqual({ teachers_fulltime: 320 });
  });

  it('reads a letter as an industry only standing alone in the industry part; 3o0 is a mistyped number', () => {
    expect(ids(read('C 120 E 30', 'industry_a'))).toEqual({ industry_c: 120, industry_e: 30 });
    expect(ids(read('3o0', 'industry_a'))).toBe('「3o0」里有字母，是不是 300？');
    expect(ids(read('l20', 'industry_a'))).toBe('「l20」里有字母，是不是 120？');
    expect(ids(read('o 30', 'industry_a'))).toEqual({ industry_o: 30 });
    expect(read('o 30', 'mode_onsite').kind).toBe('error');
  });

  it('reads a name of another part as that cell: a correction while part 3 is asked', () => {
    expect(ids(read('岗前基础培训 10', 'mode_onsite'))).toEqual({ content_induction: 10 });
    expect(ids(read('面授 80 岗前 10', 'mode_onsite'))).toEqual({ mode_onsite: 80, content_induction: 10 });
  });

  it('resolves 其他 to the part being asked, else the part an open error names, else asks', () => {
    expect(ids(read('其他 150', 'content_induction'))).toEqual({ content_other: 150 });
    expect(ids(read('其他 150', 'industry_a'))).toEqual({ industry_other: 150 });
    expect(ids(read('其他 150', null, ['groups']))).toEqual({ group_other: 150 });
    expect(ids(read('其他 150', null))).toMatch(/^「其他」可以指：16 其他（第 2 部分）、42 其他（第 5 部分）、51 其他（第 6 部分）/u);
    // Every cell answered: a bare number has no cell to go to.
    expect(read('150', null)).toEqual({ kind: 'values', assignments: [], restZero: false, bare: true });
  });

  it('finds the cell a 修改 names the same way', () => {
    const ctx = (id: string | null, errors: string[] = []) => ({ current: id ? cell(id) : null, part: id ? form.place(id).part : null, errorParts: new Set(errors) });
    expect(findCellRef('其他 100', form, ctx('content_skills'))).toMatchObject({ kind: 'cell', cell: { id: 'content_other' }, rest: '100' });
    expect(findCellRef('其他 100', form, ctx(null, ['industry']))).toMatchObject({ kind: 'cell', cell: { id: 'industry_other' } });
    expect(findCellRef('其他', form, ctx(null))).toMatchObject({ kind: 'ambiguous', name: '其他' });
    expect(findCellRef('培训到账经费 35.6万', form, ctx(null))).toMatchObject({ kind: 'cell', cell: { id: 'funds_received' }, rest: '35.6万' });
    expect(findCellRef('24', form, ctx(null))).toMatchObject({ kind: 'cell', cell: { id: form.cells[23]!.id } });
  });
});
