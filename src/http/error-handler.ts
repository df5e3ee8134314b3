import type { Context, Next } from 'koa';
import { CallbackCryptoError } from '../wecom/callback-crypto';
import { XmlError } from '../wecom/xml';
import { InboundError } from '../wecom/inbound';
import { RecordsBusyError, UserBusyError } from '../dispatch/turn-runner';
import type { Logger } from '../log/logger';
import { HttpError } from './http-error';

/** Maps an error to the answer WeCom (or a probe) gets. Bad input is 4xx; only our own trouble is 5xx. */
function classify(error: unknown): { status: number; body: string; level: 'warn' | 'error'; detail: Record<string, unknown> } {
  if (error instanceof HttpError) return { status: error.status, body: error.publicMessage, level: 'warn', detail: {} };
  if (error instanceof CallbackCryptoError) {
    const status = error.failure === 'signature' ? 401 : 400;
    return { status, body: status === 401 ? 'invalid signature' : 'undecryptable message', level: 'warn', detail: { wecomCode: error.wecomCode, check: error.message } };
  }
  if (error instanceof XmlError) return { status: 400, body: 'malformed xml', level: 'warn', detail: { reason: error.reason } };
  if (error instanceof InboundError) return { status: 400, body: 'malformed message', level: 'warn', detail: { field: error.field } };
  // Busy or conflicting: WeCom retries a non-200, and the retry will find the way clear.
  if (error instanceof UserBusyError || error instanceof RecordsBusyError) {
    return { status: 503, body: 'busy, retry', level: 'warn', detail: { reason: error.name } };
  }
  return { status: 503, body: 'temporarily unavailable', level: 'error', detail: { err: error instanceof Error ? error.message : String(error) } };
}

/** The one error middleware: every failure becomes a status and a log line that says what to check. */
export function errorHandler(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (error) {
      const { status, body, level, detail } = classify(error);
      ctx.status = status;
      ctx.type = 'text/plain';
      ctx.body = body;
      logger[level]({ reqId: ctx.state.requestId, path: ctx.path, status, ...detail }, 'request failed');
    }
  };
}
