import { parsePeriod, type PeriodCalendar } from '../calendar/period';
import { paceBasis, paceWords, percent, type YearToDate } from '../report/progress';
import { rollUp } from '../report/rollup';
import { hasFiled, type FilingStatus } from '../report/status';
import type { School } from '../roster/roster';
import { targetsFor, type Targets } from '../targets/targets';

/**
 * The summary sheet of a province-wide export: per city and per category, the month's filing
 * (how many filed, drafting, not started, zero reports, the filing rate) and the year against
 * the schools' targets with the pace (paceBasis: the months closed, the open one where filed).
 */
export interface SummaryTable {
  title: string;
  header: string[];
  /** A heading row (按市县 / 按类别) is a one-cell row. */
  rows: (string | number)[][];
  notes: string[];
}

const HEADER = ['市县 / 类别', '学校数', '已报', '逾期补报', '填报中', '未开始', '零申报(未报)', '报送率', '年累计培训（人次）', '各校目标合计（人次）', '完成率', '按进度应达（人次）'];

export function buildSummary(input: { title: string; period: string; schools: readonly { school: School; status: FilingStatus }[]; ytd: Record<string, YearToDate>; targets: Targets; now: Date; cal: PeriodCalendar }): SummaryTable {
  const { year } = parsePeriod(input.period);
  const filed = input.schools.filter((s) => hasFiled(s.status)).map((s) => s.school.code);
  const pace = paceBasis(year, input.now, input.cal, { of: input.period, codes: filed });
  const yearTargets = targetsFor(input.targets, year);
  const statusOf = new Map(input.schools.map((s) => [s.school.code, s.status]));
  const block = (heading: string, key: (s: School) => string): (string | number)[][] => {
    const groups = rollUp(
      input.schools.map((s) => s.school),
      input.ytd,
      yearTargets,
      pace,
      key,
    );
    const rows = groups.map((g) => {
      const codes = input.schools.filter((s) => key(s.school) === g.group).map((s) => statusOf.get(s.school.code)!);
      const n = (st: FilingStatus) => codes.filter((c) => c === st).length;
      const done = n('filed') + n('late');
      return [g.group, g.schools, n('filed'), n('late'), n('drafting'), n('none'), n('defaulted'), percent(done, g.schools), g.trainees, g.target, percent(g.trainees, g.target), g.pace];
    });
    return [[heading], ...rows];
  };
  const all = block('全省', () => '全省').slice(1);
  return {
    title: input.title,
    header: HEADER,
    rows: [...block('按市县', (s) => s.city), ...block('按类别', (s) => `${s.category} 类`), ['合计'], ...all],
    notes: [
      `已报含本月无培训；报送率 = (已报 + 逾期补报) / 学校数。按进度应达：${paceWords(pace)}。`,
      '年累计培训是各校已报、逾期补报月报的培训人次之和；零申报(未报)的月份计为 0。',
    ],
  };
}
