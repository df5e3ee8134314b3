import type { Cluster, Redis } from 'ioredis';

/**
 * What an acknowledged write waits for (REDIS_WAIT_REPLICAS, REDIS_WAIT_TIMEOUT_MS). Redis
 * replicates asynchronously: without a wait, a master that dies a moment after a commit can take
 * the last turns with it though WeCom was told 200, and the replica the Sentinels promote never
 * had them.
 */
export interface Durability {
  replicas: number;
  timeoutMs: number;
  /**
   * Told the replicas in sync when first counted and whenever the count changes (previous: null
   * the first time). Below `replicas`, acknowledged writes wait for fewer; at 0 for none, and the
   * operator should hear of it.
   */
  onReplicas?: (inSync: number, previous: number | null) => void;
}

/** Fewer replicas than required confirmed a write in time: it is not acknowledged (503, WeCom retries). */
export class NotReplicatedError extends Error {
  constructor(
    readonly acked: number,
    readonly wanted: number,
    readonly timeoutMs: number,
  ) {
    super(`write confirmed by ${acked} of ${wanted} replica(s) within ${timeoutMs} ms (REDIS_WAIT_REPLICAS): not acknowledged, the caller retries`);
    this.name = 'NotReplicatedError';
  }
}

/** How often the master is asked how many replicas it has in sync. */
const RECOUNT_MS = 1_000;

/**
 * WAIT on the connection that wrote, for the replicas the master has in sync, up to the number
 * configured. WAIT covers every earlier command of its connection, and a standalone or Sentinel
 * client has one connection: the commit before it is covered.
 *
 * Up to, not exactly: right after a failover the promoted master has no replica until the old one
 * comes back and is synced (the Sentinels take 10–20 s to convert it), and waiting for one that is
 * not there would refuse every write meanwhile. With no replica in sync there is also nothing a
 * Sentinel could promote, so nothing acknowledged can be lost by a failover; the master's own
 * persistence (appendonly) carries it, as on a single Redis. A replica that joins later is synced
 * from the master, acknowledged writes included. (Refused on a Cluster by config.)
 */
export class ReplicaWait {
  /** Null until first counted. */
  private inSync: number | null = null;
  private countedAt = 0;
  /** The WAIT on the wire, and the one that will follow it for writes sent after it went out. */
  private running: Promise<Round> | null = null;
  private queued: Promise<Round> | null = null;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly durability: Durability,
  ) {}

  /** Resolves once the writes sent so far are on the replicas; throws NotReplicatedError past the timeout. */
  async confirm(): Promise<void> {
    const { wanted, acked } = await this.round();
    if (acked < wanted) {
      // Count again before the retry: a replica that is gone is no longer waited for.
      this.countedAt = 0;
      throw new NotReplicatedError(acked, wanted, this.durability.timeoutMs);
    }
  }

  /**
   * Group commit. A WAIT blocks its connection until the replicas answer, so one per write would
   * put every request in single file behind the replica's round trip; one WAIT vouches for every
   * write sent before it, so concurrent writers share one. A writer that comes while a WAIT is out
   * (its write may have gone after that WAIT) takes the next one, which starts when it returns.
   */
  private round(): Promise<Round> {
    if (!this.running) {
      this.running = this.waitOnce().finally(() => (this.running = null));
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.round();
      });
    return this.queued;
  }

  private async waitOnce(): Promise<Round> {
    const wanted = Math.min(this.durability.replicas, await this.replicasInSync());
    if (wanted <= 0) return { wanted: 0, acked: 0 };
    return { wanted, acked: Number(await (this.redis as Redis).wait(wanted, this.durability.timeoutMs)) };
  }

  private async replicasInSync(): Promise<number> {
    const now = Date.now();
    if (now - this.countedAt >= RECOUNT_MS) {
      // `state=online`: a replica still taking its first full sync is not waited for (it gets everything with it).
      const info = await (this.redis as Redis).info('replication');
      const inSync = info.split('\n').filter((line) => /^slave\d+:.*state=online/.test(line)).length;
      if (inSync !== this.inSync) this.durability.onReplicas?.(inSync, this.inSync);
      this.inSync = inSync;
      this.countedAt = now;
    }
    return this.inSync ?? 0;
  }
}

type Round = { wanted: number; acked: number };
