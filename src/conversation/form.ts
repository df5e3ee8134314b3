import { parseValue, type ParsedValue, type ValueKind } from '../report/number-parser';
import { ruleChecks, type Finding, type RuleCheck, type RuleContext } from '../report/rules';
import { CELLS_READ_BY_CODE, type Values } from '../report/values';
import { formSchema, type CellDef, type FormDef, type MigrationDef, type PartDef, type RuleDef } from './form-schema';

/** Values brought into the current version, with what changed for the people who filled them. */
export interface ValuesMigration {
  values: Values;
  /** Cells (this version's ids) whose values came over under a new id. */
  renamed: string[];
  /** Cells of the old version that this one no longer has, with the values they held. */
  removed: { id: string; name: string; value: number }[];
  from: number;
}

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
  /**
   * Each rule's cells, worked out once: a definition does not change after loading, and every
   * answer judges every rule twice (before and after), so working them out per call was garbage
   * made on each turn.
   */
  private readonly cellsOfRule = new Map<RuleDef, readonly string[]>();

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

  get version(): number {
    return this.def.version;
  }

  /**
   * Values made with version `from`, as this version names them: renamed cells carried over,
   * removed ones dropped (and named). Null when the form knows no way from that version.
   */
  migrateValues(values: Values, from: number): ValuesMigration | null {
    const steps = this.stepsFrom(from);
    if (steps === null) return null;
    let out: Values = { ...values };
    const removed: { id: string; name: string; value: number }[] = [];
    for (const step of steps) {
      const next: Values = {};
      for (const [id, value] of Object.entries(out)) {
        const gone = step.remove.find((r) => r.id === id);
        if (gone) removed.push({ ...gone, value });
        else next[step.rename[id] ?? id] = value;
      }
      out = next;
    }
    // Whatever is not a cell of this version (a record from before a cell was known) is dropped too.
    for (const id of Object.keys(out)) if (!this.places.has(id)) delete out[id];
    const renamed = Object.keys(values).flatMap((id) => {
      const to = this.migrateCellId(id, from);
      return to !== null && to !== id ? [to] : [];
    });
    return { values: out, renamed, removed, from };
  }

  /** A cell id of version `from` in this version; null when it was removed or the way is unknown. */
  migrateCellId(id: string, from: number): string | null {
    const steps = this.stepsFrom(from);
    if (steps === null) return null;
    let current: string | null = id;
    for (const step of steps) {
      if (current === null || step.remove.some((r) => r.id === current)) return null;
      current = step.rename[current] ?? current;
    }
    return current !== null && this.places.has(current) ? current : null;
  }

  /** The migrations from a version to this one, in order; null when one is missing (or the version is newer). */
  private stepsFrom(from: number): MigrationDef[] | null {
    if (from > this.version) return null;
    const steps: MigrationDef[] = [];
    for (let v = from; v < this.version; v++) {
      const step = this.def.migrations.find((m) => m.from === v);
      if (!step) return null;
      steps.push(step);
    }
    return steps;
  }

  /** Every rule whose cells are all filled, judged; R10-style rules judge what is filled. */
  findings(values: Values, ctx: RuleContext, onlyRules?: ReadonlySet<string>): Finding[] {
    const out: Finding[] = [];
    for (const rule of this.def.rules) {
      if (onlyRules && !onlyRules.has(rule.id)) continue;
      if (!this.ruleCells(rule).every((id) => values[id] !== undefined)) continue;
      for (const finding of this.registry.ruleChecks[rule.check]!.check(values, this, rule.params, ctx)) out.push({ rule: rule.id, ...finding });
    }
    return out;
  }

  /** Whether a rule has every cell it needs to be judged. */
  ruleReady(ruleId: string, values: Values): boolean {
    const rule = this.def.rules.find((r) => r.id === ruleId);
    if (!rule) return false;
    return this.ruleCells(rule).every((id) => values[id] !== undefined);
  }

  /** The rules that involve any of these cells (and can be judged on their own cells). */
  rulesTouching(cellIds: readonly string[]): RuleDef[] {
    return this.def.rules.filter((rule) => {
      const cells = this.ruleCells(rule);
      return cells.length === 0 || cells.some((c) => cellIds.includes(c));
    });
  }

  /** The cells a rule must have filled before it can be judged (none: judged cell by cell). */
  private ruleCells(rule: RuleDef): readonly string[] {
    let cells = this.cellsOfRule.get(rule);
    if (cells === undefined) {
      cells = this.registry.ruleChecks[rule.check]!.cells(this, rule.params);
      this.cellsOfRule.set(rule, cells);
    }
    return cells;
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
    // A cell's name is its own within the part; an alias may be shared (补贴性 for hours and
    // trainees): a reply using it is read by the cell being asked, or asked about.
    const names = new Set(part.cells.map((c) => c.name));
    const seen = new Set<string>();
    for (const cell of part.cells) {
      const where = `form ${def.id}, part ${part.number} (${part.id}), cell ${cell.id}`;
      if (ids.has(cell.id)) problems.push(`${where}: duplicate cell id`);
      ids.add(cell.id);
      if (seen.has(cell.name)) problems.push(`${where}: name '${cell.name}' is used twice in this part`);
      seen.add(cell.name);
      for (const alias of cell.aliases) if (names.has(alias) && alias !== cell.name) problems.push(`${where}: alias '${alias}' is another cell's name in this part`);
      if (!(cell.kind in registry.valueKinds)) problems.push(`${where}: unknown value kind '${cell.kind}' (known: ${Object.keys(registry.valueKinds).join(', ')})`);
    }
  }
  for (const cellId of def.zeroReportAsks) if (!ids.has(cellId)) problems.push(`form ${def.id}, zeroReportAsks: unknown cell '${cellId}'`);
  for (const cellId of CELLS_READ_BY_CODE) if (!ids.has(cellId)) problems.push(`form ${def.id}: no cell '${cellId}', which the year's sums and summaries read (keep the id, or change the code that reads it)`);
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
  for (const m of def.migrations) {
    const where = `form ${def.id}, migration from version ${m.from}`;
    if (m.from >= def.version) problems.push(`${where}: must be from an earlier version than ${def.version}`);
    if (def.migrations.filter((x) => x.from === m.from).length > 1) problems.push(`${where}: given twice`);
  }
  // The last step lands in this version: what it renames to, and what survives it, must be cells here.
  const last = def.migrations.find((m) => m.from === def.version - 1);
  for (const [old, next] of Object.entries(last?.rename ?? {})) if (!ids.has(next)) problems.push(`form ${def.id}, migration from version ${last!.from}: renames '${old}' to '${next}', which the form does not have`);
  for (const r of last?.remove ?? []) if (ids.has(r.id)) problems.push(`form ${def.id}, migration from version ${last!.from}: removes '${r.id}', which the form still has`);
  if (problems.length > 0) throw new FormDefinitionError(problems);
  return form;
}
