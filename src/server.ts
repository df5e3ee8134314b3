import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { clockStartingAt, systemClock, type Clock } from './clock';
import type { Config } from './config/config';
import type { Logger } from './log/logger';
import type { Store } from './store/store';
import { TurnRunner } from './dispatch/turn-runner';
import type { Conversation } from './dispatch/conversation';
import { createBot } from './dispatch/bot';
import { loadForm } from './conversation/form';
import { loadTargets, type Targets } from './targets/targets';
import { Scheduler } from './schedule/scheduler';
import { loadSchedule, type Schedule } from './schedule/schedule';
import monthlyReport from '../conversations/monthly-report';
import { ReplySender } from './dispatch/reply-sender';
import { EffectRunner } from './dispatch/effects';
import { InFlight } from './in-flight';
import { CallbackCrypto } from './wecom/callback-crypto';
import { WeComClient } from './wecom/api-client';
import { WeComSender } from './wecom/sender';
import { createApp } from './http/app';
import { DashboardLinks } from './dashboard/dashboard-link';
import { dashboardRoutes } from './dashboard/dashboard-routes';
import type { Form } from './conversation/form';
import type { PeriodCalendar } from './report/period';

export interface AssembleOptions {
  store: Store;
  storeKind: 'redis' | 'memory';
  logger: Logger;
  /** The business clock (periods, deadlines); defaults to FAKE_NOW or the system clock. */
  clock?: Clock;
  replyBudgetMs?: number;
  /** What the bot says (defaults to the product's conversation); tests substitute their own. */
  conversation?: Conversation<any, any>;
  /** For tests: how the WeCom client waits (45009 pauses, throttling). */
  wecomSleep?: (ms: number) => Promise<void>;
  /** Where links in messages point; defaults to PUBLIC_BASE_URL (the demo knows its address only once listening). */
  publicBaseUrl?: () => string | undefined;
}

export interface Assembled {
  app: Koa;
  scheduler: Scheduler;
  client: WeComClient;
  sender: WeComSender;
  inFlight: InFlight;
  clock: Clock;
  links: DashboardLinks;
  /** What `runJob` needs besides the instant (the demo's clock control runs jobs with it). */
  jobs: JobParts;
}

export interface JobParts {
  store: Store;
  sender: WeComSender;
  form: Form;
  cal: PeriodCalendar;
  targets: Targets;
  schedule: Schedule;
  links: DashboardLinks;
}

/** Builds every part from config and a store; opens no connection and listens on nothing. */
export function assemble(config: Config, options: AssembleOptions): Assembled {
  const { store, logger } = options;
  const clock = options.clock ?? (config.fakeNow ? clockStartingAt(config.fakeNow) : systemClock);
  const client = new WeComClient({
    apiBase: config.wecom.apiBase,
    corpId: config.wecom.corpId,
    secret: config.wecom.secret,
    agentId: config.wecom.agentId,
    store,
    logger,
    ...(options.wecomSleep ? { sleep: options.wecomSleep } : {}),
  });
  const sender = new WeComSender(client, store, logger);
  // The form is checked here, at boot: a misspelled rule or value kind stops start-up with its place.
  const form = loadForm(monthlyReport);
  const cal = { timezone: config.timezone, dueDay: config.dueDay };
  const targets = loadTargets(config.targetsFile);
  const links = DashboardLinks.fromConfig(config, options.publicBaseUrl);
  const conversation = options.conversation ?? createBot({ store, form, cal, targets, logger, links });
  const turns = new TurnRunner({ store, conversation, clock, logger });
  const inFlight = new InFlight();
  const effects = new EffectRunner({ store, sender, clock, logger, form, cal });
  const crypto = new CallbackCrypto({ token: config.wecom.token, encodingAesKey: config.wecom.encodingAesKey, receiveId: config.wecom.corpId });
  const app = createApp(
    {
      store,
      storeKind: options.storeKind,
      crypto,
      corpId: config.wecom.corpId,
      turns,
      replies: new ReplySender(sender, logger),
      effects,
      inFlight,
      // Callback timestamps are real time even when the business clock is shifted by FAKE_NOW.
      clock: systemClock,
      logger,
      replyBudgetMs: options.replyBudgetMs ?? 3_000,
    },
    logger,
  );
  app.use(dashboardRoutes({ store, targets, cal, clock, links, effects, inFlight, logger }));
  const schedule = loadSchedule(config.scheduleFile);
  const scheduler = new Scheduler({ store, targets, sender, form, cal, clock, logger, schedule, links });
  return { app, client, sender, inFlight, clock, scheduler, links, jobs: { store, sender, form, cal, targets, schedule, links } };
}

/** Listens on host:port (0 = any free port) and resolves with the server and its port. */
export function listen(app: Koa, port: number, host: string): Promise<{ server: Server; port: number }> {
  const server = createServer(app.callback());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

/** Stops accepting, lets open requests and background replies finish, within timeoutMs. */
export async function closeGracefully(server: Server, inFlight: InFlight, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(timer);
  await inFlight.drain(timeoutMs);
}
