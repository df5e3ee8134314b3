import { z } from 'zod';

const values = z.record(z.string(), z.number());

/** A school's report in progress for one period: shared by the school's contacts. */
export const draftSchema = z.object({
  v: z.literal(1),
  values,
  startedBy: z.string(),
  startedAt: z.number(),
  updatedBy: z.string(),
  updatedAt: z.number(),
  /** Declared 「本月无培训」: everything but zeroReportAsks is 0. */
  zero: z.boolean(),
});
export type Draft = z.infer<typeof draftSchema>;

/**
 * The filed record of one school and period. `defaulted` is the automatic zero report of a school
 * that never filed (零申报(未报)), never confused with a report of zeros that a school filed.
 */
export const reportSchema = z.object({
  v: z.literal(1),
  school: z.string(),
  period: z.string(),
  status: z.enum(['filed', 'late', 'defaulted']),
  values,
  submittedBy: z.string().nullable(),
  submittedAt: z.number(),
  firstSubmittedAt: z.number(),
  /** Rule ids of the warnings the submitter confirmed. */
  acceptedWarnings: z.array(z.string()),
  zero: z.boolean(),
});
export type Report = z.infer<typeof reportSchema>;

export type PeriodStatus = '未开始' | '填报中' | '已报' | '逾期补报' | '零申报(未报)';

/**
 * A school's status for a period. A filed report being corrected still counts as filed; a zero
 * report recorded at the close stands over a draft left behind until the school files late.
 */
export function periodStatus(report: Report | null, draft: Draft | null): PeriodStatus {
  if (report?.status === 'filed') return '已报';
  if (report?.status === 'late') return '逾期补报';
  if (report?.status === 'defaulted') return '零申报(未报)';
  if (draft !== null) return '填报中';
  return '未开始';
}

/** One line of a school's append-only history (a Redis Stream entry). */
export interface HistoryEntry {
  type: 'submit' | 'edit' | 'reopen' | 'discard' | 'default';
  period: string;
  by: string;
  at: number;
  /** Cells that changed, old → new (old null when first set). */
  cells: { id: string; old: number | null; new: number | null }[];
  status?: Report['status'];
}

/** A history entry as the store keeps it (a Redis Stream entry's fields). */
export function historyFields(entry: HistoryEntry): Record<string, string> {
  return {
    type: entry.type,
    period: entry.period,
    by: entry.by,
    at: String(entry.at),
    cells: JSON.stringify(entry.cells),
    ...(entry.status ? { status: entry.status } : {}),
  };
}
