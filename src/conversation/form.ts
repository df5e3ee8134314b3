import { parseValue, type ParsedValue, type ValueKind } from '../report/number-parser';
import { ruleChecks, type Finding, type RuleCheck, type RuleContext } from '../report/rules';
import type { Values } from '../report/values';
import { formSchema, type CellDef, type FormDef, type PartDef, type RuleDef } from './form-schema';

/** How a value kind reads what a person typed. */
export type ValueReader = (raw: string) => ParsedValue;

export interface Registry {
  valueKinds: Record<string, ValueReader>;
  ruleChecks: Record<string, RuleCheck>;
}

const kind = (k: ValueKind): ValueReader => (raw) => parseValue(raw, k);

export const defaultRegistry: Registry = {
  valueKinds: { count: kind('count'), wanyuan: kind('wanyuan') },
  ruleChecks,
};

/** A form definition that failed its checks; the message names the form, the place and the name. */
export class FormDefinitionError extends Error {
  constructor(readonly problems: string[]) {
    super(`Form definition is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'FormDefinitionError';
  }
}

export interface CellPlace {
  cell: CellDef;
  part: PartDef;
  /** 1-based position in the whole form (第 12/51 项). */
  position: number;
}

/** A loaded form: the checked definition plus lookups and its behaviour resolved by name. */
export class Form {
  readonly cells: CellDef[];
  private readonly places = new Map<string, CellPlace>();
  private readonly partsById = new Map<string, PartDef>();

  constructor(
    readonly def: FormDef,
    private readonly registry: Registry,
  ) {
    this.cells = def.parts.flatMap((p) => p.cells);
    let position = 0;
    for (const part of def.parts) {
      this.partsById.set(part.id, part);
      for (const cell of part.cells) this.places.set(cell.id, { cell, part, position: ++position });
    }
  }

  get parts(): PartDef[] {
    return this.def.parts;
  }

  hasPart(id: string): boolean {
    return this.partsById.has(id);
  }

  part(id: string): PartDef {
    const part = this.partsById.get(id);
    if (!part) throw new Error(`form ${this.def.id} has no part ${id}`);
    return part;
  }

  hasCell(cellId: string): boolean {
    return this.places.has(cellId);
  }

  place(cellId: string): CellPlace {
    const place = this.places.get(cellId);
    if (!place) throw new Error(`form ${this.def.id} has no cell ${cellId}`);
    return place;
  }

  readValue(cell: CellDef, raw: string): ParsedValue {
    return this.registry.valueKinds[cell.kind]!(raw);
  }

  /** Every rule whose cells are all filled, judged; R10-style rules judge what is filled. */
  findings(values: Values, ctx: RuleContext, onlyRules?: ReadonlySet<string>): Finding[] {
    const out: Finding[] = [];
    for (const rule of this.def.rules) {
      if (onlyRules && !onlyRules.has(rule.id)) continue;
      const check = this.registry.ruleChecks[rule.check]!;
      if (!check.cells(this, rule.params).every((id) => values[id] !== undefined)) continue;
      for (const finding of check.check(values, this, rule.params, ctx)) out.push({ rule: rule.id, ...finding });
    }
    return out;
  }

  /** Whether a rule has every cell it needs to be judged. */
  ruleReady(ruleId: string, values: Values): boolean {
    const rule = this.def.rules.find((r) => r.id === ruleId);
    if (!rule) return false;
    return this.registry.ruleChecks[rule.check]!.cells(this, rule.params).every((id) => values[id] !== undefined);
  }

  /** The rules that involve any of these cells (and can be judged on their own cells). */
  rulesTouching(cellIds: readonly string[]): RuleDef[] {
    return this.def.rules.filter((rule) => {
      const cells = this.registry.ruleChecks[rule.check]!.cells(this, rule.params);
      return cells.length === 0 || cells.some((c) => cellIds.includes(c));
    });
  }
}

/**
 * Checks a definition (schema, unique ids and names, every referred name in the registry) and
 * loads it. Throws FormDefinitionError naming the form, the part or rule, the cell and the name.
 */
export function loadForm(input: unknown, registry: Registry = defaultRegistry): Form {
  const parsed = formSchema.safeParse(input);
  const formId = (input as { id?: unknown } | null)?.id ?? '?';
  if (!parsed.success) {
    throw new FormDefinitionError(parsed.error.issues.map((i) => `form ${String(formId)}, at ${i.path.join('.')}: ${i.message}`));
  }
  const def = parsed.data;
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const part of def.parts) {
    const names = new Set<string>();
    for (const cell of part.cells) {
      const where = `form ${def.id}, part ${part.number} (${part.id}), cell ${cell.id}`;
      if (ids.has(cell.id)) problems.push(`${where}: duplicate cell id`);
      ids.add(cell.id);
      for (const name of [cell.name, ...cell.aliases]) {
        if (names.has(name)) problems.push(`${where}: name or alias '${name}' is used twice in this part`);
        names.add(name);
      }
      if (!(cell.kind in registry.valueKinds)) problems.push(`${where}: unknown value kind '${cell.kind}' (known: ${Object.keys(registry.valueKinds).join(', ')})`);
    }
  }
  for (const cellId of def.zeroReportAsks) if (!ids.has(cellId)) problems.push(`form ${def.id}, zeroReportAsks: unknown cell '${cellId}'`);
  const form = new Form(def, registry);
  for (const rule of def.rules) {
    const where = `form ${def.id}, rule ${rule.id}`;
    const check = registry.ruleChecks[rule.check];
    if (!check) {
      problems.push(`${where}: unknown check '${rule.check}' (known: ${Object.keys(registry.ruleChecks).join(', ')})`);
      continue;
    }
    for (const p of check.validate?.(form, rule.params) ?? []) problems.push(`${where}: ${p}`);
    if (problems.length === 0) for (const c of check.cells(form, rule.params)) if (!ids.has(c)) problems.push(`${where}: needs cell '${c}', which the form does not have`);
  }
  if (problems.length > 0) throw new FormDefinitionError(problems);
  return form;
}
