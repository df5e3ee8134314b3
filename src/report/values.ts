/** A report's numbers by cell id; a draft has some, a complete report has all. */
export type Values = Record<string, number>;

/** Total person-times T = 在校学生 + 社会人员: every breakdown is checked against it. */
export function totalTrainees(v: Values): number {
  return (v.trainees_students ?? 0) + (v.trainees_public ?? 0);
}

export function sum(v: Values, ids: readonly string[]): number {
  return ids.reduce((acc, id) => acc + (v[id] ?? 0), 0);
}
