import { randomUUID } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import type { Logger } from '../log/logger';
import { registerCallbackRoutes, type CallbackDeps } from './callback-routes';
import { errorHandler } from './error-handler';

export interface AppDeps extends CallbackDeps {
  /** The backing store's health. */
  ping: () => Promise<void>;
  /** Reported by /healthz: "ok" when the store answers; the embedded store says "memory". */
  storeKind: 'redis' | 'memory';
  /** True once the process is shutting down: answers then ask clients to close keep-alive connections. */
  stopping: () => boolean;
}

const HEALTH_TIMEOUT_MS = 1_000;

/** The Koa app: thin HTTP around the callback pipeline, one error middleware on top. */
export function createApp(deps: AppDeps, logger: Logger): Koa {
  const app = new Koa();
  app.proxy = true;
  // Every error is answered and logged by errorHandler; Koa's default printer would log it twice.
  app.silent = true;
  app.use(async (ctx, next) => {
    ctx.state.requestId = randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId as string);
    await next();
    // Checked as the answer goes out (a request that began before the shutdown is answered after it):
    // a keep-alive client would otherwise go on sending here until the shutdown's timeout.
    if (deps.stopping()) ctx.set('Connection', 'close');
  });
  app.use(errorHandler(logger));

  const router = new Router();
  router.get('/healthz', async (ctx) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), HEALTH_TIMEOUT_MS);
    });
    try {
      await Promise.race([deps.ping(), timeout]);
      ctx.body = { status: 'ok', redis: deps.storeKind === 'redis' ? 'ok' : 'memory' };
    } catch {
      ctx.status = 503;
      ctx.body = { status: 'unavailable', redis: 'unreachable' };
    } finally {
      clearTimeout(timer);
    }
  });
  registerCallbackRoutes(router, deps);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
