import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Clock } from '../clock/clock';
import type { Logger } from '../log/logger';
import type { Processed, TurnRunner, TurnTicket } from '../dispatch/turn-runner';
import type { InFlight } from './in-flight';
import type { CallbackCrypto } from '../wecom/callback-crypto';
import { parseInbound, type Inbound } from '../wecom/inbound';
import { sealPassiveText } from '../wecom/passive-reply';
import { parseWecomXml } from '../wecom/xml';
import { HttpError } from './http-error';
import { readRawBody } from './raw-body';

export interface CallbackDeps {
  crypto: CallbackCrypto;
  corpId: string;
  turns: TurnRunner;
  /** Turns still finishing after their HTTP answer: a shutdown waits for them. */
  inFlight: InFlight;
  /** Real time: callback timestamps, passive replies. */
  clock: Clock;
  logger: Logger;
  /** WeCom waits 5 s; a turn not committed by then is answered 503, and WeCom retries. */
  replyBudgetMs: number;
}

/**
 * Reads the query string without turning `+` into a space (Koa's ctx.query does), and puts back any
 * space a proxy made of a `+`: base64 never contains spaces.
 */
function callbackParams(ctx: Context, names: readonly string[]): Record<string, string> {
  const raw = new Map<string, string>();
  for (const pair of ctx.querystring.split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    try {
      raw.set(pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1)));
    } catch {
      throw new HttpError(400, 'malformed query');
    }
  }
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = raw.get(name);
    if (value === undefined || value === '') throw new HttpError(400, `missing ${name}`);
    out[name] = value.replace(/ /g, '+');
  }
  return out;
}

export function registerCallbackRoutes(router: Router, deps: CallbackDeps): void {
  // URL verification (验证URL有效性): answer the bare decrypted echostr, nothing else.
  router.get('/wecom/callback', (ctx) => {
    const q = callbackParams(ctx, ['msg_signature', 'timestamp', 'nonce', 'echostr']);
    deps.crypto.verify(q.msg_signature!, q.timestamp!, q.nonce!, q.echostr!);
    const plain = deps.crypto.decrypt(q.echostr!);
    deps.logger.info({ reqId: ctx.state.requestId }, 'callback URL verified');
    ctx.type = 'text/plain';
    ctx.body = plain;
  });

  router.post('/wecom/callback', async (ctx) => {
    const q = callbackParams(ctx, ['msg_signature', 'timestamp', 'nonce']);
    const envelope = parseWecomXml(await readRawBody(ctx.req));
    const encrypted = envelope.Encrypt?.replace(/ /g, '+');
    if (!encrypted) throw new HttpError(400, 'missing Encrypt');
    deps.crypto.verify(q.msg_signature!, q.timestamp!, q.nonce!, encrypted);
    checkFreshness(q.timestamp!, deps);
    const parsed = parseInbound(parseWecomXml(deps.crypto.decrypt(encrypted)));
    const ids = { reqId: ctx.state.requestId as string, userId: parsed.handled ? parsed.inbound.userId : parsed.userId };
    ctx.status = 200;
    ctx.body = '';
    if (!parsed.handled) {
      deps.logger.info({ ...ids, msgType: parsed.msgType, event: parsed.event }, 'callback acknowledged, not handled');
      return;
    }
    const inbound = parsed.inbound;
    deps.logger.info({ ...ids, ...describe(inbound) }, 'callback received');
    await answer(ctx, inbound, deps, ids);
  });
}

function describe(inbound: Inbound): Record<string, unknown> {
  return inbound.kind === 'text' ? { msgId: inbound.msgId, msgType: 'text' } : { msgType: 'event', event: inbound.event, eventKey: inbound.eventKey };
}

/**
 * A signed callback is replayable; the turn record that makes a retry harmless lives as long as
 * the turns keep delivery ids. A callback whose timestamp is further from now than that is refused,
 * so a captured request cannot be run again once its record has gone.
 */
function checkFreshness(timestamp: string, deps: CallbackDeps): void {
  const sent = Number(timestamp) * 1000;
  const maxAgeMs = Math.min(MAX_SKEW_MS, deps.turns.deliveryKeepMs - 60_000);
  if (!Number.isFinite(sent) || Math.abs(deps.clock.now().getTime() - sent) > maxAgeMs) {
    deps.logger.warn({ timestamp }, 'callback timestamp outside the accepted window: refused (a replayed request?)');
    throw new HttpError(403, 'stale timestamp');
  }
}

/** WeCom's clock and ours agree to well within this; a legitimate retry is seconds old. */
const MAX_SKEW_MS = 3_600_000;

type LogIds = { reqId: string; userId: string | undefined };

/**
 * Handles the message within the budget and answers passively (or empty, the replies being in the
 * outbox). A 200 is only given once the turn has committed: past the budget the answer is 503, so
 * that WeCom retries; the turn goes on, and a late commit keeps its replies for that retry, or
 * sends them through the outbox once the retries are over.
 */
async function answer(ctx: Context, inbound: Inbound, deps: CallbackDeps, ids: LogIds): Promise<void> {
  const ticket: TurnTicket = { late: false };
  const work = deps.turns.run(inbound, ticket);
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deps.replyBudgetMs);
  });
  const first = await Promise.race([work, budget]).finally(() => clearTimeout(timer));
  if (first === 'late') {
    ticket.late = true;
    deps.logger.warn({ ...ids, budgetMs: deps.replyBudgetMs }, 'reply budget passed before the turn committed: 503, WeCom retries');
    deps.inFlight.track(work.catch((error: unknown) => deps.logger.warn({ ...ids, err: error instanceof Error ? error.message : String(error) }, 'late turn failed; WeCom retries it')));
    throw new HttpError(503, 'busy, retry');
  }
  respondWith(ctx, first, inbound, deps, ids);
}

function respondWith(ctx: Context, processed: Processed, inbound: Inbound, deps: CallbackDeps, ids: LogIds): void {
  if (processed.status === 'replayed') deps.logger.info(ids, 'retried delivery answered with its replies');
  const replies = processed.replies;
  if (replies.length === 0) return;
  const joined = replies.map((r) => (r.kind === 'text' ? r.text : '')).join('\n');
  ctx.type = 'application/xml';
  ctx.body = sealPassiveText(deps.crypto, { toUser: inbound.userId, corpId: deps.corpId, content: joined, now: deps.clock.now() });
}
