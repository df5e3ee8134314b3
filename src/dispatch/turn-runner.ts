import { sleep, type Clock } from '../clock';
import type { Logger } from '../log/logger';
import { SESSION_TTL_MS, decodeSession, encodeSession, newSession, type Session } from '../session/session';
import { userLock, type Store, type StoredSession } from '../store/store';
import { deliveryId, type Inbound } from '../wecom/inbound';
import { KeyedQueue } from './keyed-queue';
import { messages } from './messages';
import type { Reply } from './reply';
import type { Conversation, Outcome } from './conversation';
import type { Effect } from './effects';

export type Processed = { status: 'handled'; replies: Reply[]; effects: Effect[] } | { status: 'duplicate' };

/** A retry arrived while the first delivery is still being handled elsewhere; WeCom should retry later. */
export class DeliveryInProgressError extends Error {
  constructor(readonly id: string) {
    super(`delivery ${id} is still being handled`);
    this.name = 'DeliveryInProgressError';
  }
}

/** Someone wrote the session meanwhile (the lock lapsed); nothing was saved, WeCom's retry starts over. */
export class SessionConflictError extends Error {
  constructor(readonly userId: string) {
    super(`session of ${userId} was written by someone else meanwhile`);
    this.name = 'SessionConflictError';
  }
}

/** Other writers kept changing the same school's records; WeCom's retry will try again. */
export class RecordsBusyError extends Error {
  constructor(readonly userId: string) {
    super(`records of ${userId}'s school kept changing under us`);
    this.name = 'RecordsBusyError';
  }
}

/** Another instance held the user's lock for longer than we wait. */
export class UserBusyError extends Error {
  constructor(readonly userId: string) {
    super(`user ${userId} is busy on another instance`);
    this.name = 'UserBusyError';
  }
}

export interface TurnOptions {
  /** How long a claim lives if its holder dies mid-way (then a retry may handle it). */
  leaseMs?: number;
  /** How long a handled marker is kept; WeCom retries within about a minute. */
  keepMs?: number;
  /** How long the user's lock lives if its holder dies. */
  lockTtlMs?: number;
  /** How long to wait for another instance (its lock, or its handling of the same delivery). */
  waitMs?: number;
}

/**
 * One inbound event, exactly once, one per user at a time: claim the delivery, lock the user and
 * read the session (one round trip); step; save the session, mark the delivery done and unlock
 * (one round trip). Nothing is saved when the step throws, and the claim is released so that
 * WeCom's retry handles the event again.
 */
export class TurnRunner {
  private readonly queue = new KeyedQueue();
  private readonly leaseMs: number;
  private readonly keepMs: number;
  private readonly lockTtlMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly deps: { store: Store; conversation: Conversation<any, any>; clock: Clock; logger: Logger },
    options: TurnOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.keepMs = options.keepMs ?? 24 * 3_600_000;
    this.lockTtlMs = options.lockTtlMs ?? 15_000;
    this.waitMs = options.waitMs ?? 2_000;
  }

  run(inbound: Inbound): Promise<Processed> {
    return this.queue.run(inbound.userId, () => this.turn(inbound));
  }

  private async turn(inbound: Inbound): Promise<Processed> {
    const { store } = this.deps;
    const userId = inbound.userId;
    const id = deliveryId(inbound);
    const begin = () => store.beginTurn({ userId, deliveryId: id, leaseMs: this.leaseMs, lockTtlMs: this.lockTtlMs });
    let start = await begin();
    while (start.claim === 'running') {
      if (await this.otherFinished(userId, id)) return { status: 'duplicate' };
      start = await begin();
    }
    if (start.claim !== 'claimed') return { status: 'duplicate' };

    let lock = start.lock;
    try {
      let stored: StoredSession | null = start.session;
      if (lock === null) {
        lock = await this.waitForLock(userId);
        stored = await store.readSession(userId);
      }
      const decoded = stored === null ? { session: newSession(), restarted: false as const } : decodeSession(stored.data);
      if (decoded.restarted) this.deps.logger.warn({ userId, reason: decoded.reason }, 'session restarted');
      const outcome = await this.stepAndCommit(inbound, decoded.session);
      // A session that could not be read was restarted: say so, rather than seem to forget.
      if (decoded.restarted) outcome.replies = [{ kind: 'text', text: messages.sessionRestarted }, ...outcome.replies];
      const rev = await store.endTurn({
        userId,
        deliveryId: id,
        lock,
        data: encodeSession(outcome.session),
        expectedRev: stored?.rev ?? 0,
        sessionTtlMs: SESSION_TTL_MS,
        keepMs: this.keepMs,
      });
      // On a conflict endTurn has already released the claim and the lock.
      if (rev === null) throw new SessionConflictError(userId);
      return { status: 'handled', replies: outcome.replies, effects: outcome.effects ?? [] };
    } catch (error) {
      if (!(error instanceof SessionConflictError)) await store.abortTurn({ userId, deliveryId: id, lock }).catch(() => undefined);
      throw error;
    }
  }

  /** Loads, steps and commits; a commit that lost a race with another writer is stepped again on fresh data. */
  private async stepAndCommit(inbound: Inbound, session: Session): Promise<Outcome> {
    const { conversation, clock } = this.deps;
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = clock.now();
      const context: unknown = await conversation.load(inbound, session, now);
      const outcome = conversation.step(inbound, session, context, now);
      if (await conversation.commit(outcome, context)) return outcome;
    }
    throw new RecordsBusyError(inbound.userId);
  }

  /**
   * Another holder is handling this delivery: true once it is done; false once it gave the claim
   * up (the caller claims again); DeliveryInProgressError while it is still running.
   */
  private async otherFinished(userId: string, id: string): Promise<boolean> {
    const deadline = Date.now() + this.waitMs;
    while (Date.now() < deadline) {
      await sleep(25);
      const state = await this.deps.store.deliveryState(userId, id);
      if (state !== 'running') return state === 'done';
    }
    throw new DeliveryInProgressError(id);
  }

  private async waitForLock(userId: string): Promise<string> {
    const deadline = Date.now() + this.waitMs * 5;
    for (;;) {
      const token = await this.deps.store.tryLock(userLock(userId), this.lockTtlMs);
      if (token !== null) return token;
      if (Date.now() >= deadline) throw new UserBusyError(userId);
      await sleep(20);
    }
  }
}
