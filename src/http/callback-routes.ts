import type Router from '@koa/router';
import type { Context } from 'koa';
import type { Clock } from '../clock';
import type { Logger } from '../log/logger';
import type { Processed, TurnRunner } from '../dispatch/turn-runner';
import type { ReplySender } from '../dispatch/reply-sender';
import type { EffectRunner } from '../dispatch/effects';
import type { InFlight } from '../in-flight';
import type { CallbackCrypto } from '../wecom/callback-crypto';
import { parseInbound, type Inbound } from '../wecom/inbound';
import { fitsPassiveReply, sealPassiveText } from '../wecom/passive-reply';
import { parseWecomXml } from '../wecom/xml';
import { HttpError } from './http-error';
import { readRawBody } from './raw-body';

export interface CallbackDeps {
  crypto: CallbackCrypto;
  corpId: string;
  turns: TurnRunner;
  replies: ReplySender;
  effects: EffectRunner;
  inFlight: InFlight;
  clock: Clock;
  logger: Logger;
  /** WeCom waits 5 s; past this budget the route answers empty and replies through the API. */
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

type LogIds = { reqId: string; userId: string | undefined };

/** Handles the message within the budget and answers passively, or hands the reply to the API. */
async function answer(ctx: Context, inbound: Inbound, deps: CallbackDeps, ids: LogIds): Promise<void> {
  const log = deps.logger;
  const work = deps.turns.run(inbound);
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deps.replyBudgetMs);
  });
  const first = await Promise.race([work, budget]).finally(() => clearTimeout(timer));

  if (first === 'late') {
    log.warn({ ...ids, budgetMs: deps.replyBudgetMs }, 'reply budget passed, answering empty and replying through the API');
    deps.inFlight.track(
      work
        .then(async (processed) => {
          if (processed.status !== 'handled') return;
          await deps.replies.send(inbound.userId, processed.replies);
          await deps.effects.run(inbound.userId, processed.effects);
        })
        .catch((error: unknown) => log.error({ ...ids, err: error instanceof Error ? error.message : String(error) }, 'late handling failed')),
    );
    return;
  }
  respondWith(ctx, first, inbound, deps, ids);
}

function respondWith(ctx: Context, processed: Processed, inbound: Inbound, deps: CallbackDeps, ids: LogIds): void {
  if (processed.status === 'duplicate') {
    deps.logger.info(ids, 'duplicate delivery acknowledged');
    return;
  }
  if (processed.effects.length > 0) {
    deps.inFlight.track(
      deps.effects.run(inbound.userId, processed.effects).catch((error: unknown) => deps.logger.error({ ...ids, err: error instanceof Error ? error.message : String(error) }, 'effects failed')),
    );
  }
  const replies = processed.replies;
  if (replies.length === 0) return;
  // Several texts that fit together go as one passive reply: no send quota, and in order.
  const joined = replies.every((r) => r.kind === 'text') ? replies.map((r) => (r.kind === 'text' ? r.text : '')).join('\n') : null;
  if (joined !== null && fitsPassiveReply(joined)) {
    ctx.type = 'application/xml';
    ctx.body = sealPassiveText(deps.crypto, { toUser: inbound.userId, corpId: deps.corpId, content: joined, now: deps.clock.now() });
    return;
  }
  // Several messages, a card or a long text: send them all through the API so they arrive in order.
  deps.inFlight.track(
    deps.replies
      .send(inbound.userId, processed.replies)
      .catch((error: unknown) => deps.logger.error({ ...ids, err: error instanceof Error ? error.message : String(error) }, 'active reply failed')),
  );
}
