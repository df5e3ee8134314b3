import type { AuditEntry, AuditLog } from '../audit-log';
import { auditCodec } from '../codecs';
import { RedisPort } from './redis-port';

/** The audit log in the {audit} slot: entries by id, and their order. */
export class RedisAuditLog extends RedisPort implements AuditLog {
  async append(entry: AuditEntry, id?: string): Promise<void> {
    const k = this.keys;
    await this.scripts.ybAudit(k.auditEntries, k.auditOrder, k.auditSeq, id ?? `a:${entry.at}:${this.token()}`, auditCodec.encode(entry));
  }

  async read(limit?: number): Promise<AuditEntry[]> {
    const ids = await this.redis.zrange(this.keys.auditOrder, limit === undefined ? 0 : -Math.max(1, limit), -1);
    if (limit === 0) return [];
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(this.keys.auditEntries, ...ids);
    return values.flatMap((json) => (json ? [auditCodec.decode(json)] : []));
  }
}
