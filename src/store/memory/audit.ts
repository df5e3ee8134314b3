import type { AuditEntry, AuditLog } from '../audit-log';
import { auditCodec } from '../codecs';
import type { MemoryDb } from './db';

export class MemoryAuditLog implements AuditLog {
  constructor(private readonly db: MemoryDb) {}

  async append(entry: AuditEntry, id?: string): Promise<void> {
    const log = this.db.get<{ id: string; json: string }[]>('audit') ?? [];
    if (id !== undefined && log.some((e) => e.id === id)) return;
    this.db.put('audit', [...log, { id: id ?? this.db.nextToken(), json: auditCodec.encode(entry) }]);
  }

  async read(): Promise<AuditEntry[]> {
    return (this.db.get<{ json: string }[]>('audit') ?? []).map((e) => auditCodec.decode(e.json));
  }
}
