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

  async read(limit?: number): Promise<AuditEntry[]> {
    const log = this.db.get<{ json: string }[]>('audit') ?? [];
    return (limit === undefined ? log : limit === 0 ? [] : log.slice(-limit)).map((e) => auditCodec.decode(e.json));
  }
}
