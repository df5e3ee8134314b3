import { z } from 'zod';
import { draftSchema, historyEntrySchema, reportSchema, type Draft, type HistoryEntry, type Report } from '../report/records';
import type { YearToDate } from '../report/progress';
import type { DirectoryEntry } from '../roster/directory';
import { schoolSchema, staffMemberSchema, type School, type StaffMember } from '../roster/roster';

/**
 * How typed values are kept as strings, and read back validated: one codec per kind, used by the
 * Redis adapters and the memory ones alike, so that both refuse the same bad record.
 */
export interface Codec<T> {
  encode(value: T): string;
  decode(raw: string): T;
}

function jsonCodec<T>(schema: z.ZodType<T>, what: string): Codec<T> {
  return {
    encode: (value) => JSON.stringify(value),
    decode(raw) {
      const parsed = schema.safeParse(JSON.parse(raw));
      if (!parsed.success) throw new Error(`stored ${what} does not read: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
      return parsed.data;
    },
  };
}

export const schoolCodec = jsonCodec<School>(schoolSchema, 'school');
export const directoryEntryCodec = jsonCodec<DirectoryEntry>(
  z.object({ name: z.string().optional(), department: z.array(z.number()).optional(), missing: z.number().optional(), fetchedAt: z.number() }),
  'directory entry',
);
export const staffCodec = jsonCodec<StaffMember>(staffMemberSchema, 'staff member');
export const draftCodec = jsonCodec<Draft>(draftSchema, 'draft');
/** Freezes a decoded value all the way down: a value shared from a cache must never change under its other readers. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * A codec that keeps the values it decoded, by their stored string (the newest `max`), frozen. A
 * school's turn reads every report of its year and validated each one again, unchanged since it
 * was filed: with nine months filed that was a quarter of a report turn's CPU (bench:wrk --months 9).
 */
function cachedCodec<T>(codec: Codec<T>, max: number): Codec<T> {
  const cache = new Map<string, T>();
  return {
    encode: codec.encode,
    decode(raw) {
      const hit = cache.get(raw);
      if (hit !== undefined) {
        // Newest last: the oldest is the first key, dropped when full.
        cache.delete(raw);
        cache.set(raw, hit);
        return hit;
      }
      const value = deepFreeze(codec.decode(raw));
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(raw, value);
      return value;
    },
  };
}

/** Reports are read far more often than written, and never change once stored (a change stores a new string). */
export const reportCodec = cachedCodec(jsonCodec<Report>(reportSchema, 'report'), 2_048);
export const ytdCodec = jsonCodec<YearToDate>(z.object({ year: z.number(), trainees: z.number(), subsidized: z.number(), poor: z.number() }), 'year-to-date sums');

const auditSchema = z.looseObject({ action: z.string(), by: z.string(), at: z.number() }).transform((v) => v as AuditEntry);
/** A staff or operator action in the audit log: what, who, when, and the action's own details. */
export type AuditEntry = { action: string; by: string; at: number } & Record<string, string | number>;
export const auditCodec = jsonCodec<AuditEntry>(auditSchema as unknown as z.ZodType<AuditEntry>, 'audit entry');

/** A history entry as a Redis Stream entry's fields (flat strings), and back. */
export function historyFields(entry: HistoryEntry): Record<string, string> {
  return {
    type: entry.type,
    period: entry.period,
    by: entry.by,
    at: String(entry.at),
    cells: JSON.stringify(entry.cells),
    ...(entry.status ? { status: entry.status } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
  };
}

export function historyFromFields(fields: Record<string, string>): HistoryEntry {
  return historyEntrySchema.parse({ ...fields, at: Number(fields.at), cells: JSON.parse(fields.cells ?? '[]') });
}

/** A school's history keeps its newest entries up to this many (oldest dropped first), in both adapters alike. */
export const HISTORY_MAX = 100_000;

/** History entries as the scripts take them: the cap and the entries' fields. */
export function historyArg(entries: readonly HistoryEntry[], max: number): string {
  return JSON.stringify({ max, entries: entries.map(historyFields) });
}
