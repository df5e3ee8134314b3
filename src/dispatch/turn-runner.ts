import { randomBytes } from 'node:crypto';
import { sleep, type Clock } from '../clock/clock';
import type { Logger } from '../log/logger';
import type { EntryInit, WeComMessage } from '../outbox/entry';
import { SESSION_TTL_MS, newSession } from '../session/session';
import { lateEntryId, type TurnRecord, type TurnStore } from '../store/turn-store';
import { fitsPassiveReply } from '../wecom/passive-reply';
import { buttonCardMessage, cardMessage, textMessages } from '../wecom/sender';
import { deliveryId, type Inbound } from '../wecom/inbound';
import { KeyedQueue } from './keyed-queue';
import { messages } from './messages';
import { text, type Reply } from '../conversation/reply';
import type { Conversation, Located, Outcome } from './conversation';

/**
 * What a turn gives the HTTP answer: the replies a passive reply carries (none when they went
 * through the outbox). 'replayed': the delivery had been applied; these are its replies again.
 */
export interface Processed {
  status: 'handled' | 'replayed';
  replies: Reply[];
}

/** Set by the HTTP layer once it has answered WeCom without the replies (the budget ran out). */
export interface TurnTicket {
  late: boolean;
}

/** Other writers kept changing the same records; WeCom's retry will try again. */
export class RecordsBusyError extends Error {
  constructor(readonly userId: string) {
    super(`records of ${userId}'s turn kept changing under us`);
    this.name = 'RecordsBusyError';
  }
}

/** Another turn of the same user held the lock for longer than we wait. */
export class UserBusyError extends Error {
  constructor(readonly userId: string) {
    super(`user ${userId} is busy on another instance`);
    this.name = 'UserBusyError';
  }
}

export interface TurnOptions {
  /** How long the turn record keeps a delivery id taken: longer than any accepted callback's age. */
  keepMs?: number;
  /** How long a user's lock outlives a holder that died: well inside WeCom's retry window. */
  lockTtlMs?: number;
  /** How long to wait for another turn of the same user. */
  waitMs?: number;
  /** A late reply waits this long for a retry to carry it passively; WeCom retries within ~15 s. */
  lateDelayMs?: number;
}

export interface TurnDeps {
  turns: TurnStore;
  conversation: Conversation<any, any>;
  clock: Clock;
  logger: Logger;
  /** Told after a commit that left outbox entries in a home (the outbox worker delivers at once). */
  onEntries?: (home: string) => void;
}

/** The turn's id as entries and logs name it. */
export const turnId = (inbound: Inbound): string => `turn:${inbound.userId}:${deliveryId(inbound)}`;

/**
 * One inbound event, exactly once, one per user at a time: find the user; begin (the turn
 * record, the lock, the session and the school's records, one round trip); step; commit
 * everything in one step keyed by the delivery id. A retry after a failure at any point finds the
 * turn applied once (and gets its replies again) or not at all.
 */
export class TurnRunner {
  private readonly queue = new KeyedQueue();
  private readonly keepMs: number;
  private readonly lockTtlMs: number;
  private readonly waitMs: number;
  private readonly lateDelayMs: number;
  private readonly instance = randomBytes(4).toString('hex');
  private sequence = 0;

  constructor(
    private readonly deps: TurnDeps,
    options: TurnOptions = {},
  ) {
    this.keepMs = options.keepMs ?? 24 * 3_600_000;
    this.lockTtlMs = options.lockTtlMs ?? 5_000;
    this.waitMs = options.waitMs ?? 2_000;
    this.lateDelayMs = options.lateDelayMs ?? 20_000;
  }

  /** How long delivery ids stay taken (the HTTP layer refuses callbacks older than this). */
  get deliveryKeepMs(): number {
    return this.keepMs;
  }

  run(inbound: Inbound, ticket: TurnTicket = { late: false }): Promise<Processed> {
    return this.queue.run(inbound.userId, () => this.turn(inbound, ticket));
  }

