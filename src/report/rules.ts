/**
 * What the rules read of a form (the form in conversation/form.ts is one): its cells, and its
 * parts by number. Kept here, so that the rules need nothing of the conversation.
 */
export interface RuleForm {
  cells: readonly { id: string; name: string; unit: string }[];
  part(number: string): { number: string | number; title: string; cells: readonly { id: string }[] };
  hasPart(number: string): boolean;
}
import { periodLabel } from '../calendar/period';
import { formatNumber } from './number-parser';
import { STOCK_CELLS, sum, totalTrainees, type Values } from './values';

export type Level = 'error' | 'warning';

/** A rule that does not hold: which, how bad, what to say (naming cells and numbers), and the cells involved. */
export interface Finding {
  rule: string;
  level: Level;
  message: string;
  cells: string[];
  /** The cell most likely to need the fix, when the rule can tell. */
  fix?: string;
}

/** An earlier report of the same school, for R10. */
export interface PastReport {
  period: string;
  values: Values;
}

export interface RuleContext {
  /** The school's earlier reports, oldest first. */
  history: PastReport[];
}

type Params = Record<string, string | number>;

export interface RuleCheck {
  /** The cells that must all be filled before the rule can be judged (none: judged cell by cell). */
  cells(form: RuleForm, params: Params): string[];
  check(values: Values, form: RuleForm, params: Params, ctx: RuleContext): Omit<Finding, 'rule'>[];
  /** Checked when the registry loads the form: a located message for each bad parameter. */
  validate?(form: RuleForm, params: Params): string[];
}

const TOTAL_CELLS = ['trainees_students', 'trainees_public'];
const PROJECT_CELLS = ['projects_fiscal', 'projects_nonfiscal', 'projects_public'];
const f = formatNumber;

function totalText(v: Values): string {
  return `培训人数 ${f(totalTrainees(v))}（在校学生 ${f(v.trainees_students ?? 0)} + 社会人员 ${f(v.trainees_public ?? 0)}）`;
}

const partSumsToTotal: RuleCheck = {
  cells: (form, p) => [...form.part(String(p.part)).cells.map((c) => c.id), ...TOTAL_CELLS],
  validate: (form, p) => (form.hasPart(String(p.part)) ? [] : [`params.part '${String(p.part)}' is not a part of the form`]),
  check(v, form, p) {
    const part = form.part(String(p.part));
    const ids = part.cells.map((c) => c.id);
    const got = sum(v, ids);
    const total = totalTrainees(v);
    if (got === total) return [];
    const label = part.title.replace(/培训人数（人次）$/u, '').replace(/分$/u, '');
    const diff = Math.abs(got - total);
    return [
      {
        level: 'error',
        message: `${label}合计 ${f(got)} ${got > total ? '>' : '<'} ${totalText(v)}，${got > total ? '多' : '少'} ${f(diff)}。请核对第 ${part.number} 部分各项，或第 1 部分的在校学生、社会人员。`,
        cells: [...ids, ...TOTAL_CELLS],
      },
    ];
  },
};

const subsidizedWithinTotal: RuleCheck = {
  cells: () => ['trainees_subsidized', ...TOTAL_CELLS],
  check(v) {
    const sub = v.trainees_subsidized ?? 0;
    const total = totalTrainees(v);
    if (sub <= total) return [];
    return [{ level: 'error', message: `政府补贴性培训人数 ${f(sub)} > ${totalText(v)}，超出 ${f(sub - total)}。补贴性人数是培训人数的一部分。`, cells: ['trainees_subsidized', ...TOTAL_CELLS], fix: 'trainees_subsidized' }];
  },
};

const projectsMatchTrainees: RuleCheck = {
  cells: () => [...PROJECT_CELLS, ...TOTAL_CELLS],
  check(v) {
    const projects = sum(v, PROJECT_CELLS);
    const total = totalTrainees(v);
    if (total > 0 && projects === 0) {
      return [{ level: 'error', message: `有${totalText(v)}，但培训项目/班次数合计为 0：请至少填写 1 个培训项目。`, cells: [...PROJECT_CELLS, ...TOTAL_CELLS] }];
    }
    if (projects > 0 && total === 0) {
      return [{ level: 'warning', message: `填了 ${f(projects)} 个培训项目/班次，但培训人数为 0。月报只统计所报月份已完成的项目，请确认。`, cells: [...PROJECT_CELLS, ...TOTAL_CELLS] }];
    }
    return [];
  },
};

