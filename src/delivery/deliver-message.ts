import type { Clock } from '../clock/clock';
import { stableHash } from '../store/partition';
import type { SendBudget, SendLimits } from '../store/send-budget';
import { classifyFailure } from '../wecom/api-error';
import type { WeComSender } from '../wecom/sender';
import type { DeliveryResult, Leased } from '../outbox/entry';
import type { Handled, HandlerContext } from './worker';

/**
 * WeCom's duplicate check drops a request identical to one it had within the interval (at most
 * 4 h). The interval differs per entry (derived from its id, 1–4 h): every attempt of one entry is
 * the same request, while two entries with the same text — 查看 twice — are not.
 */
export function dedupeSeconds(entryId: string): number {
  return 3_600 + (stableHash(entryId) % 10_800);
}

/**
 * Sends a message entry's messages in order, from where an earlier attempt got to, to at most
 * 1000 recipients each. Each member's budget (30 a minute, 1000 an hour, counted across instances)
 * is checked first: a recipient at the limit puts the whole entry off until there is room, as
 * WeCom would silently drop the excess.
 */
export function messageHandler(deps: { sender: WeComSender; budget: SendBudget; limits: SendLimits; realClock: Clock }) {
  return async (entry: Leased, ctx: HandlerContext): Promise<Handled> => {
    if (entry.payload.kind !== 'message') throw new Error(`not a message entry: ${entry.id}`);
    const { to, messages } = entry.payload;
    let progress = entry.progress;
    let result: DeliveryResult = structuredClone(entry.result);
    while (progress < messages.length) {
      const real = deps.realClock.now().getTime();
      const tag = `${entry.id}:${entry.token}:${progress}`;
      const waits = await deps.budget.reserve(to, real, deps.limits, { tag });
      const wait = Math.max(0, ...waits);
      if (wait > 0) {
        // All or none: the ones reserved are given back, so that a member at the limit costs the others nothing.
        await deps.budget.release(to.filter((_, i) => waits[i] === 0), real, tag);
        return { kind: 'later', due: ctx.now + wait, progress, result };
      }
      try {
        const answer = await deps.sender.post(to, messages[progress]!, dedupeSeconds(entry.id));
        result = {
          msgIds: [...result.msgIds, ...(answer.msgId ? [answer.msgId] : [])],
          invalid: [...new Set([...result.invalid, ...answer.invalid])],
          unlicensed: [...new Set([...result.unlicensed, ...answer.unlicensed])],
        };
      } catch (error) {
        return { kind: 'failed', failure: classifyFailure(error), progress, result };
      }
      progress++;
      const missed = new Set([...result.invalid, ...result.unlicensed]);
      // Nobody can be reached: the rest would fare no better.
      if (to.every((u) => missed.has(u))) return { kind: 'finish', state: 'invalid', result };
      // The lease was lost (this instance stalled past it): the entry's next holder goes on.
      if (progress < messages.length && !(await ctx.progress({ progress, result }))) return { kind: 'failed', failure: { kind: 'transient', reason: 'lease lost' }, progress, result };
    }
    return { kind: 'finish', state: 'sent', result };
  };
}
