import type { AuditEntry } from './codecs';

export type { AuditEntry } from './codecs';

/** Staff and operator actions, append-only, in order. */
export interface AuditLog {
  /** Appends an entry; with an id, only once (a retried follow-up logs its action once). */
  append(entry: AuditEntry, id?: string): Promise<void>;
  /** The log oldest first; with a limit, only the newest `limit` entries (still oldest first). */
  read(limit?: number): Promise<AuditEntry[]>;
}
