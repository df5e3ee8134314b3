import { describe, expect, it } from 'vitest';
import monthlyReport from '../../conversations/monthly-report';
import { loadForm } from '../../src/conversation/form';
import { readRow, rowCells, rowValues } from '../../src/conversation/rows';

const form = loadForm(monthlyReport);
const cell = (id: string) => form.place(id).cell;

describe('a message of numbers as a row', () => {
  it('splits on tabs, spaces, commas, 、 and new lines', () => {
    expect(readRow('3\t2\t1\t12.5')).toEqual({ kind: 'row', tokens: ['3', '2', '1', '12.5'] });
    expect(readRow('3 2 1')).toEqual({ kind: 'row', tokens: ['3', '2', '1'] });
    expect(readRow('3,2,1')).toEqual({ kind: 'row', tokens: ['3', '2', '1'] });
    expect(readRow('3，2、1；4')).toEqual({ kind: 'row', tokens: ['3', '2', '1', '4'] });
    expect(readRow('3\n2\r\n1\n')).toEqual({ kind: 'row', tokens: ['3', '2', '1'] });
    expect(readRow('１２　３')).toEqual({ kind: 'row', tokens: ['12', '3'] });
  });
  it('keeps a number written with thousands separators as one', () => {
    expect(readRow('1,200')).toEqual({ kind: 'none' });
    expect(readRow('1,200 35')).toEqual({ kind: 'row', tokens: ['1200', '35'] });
    expect(readRow('8,000\t320')).toEqual({ kind: 'row', tokens: ['8000', '320'] });
  });
  it('refuses an empty cell inside a pasted row rather than shifting the numbers after it', () => {
    expect(readRow('100\t\t20')).toEqual({ kind: 'error', reason: '第 2 个位置是空的：表格里空着的格子请填 0 再复制' });
    expect(readRow('1\t2\n3\t\t4')).toMatchObject({ kind: 'error', reason: expect.stringContaining('第 4 个位置') });
  });
  it('leaves anything with words or units to the answer parser', () => {
    for (const text of ['12', '制造业 120 建筑业 30', '12人 3人', '3o0 2', '一 二', '']) expect(readRow(text)).toEqual({ kind: 'none' });
  });
  it('fills the rest of the part being asked, or the whole form', () => {
    expect(rowCells(form, cell('hours_subsidized'), 7).cells?.map((c) => c.id)).toEqual(['hours_subsidized', 'hours_unsubsidized', 'trainees_students', 'trainees_public', 'trainees_subsidized', 'teachers_fulltime', 'students_fulltime']);
    expect(rowCells(form, cell('hours_subsidized'), 51).cells).toHaveLength(51);
    expect(rowCells(form, null, 51).cells?.[0]!.id).toBe('projects_fiscal');
    expect(rowCells(form, cell('hours_subsidized'), 11)).toMatchObject({ cells: null, rest: 7 });
    expect(rowCells(form, null, 5)).toMatchObject({ cells: null, rest: 0, part: null });
  });
  it('reads each number for its cell and names the place and cell of each problem', () => {
    const cells = rowCells(form, cell('trainers_internal'), 2).cells!;
    expect(rowValues(form, cells, ['12', '3'])).toEqual({ values: { trainers_internal: 12, trainers_external: 3 } });
    expect(rowValues(form, cells, ['1.5', '3.5'])).toEqual({ problems: ['第 1 个数「1.5」（学校专任教师）：这一项只能填整数', '第 2 个数「3.5」（聘请校外人员）：这一项只能填整数'] });
    expect(rowValues(form, [cell('funds_received')], ['12.55555'])).toMatchObject({ problems: [expect.stringContaining('培训到帐经费')] });
  });
});
