/** A report's numbers by cell id; a draft has some, a complete report has all. */
export type Values = Record<string, number>;

/**
 * The cells the code reads by id: the person-times and their subsidized and poor-household shares
 * (the year's sums, targets, the dashboard), the stock figures, and the trainer cells rules R6/R9
 * compare. A form version must keep these ids; loadForm refuses one that does not, so a renamed
 * cell cannot silently count as 0. Everything else is read through the form.
 */
export const CELLS_READ_BY_CODE = [
  'trainees_students',
  'trainees_public',
  'trainees_subsidized',
  'group_poor',
  'teachers_fulltime',
  'students_fulltime',
  'trainers_internal',
  'trainers_external',
] as const;

/**
 * The stock figures: what the school has (its teachers, its full-time students), not what the
 * month did. They carry from month to month (「同上月」), stay asked in a 「无培训」 report, and
 * R10 compares them with the last month filed rather than with the peak.
 */
export const STOCK_CELLS: readonly string[] = ['teachers_fulltime', 'students_fulltime'];

/** Total person-times T = 在校学生 + 社会人员: every breakdown is checked against it. */
export function totalTrainees(v: Values): number {
  return (v.trainees_students ?? 0) + (v.trainees_public ?? 0);
}

export function sum(v: Values, ids: readonly string[]): number {
  return ids.reduce((acc, id) => acc + (v[id] ?? 0), 0);
}
