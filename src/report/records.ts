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
 * A filed report's review by its city (or the province): pending until 通过 (approved) or 退回
 * (returned, with the reason). `required` is REVIEW_REQUIRED as it was when the report was
 * submitted: a report that needs review counts in the figures only once approved.
 */
export const reviewSchema = z.object({
  state: z.enum(['pending', 'approved', 'returned']),
  required: z.boolean(),
  /** The reviewer, the time and (退回) the reason; absent while pending. */
  by: z.string().optional(),
  /** The reviewer's name as it was then, for texts. */
  byName: z.string().optional(),
  at: z.number().optional(),
  reason: z.string().optional(),
  /** The outbox entry that applied the decision (applied once). */
  id: z.string().optional(),
});
export type Review = z.infer<typeof reviewSchema>;

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
  /** Absent on reports from before review existed (and on zero reports): they count as submitted. */
  review: reviewSchema.optional(),
});
export type Report = z.infer<typeof reportSchema>;

/** One line of a school's append-only history (a Redis Stream entry). */
export const historyEntrySchema = z.object({
  type: z.enum(['submit', 'edit', 'reopen', 'discard', 'default', 'approve', 'return']),
  period: z.string(),
  by: z.string(),
  at: z.number(),
  /** Cells that changed, old → new (old null when first set). */
  cells: z.array(z.object({ id: z.string(), old: z.number().nullable(), new: z.number().nullable() })),
  status: z.enum(['filed', 'late', 'defaulted']).optional(),
  /** 退回's reason. */
  reason: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof historyEntrySchema>;
