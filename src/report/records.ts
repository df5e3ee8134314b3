import { z } from 'zod';

const values = z.record(z.string(), z.number());

/** A school's report in progress for one period: shared by the school's contacts. */
/** The form version a record was made with; records from before versions were kept are version 1. */
const formVersion = z.number().int().positive().default(1);

export const draftSchema = z.object({
  v: z.literal(1),
  form: formVersion,
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
  form: formVersion,
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

/** One line of a school's append-only history (a Redis Stream entry). */
export const historyEntrySchema = z.object({
  type: z.enum(['submit', 'edit', 'reopen', 'discard', 'default']),
  period: z.string(),
  by: z.string(),
  at: z.number(),
  /** Cells that changed, old → new (old null when first set). */
  cells: z.array(z.object({ id: z.string(), old: z.number().nullable(), new: z.number().nullable() })),
  status: z.enum(['filed', 'late', 'defaulted']).optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
