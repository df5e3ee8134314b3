import { describe, expect, it } from 'vitest';
import monthlyReport from '../../conversations/monthly-report';
import { FormDefinitionError, loadForm } from '../../src/conversation/form';

const clone = () => structuredClone(monthlyReport) as typeof monthlyReport;

function problems(input: unknown): string[] {
  try {
    loadForm(input);
  } catch (error) {
    if (error instanceof FormDefinitionError) return error.problems;
    throw error;
  }
  return [];
}

describe('the monthly report definition', () => {
  const form = loadForm(monthlyReport);

  it('has the six parts and 51 cells of the paper form', () => {
    expect(form.parts.map((p) => [p.number, p.cells.length])).toEqual([[1, 11], [2, 5], [3, 3], [4, 2], [5, 21], [6, 9]]);
    expect(form.cells).toHaveLength(51);
    expect(form.place('industry_c')).toMatchObject({ position: 24, part: { number: 5 } });
    expect(form.place('group_other').position).toBe(51);
  });

  it('refers to rules R1–R10', () => {
    expect(form.def.rules.map((r) => r.id)).toEqual(['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9', 'R10']);
  });

  it('gives every cell a prompt, help and an example', () => {
    for (const cell of form.cells) expect([cell.prompt, cell.help, cell.example].every((s) => s.length > 0)).toBe(true);
  });
});

describe('loading a definition with mistakes', () => {
  it('names the rule and the unknown check', () => {
    const def = clone();
    def.rules[2]!.check = 'partSumToTotal';
    expect(problems(def)).toEqual([expect.stringMatching(/^form monthly-report, rule R3: unknown check 'partSumToTotal' \(known: partSumsToTotal, /)]);
  });
  it('names the part, the cell and the unknown value kind', () => {
    const def = clone();
    def.parts[4]!.cells[2]!.kind = 'cnt';
    expect(problems(def)).toEqual(["form monthly-report, part 5 (industry), cell industry_c: unknown value kind 'cnt' (known: count, wanyuan)"]);
  });
  it('names a rule parameter that points nowhere', () => {
    const def = clone();
    def.rules[0]!.params = { part: 'contents' };
    expect(problems(def)).toEqual(["form monthly-report, rule R1: params.part 'contents' is not a part of the form"]);
  });
  it('refuses a form that renames a cell the year’s sums read by id', () => {
    const def = clone();
    const cell = def.parts[0]!.cells.find((c) => c.id === 'trainees_subsidized')!;
    cell.id = 'trainees_funded';
    expect(problems(def)).toEqual(["form monthly-report: no cell 'trainees_subsidized', which the year's sums and summaries read (keep the id, or change the code that reads it)"]);
  });
  it('names a duplicate cell id and a duplicate name', () => {
    const def = clone();
    def.parts[2]!.cells[1]!.id = 'mode_onsite';
    def.parts[2]!.cells[2]!.name = '面授';
    expect(problems(def)).toEqual([
      'form monthly-report, part 3 (mode), cell mode_onsite: duplicate cell id',
      "form monthly-report, part 3 (mode), cell mode_blended: name '面授' is used twice in this part",
    ]);
    const alias = clone();
    alias.parts[2]!.cells[2]!.aliases!.push('在线');
    expect(problems(alias)).toEqual(["form monthly-report, part 3 (mode), cell mode_blended: alias '在线' is another cell's name in this part"]);
  });
  it('refuses fields the schema does not know, saying where', () => {
    const def = clone() as unknown as { parts: { cells: Record<string, unknown>[] }[] };
    def.parts[0]!.cells[0]!.colour = 'red';
    expect(problems(def)).toEqual([expect.stringContaining('form monthly-report, at parts.0.cells.0: Unrecognized key')]);
  });
});
