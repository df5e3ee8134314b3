import { sleep } from '../clock';
import type { Store } from '../store/store';

export class UserBusyError extends Error {
  constructor(readonly userId: string) {
    super(`user ${userId} is busy on another instance`);
    this.name = 'UserBusyError';
  }
}

export interface UserSerializerOptions {
  /** How long the cross-instance lock lives if its holder dies. */
  lockTtlMs?: number;
  /** How long to wait for another instance's lock before giving up. */
  waitMs?: number;
  pollMs?: number;
}

/**
 * Runs one task per user at a time, in arrival order. Within a process a FIFO chain per user keeps
 * the order; across instances a short Redis lock keeps them apart.
 */
export class UserSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly lockTtlMs: number;
  private readonly waitMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly store: Store,
    options: UserSerializerOptions = {},
  ) {
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.waitMs = options.waitMs ?? 10_000;
    this.pollMs = options.pollMs ?? 20;
  }

  run<T>(userId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(userId) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => this.withLock(userId, task));
    const tail = current.catch(() => undefined);
    this.tails.set(userId, tail);
    void tail.then(() => {
      if (this.tails.get(userId) === tail) this.tails.delete(userId);
    });
    return current;
  }

  private async withLock<T>(userId: string, task: () => Promise<T>): Promise<T> {
    const name = `user:${userId}`;
    const deadline = Date.now() + this.waitMs;
    let token = await this.store.tryLock(name, this.lockTtlMs);
    while (token === null) {
      if (Date.now() >= deadline) throw new UserBusyError(userId);
      await sleep(this.pollMs);
      token = await this.store.tryLock(name, this.lockTtlMs);
    }
    try {
      return await task();
    } finally {
      await this.store.unlock(name, token).catch(() => false);
    }
  }
}
