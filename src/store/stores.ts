import type { Cluster, Redis } from 'ioredis';
import { MemoryOutboxStore } from './memory/outbox';
import type { OutboxStore } from './outbox-store';
import { RedisOutboxStore } from './redis/outbox';
import type { AuditLog } from './audit-log';
import type { Markers } from './markers';
import { MemoryAuditLog } from './memory/audit';
import { MemorySendBudget } from './memory/budget';
import { MemoryDb } from './memory/db';
import { MemoryMarkers } from './memory/markers';
import { MemoryRecordsStore } from './memory/records';
import { MemoryRosterStore } from './memory/roster';
import { MemoryTokenCache } from './memory/token';
import { MemoryTurnStore } from './memory/turns';
import type { RecordsStore } from './records-store';
import { RedisAuditLog } from './redis/audit';
import { RedisSendBudget } from './redis/budget';
import { RedisMarkers } from './redis/markers';
import { RedisRecordsStore } from './redis/records';
import { RedisRosterStore } from './redis/roster';
import { RedisTokenCache } from './redis/token';
import { RedisTurnStore } from './redis/turns';
import { ReplicaWait, type Durability } from './redis/durability';
import type { PortOptions } from './redis/redis-port';
import type { RosterStore } from './roster-store';
import type { SendBudget } from './send-budget';
import type { TokenCache } from './token-cache';
import type { TurnStore } from './turn-store';

/**
 * The storage ports, each named for what it keeps, over one backing store (all share the key
 * layout of keys.ts). Parts take the ports they use; `{ ...stores }` gives all of them.
 */
export interface Stores {
  kind: 'redis' | 'memory';
  /** Resolves when the backing store answers; rejects otherwise. */
  ping(): Promise<void>;
  roster: RosterStore;
  records: RecordsStore;
  markers: Markers;
  audit: AuditLog;
  tokens: TokenCache;
  budget: SendBudget;
  turns: TurnStore;
  outbox: OutboxStore;
}

/** How the Redis ports behave: the history cap, and what an acknowledged write waits for. */
export interface StoreOptions {
  /** How many history entries a school keeps (HISTORY_MAX; the contract suite lowers it to see the trimming). */
  historyMax?: number;
  /** REDIS_WAIT_REPLICAS / REDIS_WAIT_TIMEOUT_MS (redis-client.ts's durabilityOf); no wait when unset. */
  durability?: Durability;
}

/** The production ports over an ioredis client (standalone, Sentinel or Cluster) that the caller owns. */
export function redisStores(redis: Redis | Cluster, prefix = 'yb:', options: StoreOptions = {}): Stores {
  const port: PortOptions = { historyMax: options.historyMax, replicas: options.durability ? new ReplicaWait(redis, options.durability) : undefined };
  return {
    kind: 'redis',
    ping: async () => void (await redis.ping()),
    roster: new RedisRosterStore(redis, prefix, port),
    records: new RedisRecordsStore(redis, prefix, port),
    markers: new RedisMarkers(redis, prefix),
    audit: new RedisAuditLog(redis, prefix),
    tokens: new RedisTokenCache(redis, prefix),
    budget: new RedisSendBudget(redis, prefix),
    turns: new RedisTurnStore(redis, prefix, port),
    outbox: new RedisOutboxStore(redis, prefix, port),
  };
}

/** The embedded ports (`npm run demo`, single-process use). */
export function memoryStores(db = new MemoryDb()): Stores {
  return {
    kind: 'memory',
    ping: async () => undefined,
    roster: new MemoryRosterStore(db),
    records: new MemoryRecordsStore(db),
    markers: new MemoryMarkers(db),
    audit: new MemoryAuditLog(db),
    tokens: new MemoryTokenCache(db),
    budget: new MemorySendBudget(db),
    turns: new MemoryTurnStore(db),
    outbox: new MemoryOutboxStore(db),
  };
}