const internalTrainersWithinTeachers: RuleCheck = {
  cells: () => ['trainers_internal', 'teachers_fulltime'],
  check(v) {
    const internal = v.trainers_internal ?? 0;
    const teachers = v.teachers_fulltime ?? 0;
    if (internal <= teachers) return [];
    return [{ level: 'error', message: `培训师中的学校专任教师 ${f(internal)} 人 > 专任教师数 ${f(teachers)} 人，多 ${f(internal - teachers)} 人。`, cells: ['trainers_internal', 'teachers_fulltime'], fix: 'trainers_internal' }];
  },
};

const subsidyConsistency: RuleCheck = {
  cells: () => ['trainees_subsidized', 'hours_subsidized'],
  check(v) {
    const people = v.trainees_subsidized ?? 0;
    const hours = v.hours_subsidized ?? 0;
    const cells = ['trainees_subsidized', 'hours_subsidized'];
    if (people > 0 && hours === 0) return [{ level: 'warning', message: `政府补贴性培训人数 ${f(people)} 人次，但补贴性培训学时为 0，请确认。`, cells }];
    if (hours > 0 && people === 0) return [{ level: 'warning', message: `补贴性培训学时 ${f(hours)}，但政府补贴性培训人数为 0，请确认。`, cells }];
    return [];
  },
};

const trainersPresent: RuleCheck = {
  cells: () => ['trainers_internal', 'trainers_external', ...TOTAL_CELLS],
  check(v) {
    if (totalTrainees(v) === 0 || sum(v, ['trainers_internal', 'trainers_external']) > 0) return [];
    return [{ level: 'warning', message: `有${totalText(v)}，但培训师数为 0（学校专任教师 0 + 聘请校外人员 0），请确认。`, cells: ['trainers_internal', 'trainers_external'] }];
  },
};

const historyOutliers: RuleCheck = {
  cells: () => [],
  check(v, form, p, ctx) {
    if (ctx.history.length === 0) return [];
    const factor = Number(p.factor ?? 5);
    const staffChange = Number(p.staffChange ?? 0.2);
    const out: Omit<Finding, 'rule'>[] = [];
    const last = ctx.history[ctx.history.length - 1]!;
    for (const cell of form.cells) {
      const value = v[cell.id];
      if (value === undefined) continue;
      if (STOCK_CELLS.includes(cell.id)) {
        const before = last.values[cell.id];
        if (before !== undefined && before > 0 && Math.abs(value - before) / before > staffChange) {
          const pct = Math.round((Math.abs(value - before) / before) * 100);
          // The month compared is named: the last filed one is not always the month before.
          out.push({ level: 'warning', message: `${cell.name} ${f(value)} 人，${periodLabel(last.period)} ${f(before)} 人，变化 ${pct}%，请确认。`, cells: [cell.id] });
        }
        continue;
      }
      const peak = ctx.history.reduce<PastReport | null>((a, h) => ((h.values[cell.id] ?? 0) > (a?.values[cell.id] ?? 0) ? h : a), null);
      const most = peak?.values[cell.id] ?? 0;
      if (peak && most > 0 && value > most * factor) {
        out.push({ level: 'warning', message: `${cell.name} ${f(value)} ${cell.unit}，超过本校以往最多的一个月（${periodLabel(peak.period)} ${f(most)} ${cell.unit}）的 ${factor} 倍，请确认。`, cells: [cell.id] });
      }
    }
    return out;
  },
};

/** Rule checks by the name a form refers to them by. */
export const ruleChecks: Record<string, RuleCheck> = {
  partSumsToTotal,
  subsidizedWithinTotal,
  projectsMatchTrainees,
  internalTrainersWithinTeachers,
  subsidyConsistency,
  trainersPresent,
  historyOutliers,
};
