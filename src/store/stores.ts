import type { Cluster, Redis } from 'ioredis';
import { MemoryOutboxStore } from '../outbox/memory-outbox-store';
import type { OutboxStore } from '../outbox/outbox-store';
import { RedisOutboxStore } from '../outbox/redis-outbox-store';
import { MemoryDb } from './memory-db';
import { MemoryStore } from './memory-store';
import { MemoryTurnStore } from './memory-turn-store';
import { RedisStore } from './redis-store';
import { RedisTurnStore } from './redis-turn-store';
import type { Store } from './store';
import type { TurnStore } from './turn-store';

/** The storage ports, over one backing store. */
export interface Stores {
  kind: 'redis' | 'memory';
  store: Store;
  turns: TurnStore;
  outbox: OutboxStore;
}

/** The production ports over an ioredis client (standalone, Sentinel or Cluster) that the caller owns. */
export function redisStores(redis: Redis | Cluster, prefix = 'yb:'): Stores {
  return { kind: 'redis', store: new RedisStore(redis, prefix), turns: new RedisTurnStore(redis, prefix), outbox: new RedisOutboxStore(redis, prefix) };
}

/** The embedded ports (`npm run demo`, single-process use). */
export function memoryStores(db = new MemoryDb()): Stores {
  return { kind: 'memory', store: new MemoryStore(db), turns: new MemoryTurnStore(db), outbox: new MemoryOutboxStore(db) };
}