  private async turn(inbound: Inbound, ticket: TurnTicket): Promise<Processed> {
    const { turns, conversation, clock } = this.deps;
    const userId = inbound.userId;
    const id = deliveryId(inbound);
    const located: Located = await conversation.locate(inbound, clock.now());
    const lock = `${this.instance}:${++this.sequence}`;
    const begin = () => turns.begin({ home: located.home, userId, deliveryId: id, lock, lockTtlMs: this.lockTtlMs, ...(located.read ? { school: { code: located.read.school, period: located.read.period } } : {}) });
    let start = await this.waitForLock(begin, userId);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        if (start.kind === 'applied') return await this.replay(located.home, inbound, start.record);
        if (start.kind === 'locked') throw new UserBusyError(userId);
        const decoded = start.session ?? { session: newSession(), restarted: null };
        if (decoded.restarted) this.deps.logger.warn({ userId, reason: decoded.restarted }, 'session restarted');
        const now = clock.now();
        const context: unknown = await conversation.load(inbound, decoded.session, located, start.school, now);
        const outcome = conversation.step(inbound, decoded.session, context, now);
        // A session that could not be read was restarted: say so, rather than seem to forget.
        if (decoded.restarted) outcome.replies = [text(messages.sessionRestarted), ...outcome.replies];
        const plan = this.plan(inbound, outcome, ticket, now);
        let result;
        try {
          result = await turns.commit({ home: located.home, userId, deliveryId: id, lock, keepMs: this.keepMs, record: plan.record, session: { session: outcome.session, expectedRev: start.session?.rev ?? 0, ttlMs: SESSION_TTL_MS }, ...(outcome.school ? { school: outcome.school } : {}), outbox: plan.entries, now: now.getTime() });
        } catch (error) {
          // The commit may have reached Redis all the same (a timeout): make sure its replies reach the user.
          this.reconcileLater(located.home, inbound, lock, plan.passive);
          throw error;
        }
        if (result.kind === 'applied') {
          // Another attempt of the same delivery committed first (on another instance): ours is its replay.
          await turns.release(located.home, userId, lock);
          return await this.replay(located.home, inbound, result.record);
        }
        if (result.kind === 'ok') {
          if (plan.entries.length > 0) this.deps.onEntries?.(located.home);
          // The HTTP answer went out while the commit was on its way: the replies follow through the API.
          if (ticket.late && plan.record.late === null && plan.passive.length > 0) {
            await this.sendLate(located.home, inbound, plan.passive, this.lateDelayMs).catch(() => this.reconcileLater(located.home, inbound, lock, plan.passive));
          }
          return { status: 'handled', replies: plan.record.late === null ? plan.passive.map(text) : [] };
        }
        start = await this.waitForLock(begin, userId);
      }
      throw new RecordsBusyError(userId);
    } catch (error) {
      await turns.release(located.home, userId, lock).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Where the replies go: a passive reply when they are texts that fit one; otherwise an outbox
   * entry committed with the turn. A turn whose HTTP answer has gone already keeps its passive
   * replies in a late entry, sent unless a retry carries them first.
   */
  private plan(inbound: Inbound, outcome: Outcome, ticket: TurnTicket, now: Date): { record: Pick<TurnRecord, 'replies' | 'late'>; entries: EntryInit[]; passive: string[] } {
    const id = turnId(inbound);
    const entries = [...(outcome.outbox ?? [])];
    const replies = outcome.replies;
    // Texts first, cards after (as the bot says them): the texts can be the passive reply and the
    // cards follow through the API. Anything else goes through the API as one entry, in order.
    const firstCard = replies.findIndex((r) => r.kind !== 'text');
    const texts = (firstCard < 0 ? replies : replies.slice(0, firstCard)).map((r) => (r.kind === 'text' ? r.text : ''));
    const cards = firstCard < 0 ? [] : replies.slice(firstCard);
    const joined = texts.join('\n');
    if (cards.some((r) => r.kind === 'text') || (texts.length > 0 && !fitsPassiveReply(joined))) {
      entries.unshift({ id: `${id}:reply`, payload: { kind: 'message', to: [inbound.userId], messages: replies.flatMap(replyMessages) }, due: now.getTime() });
      return { record: { replies: [], late: null }, entries, passive: [] };
    }
    const passive = texts.length > 0 ? [joined] : [];
    // A late turn's texts wait for a retry to carry them (below); its cards wait as long, to follow them.
    const cardsDue = now.getTime() + (ticket.late && passive.length > 0 ? this.lateDelayMs : 0);
    if (cards.length > 0) entries.push({ id: `${id}:cards`, payload: { kind: 'message', to: [inbound.userId], messages: cards.flatMap(replyMessages) }, due: cardsDue });
    if (ticket.late && passive.length > 0) {
      const late = { id: lateEntryId(inbound.userId, deliveryId(inbound)), payload: { kind: 'message' as const, to: [inbound.userId], messages: textMessages(joined) }, due: now.getTime() + this.lateDelayMs };
      return { record: { replies: passive, late: late.id }, entries: [late, ...entries], passive };
    }
    return { record: { replies: passive, late: null }, entries, passive };
  }

  /** The applied turn's replies again; a late entry still waiting is withdrawn (this answer carries them). */
  private async replay(home: string, inbound: Inbound, record: TurnRecord): Promise<Processed> {
    const { turns, clock } = this.deps;
    if (record.replies.length === 0) return { status: 'replayed', replies: [] };
    const outcome = await turns.markReplayed(home, inbound.userId, deliveryId(inbound), clock.now().getTime());
    return { status: 'replayed', replies: outcome === 'late-sent' ? [] : record.replies.map(text) };
  }

  /** The replies of a turn whose HTTP answer went out without them, due `dueInMs` from now unless a retry answers first. */
  private async sendLate(home: string, inbound: Inbound, passive: string[], dueInMs: number): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const entry = { id: lateEntryId(inbound.userId, deliveryId(inbound)), payload: { kind: 'message' as const, to: [inbound.userId], messages: textMessages(passive.join('\n')) }, due: now + dueInMs };
    if ((await this.deps.turns.lateReply(home, inbound.userId, deliveryId(inbound), entry, now)) === 'queued') this.deps.onEntries?.(home);
  }

  /**
   * After a commit whose outcome is unknown: once WeCom's retries are over, if the turn did commit
   * and no retry was answered with its replies, they are sent through the outbox.
   */
  private reconcileLater(home: string, inbound: Inbound, attempt: string, passive: string[]): void {
    if (passive.length === 0) return;
    const timer = setTimeout(() => {
      void (async () => {
        const record = await this.deps.turns.record(home, inbound.userId, deliveryId(inbound));
        // Committed by a retry instead (which answered), or answered by a retry's replay: nothing to send.
        if (record === null || record.attempt !== attempt || record.replayed || record.late !== null) return;
        await this.sendLate(home, inbound, passive, 0);
        this.deps.logger.info({ userId: inbound.userId }, 'replies of a turn committed under an unknown outcome sent through the outbox');
      })().catch((error: unknown) => this.deps.logger.warn({ userId: inbound.userId, err: error instanceof Error ? error.message : String(error) }, 'could not reconcile a turn'));
    }, this.lateDelayMs);
    timer.unref();
  }

  private async waitForLock<T extends { kind: string }>(begin: () => Promise<T>, userId: string): Promise<T> {
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const start = await begin();
      if (start.kind !== 'locked' || Date.now() >= deadline) {
        if (start.kind === 'locked') throw new UserBusyError(userId);
        return start;
      }
      await sleep(20);
    }
  }
}

/** A reply as the messages an outbox entry sends. */
function replyMessages(reply: Reply): WeComMessage[] {
  if (reply.kind === 'text') return textMessages(reply.text);
  return [reply.kind === 'buttons' ? buttonCardMessage(reply.card, reply.taskId) : cardMessage(reply)];
}
