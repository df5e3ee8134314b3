import { z } from 'zod';

/** A cell of a form: one number the school reports. */
export const cellSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  /** Short name, unique within its part; what people type in 「修改 制造业」 and 「制造业 120」. */
  name: z.string().min(1),
  /** Full label as on the paper form. */
  label: z.string().min(1),
  unit: z.string().min(1),
  /** Name of a value kind in the registry (how the value is read and checked). */
  kind: z.string().min(1),
  prompt: z.string().min(1),
  help: z.string().min(1),
  example: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
});

export const partSchema = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  number: z.number().int().positive(),
  title: z.string().min(1),
  /** Said once when the part starts. */
  intro: z.string().min(1),
  cells: z.array(cellSchema).min(1),
});

export const ruleSchema = z.strictObject({
  id: z.string().regex(/^R\d+$/),
  title: z.string().min(1),
  /** Name of a rule check in the registry. */
  check: z.string().min(1),
  params: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
});

/**
 * How records made with version `from` read in version `from + 1`: cells renamed (old id → new id)
 * and cells removed (with the name people knew them by). Chained, they take any older record the
 * form knows the way to into this version.
 */
export const migrationSchema = z.strictObject({
  from: z.number().int().positive(),
  rename: z.record(z.string(), z.string()).default({}),
  remove: z.array(z.strictObject({ id: z.string(), name: z.string().min(1) })).default([]),
});

export const formSchema = z.strictObject({
  id: z.string().min(1),
  version: z.number().int().positive(),
  title: z.string().min(1),
  parts: z.array(partSchema).min(1),
  rules: z.array(ruleSchema),
  /** The cells a 「本月无培训」 report still asks for; every other cell is 0. */
  zeroReportAsks: z.array(z.string()),
  /** From each earlier version to the next, up to this one. */
  migrations: z.array(migrationSchema).default([]),
});

export type CellDef = z.output<typeof cellSchema>;
export type PartDef = z.output<typeof partSchema>;
export type RuleDef = z.output<typeof ruleSchema>;
export type MigrationDef = z.output<typeof migrationSchema>;
export type FormDef = z.output<typeof formSchema>;
export type FormInput = z.input<typeof formSchema>;
