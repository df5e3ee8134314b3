import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { School } from '../roster/roster';

const pair = z.strictObject({ all: z.number().int().nonnegative(), subsidized: z.number().int().nonnegative() });

const yearSchema = z.strictObject({
  categories: z.strictObject({ A: pair, B: pair, C: pair, D: pair }),
  /** Added to "all training" for a modern-apprenticeship or 1+X pilot school. */
  pilotBonus: z.strictObject({ 高职: z.number().int().nonnegative(), 中职: z.number().int().nonnegative() }),
  province: pair,
  workPlan: z.strictObject({ allVocationalTraining: z.number().int().nonnegative(), poorHouseholdTrainees: z.number().int().nonnegative() }),
});

export const targetsSchema = z.strictObject({
  $comment: z.string().optional(),
  years: z.record(z.string().regex(/^\d{4}$/), yearSchema).refine((y) => Object.keys(y).length > 0, 'at least one year'),
});

export type YearTargets = z.infer<typeof yearSchema>;
export type Targets = z.infer<typeof targetsSchema>;

export class TargetsError extends Error {
  constructor(file: string, detail: string) {
    super(`Targets file ${file} is invalid: ${detail}`);
    this.name = 'TargetsError';
  }
}

/** Reads and checks the targets file; throws TargetsError naming the file and the place. */
export function loadTargets(file: string): Targets {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TargetsError(file, error instanceof Error ? error.message : String(error));
  }
  const parsed = targetsSchema.safeParse(raw);
  if (!parsed.success) throw new TargetsError(file, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** The targets in force for a year: that year's, or the latest earlier year's. */
export function targetsFor(targets: Targets, year: number): YearTargets {
  const years = Object.keys(targets.years).map(Number).sort((a, b) => a - b);
  const chosen = [...years].reverse().find((y) => y <= year) ?? years[0]!;
  return targets.years[String(chosen)]!;
}

/** A school's annual target: its category's figures, plus the pilot bonus on "all training". */
export function schoolTarget(year: YearTargets, school: Pick<School, 'category' | 'level' | 'pilot'>): { all: number; subsidized: number } {
  const base = year.categories[school.category];
  return { all: base.all + (school.pilot ? year.pilotBonus[school.level] : 0), subsidized: base.subsidized };
}
