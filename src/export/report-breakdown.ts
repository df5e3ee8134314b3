import type { Form } from '../conversation/form';
import { reportValues } from '../conversation/form-versions';
import { monthLabel } from '../calendar/period';
import type { Report } from '../report/records';
import { BREAKDOWN_PARTS, sumCells } from '../report/breakdown';
import type { School } from '../roster/roster';

/**
 * The breakdowns the notice asks every level for (分行业领域、分培训对象): the person-times by
 * training content, form, industry and key group, for the province, each city and each category,
 * for the month and for the year to date. Pure: the reports are read by the caller.
 */
export interface BreakdownTable {
  title: string;
  /** Part titles over the cell columns. */
  groups: { title: string; span: number }[];
  header: string[];
  rows: (string | number)[][];
  notes: string[];
}


export function buildBreakdown(form: Form, input: { title: string; scope: string; period: string; schools: readonly School[]; month: Map<string, Report | null>; year: Map<string, Report[]> }): BreakdownTable {
  const parts = form.parts.filter((p) => BREAKDOWN_PARTS.includes(p.id));
  const cells = parts.flatMap((p) => p.cells);
  const sum = (reports: Report[]) => sumCells(cells, reports.map((report) => ({ report, values: reportValues(form, report) })));
  // A city's export has one city: its row is the scope's.
  const cities = [...new Set(input.schools.map((s) => s.city))];
  const scopes: { name: string; schools: School[] }[] = [
    { name: input.scope, schools: [...input.schools] },
    ...(cities.length > 1 ? cities : []).sort((a, b) => a.localeCompare(b, 'zh')).map((city) => ({ name: city, schools: input.schools.filter((s) => s.city === city) })),
    ...['A', 'B', 'C', 'D'].map((cat) => ({ name: `${cat} 类`, schools: input.schools.filter((s) => s.category === cat) })).filter((x) => x.schools.length > 0),
  ];
  const rows = scopes.flatMap((scope) => [
    [scope.name, monthLabel(input.period), ...sum(scope.schools.flatMap((s) => input.month.get(s.code) ?? []))],
    [scope.name, `1–${monthLabel(input.period)}累计`, ...sum(scope.schools.flatMap((s) => input.year.get(s.code) ?? []))],
  ]);
  return {
    title: input.title,
    groups: [{ title: '', span: 2 }, ...parts.map((p) => ({ title: `${p.number}. ${p.title}`, span: p.cells.length }))],
    header: ['范围', '时段', ...cells.map((c) => c.name)],
    rows,
    notes: [
      '人次，只计已报和逾期补报的月报；零申报(未报)的月份计为 0。',
      '贫困劳动力是各校培训人次之和，不是工作方案中精准脱贫技能培训班的贫困家庭学员人数，两者口径不同。',
    ],
  };
}
