import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { clockStartingAt, systemClock, type Clock } from './clock/clock';
import type { Config } from './config/config';
import type { Logger } from './log/logger';
import type { Stores } from './store/stores';
import { TurnRunner, type TurnOptions } from './dispatch/turn-runner';
import type { Conversation } from './dispatch/conversation';
import { createBot } from './dispatch/bot';
import { followUpHandlers } from './dispatch/follow-ups';
import { loadForm } from './conversation/form';
import { loadTargets } from './targets/targets';
import { Scheduler } from './jobs/scheduler';
import { loadSchedule } from './calendar/schedule';
import { WorkCalendar } from './calendar/work-calendar';
import monthlyReport from '../conversations/monthly-report';
import { InFlight } from './http/in-flight';
import { CallbackCrypto } from './wecom/callback-crypto';
import { WeComClient } from './wecom/api-client';
import { WeComApiError } from './wecom/api-error';
import { WeComSender } from './wecom/sender';
import { createApp } from './http/app';
import { DashboardLinks } from './dashboard/dashboard-link';
import { dashboardRoutes } from './dashboard/dashboard-routes';
import { OutboxWorker, type WorkerOptions } from './delivery/worker';
import type { JobRunParts } from './jobs/job-deps';
import { DirectorySchedule } from './jobs/directory-schedule';
import { endWorkbookThread } from './export/xlsx-thread';

export interface AssembleOptions {
  stores: Stores;
  logger: Logger;
  /** The business clock (periods, deadlines, due times); defaults to FAKE_NOW (from this process's start) or the system clock. main.ts gives the deployment's shared one. */
  clock?: Clock;
  /** Real time, for callback timestamps (FAKE_NOW does not move WeCom's clock). */
  callbackClock?: Clock;
  replyBudgetMs?: number;
  /** What the bot says (defaults to the product's conversation); tests substitute their own. */
  conversation?: Conversation<any, any>;
  /** For tests: how the WeCom client waits (token fetch retries). */
  wecomSleep?: (ms: number) => Promise<void>;
  /** Where links in messages point; defaults to PUBLIC_BASE_URL (the demo knows its address only once listening). */
  publicBaseUrl?: () => string | undefined;
  /** The outbox worker's pace (tests shorten the poll). */
  worker?: WorkerOptions;
  /** The turn runner's timings (tests shorten the wait for WeCom's retries). */
  turns?: TurnOptions;
}

export interface Assembled {
  app: Koa;
  scheduler: Scheduler;
  /** Reads WeCom's names of people the roster lists without one (daily). */
  directory: DirectorySchedule;
  worker: OutboxWorker;
  client: WeComClient;
  turns: TurnRunner;
  inFlight: InFlight;
  clock: Clock;
  links: DashboardLinks;
  /** What `runJob` needs besides the instant (the demo's clock control runs jobs with it). */
  jobs: JobRunParts;
  /** From now on answers ask keep-alive clients to close (a shutdown has begun). */
  beginStopping(): void;
}

/** Builds every part from config and the storage ports; opens no connection and listens on nothing. */
export function assemble(config: Config, options: AssembleOptions): Assembled {
  const { stores, logger } = options;
  const { outbox } = stores;
  const clock = options.clock ?? (config.fakeNow ? clockStartingAt(config.fakeNow) : systemClock);
  const client = new WeComClient({
    apiBase: config.wecom.apiBase,
    corpId: config.wecom.corpId,
    secret: config.wecom.secret,
    agentId: config.wecom.agentId,
    tokens: stores.tokens,
    markers: stores.markers,
    logger,
    ...(options.wecomSleep ? { sleep: options.wecomSleep } : {}),
  });
  const sender = new WeComSender(client);
  // The form is checked here, at boot: a misspelled rule or value kind stops start-up with its place.
  const form = loadForm(monthlyReport);
  const cal = { timezone: config.timezone, dueDay: config.dueDay };
  const targets = loadTargets(config.targetsFile);
  const schedule = loadSchedule(config.scheduleFile);
  const work = new WorkCalendar((year) => logger.warn({ year }, 'holiday calendar has no data for this year; counting weekdays as working days'));
  const nudgeIntervalMs = config.nudgeIntervalHours * 3_600_000;
  const first = config.firstPeriod ? { firstPeriod: config.firstPeriod } : {};
  const links = DashboardLinks.fromConfig(config, options.publicBaseUrl);
  // The worker is built before what kicks it; kicks only reach it once it exists.
  let worker: OutboxWorker | null = null;
  const kick = (owner: string) => worker?.kick(owner);
  worker = new OutboxWorker(
    { outbox, clock, logger, handlers: followUpHandlers({ ...stores, sender, form, cal, targets, schedule, work, nudgeIntervalMs, ...first, realClock: systemClock, kick, workbench: config.workbench }) },
    { leaseMs: config.outboxLeaseSeconds * 1000, ...options.worker },
  );
  const conversation = options.conversation ?? createBot({ ...stores, ...first, form, cal, targets, logger, links, schedule, nudgeIntervalMs, reviewRequired: config.reviewRequired, workbench: config.workbench });
  const turns = new TurnRunner({ turns: stores.turns, conversation, clock, logger, onEntries: kick }, options.turns);
  const inFlight = new InFlight();
  const crypto = new CallbackCrypto({ token: config.wecom.token, encodingAesKey: config.wecom.encodingAesKey, receiveId: config.wecom.corpId });
  let stopping = false;
  const app = createApp(
    {
      ping: () => stores.ping(),
      storeKind: stores.kind,
      crypto,
      corpId: config.wecom.corpId,
      turns,
      inFlight,
      // Callback timestamps are real time even when the business clock is shifted by FAKE_NOW.
      clock: options.callbackClock ?? systemClock,
      logger,
      replyBudgetMs: options.replyBudgetMs ?? 3_000,
      stopping: () => stopping,
    },
    logger,
  );
  const signIn = {
    oauthBase: config.wecom.oauthBase,
    corpId: config.wecom.corpId,
    agentId: config.wecom.agentId,
    exchange: async (code: string) => {
      try {
        return { userId: await client.userIdFromCode(code) };
      } catch (error) {
        if (error instanceof WeComApiError && error.isConfiguration) return { misconfigured: error.message, errcode: error.errcode };
        throw error;
      }
    },
  };
  app.use(dashboardRoutes({ ...stores, ...first, targets, form, cal, clock, links, schedule, nudgeIntervalMs, kick, logger, signIn }));
  const jobParts = { ...stores, form, cal, targets, schedule, work, nudgeIntervalMs, links, ...first, workbench: config.workbench };
  const scheduler = new Scheduler({ ...jobParts, clock, logger, onEntries: () => worker?.kickAll() });
  const directory = new DirectorySchedule({ roster: stores.roster, markers: stores.markers, client, logger, timezone: config.timezone, now: () => systemClock.now().getTime() });
  return {
    app,
    directory,
    client,
    worker,
    turns,
    inFlight,
    clock,
    scheduler,
    links,
    // The demo's clock control runs jobs at the demo's own now: this instance's worker delivers them.
    jobs: { ...jobParts, worker },
    beginStopping: () => {
      stopping = true;
    },
  };
}

/** Listens on host:port (0 = any free port) and resolves with the server and its port. */
export function listen(app: Koa, port: number, host: string): Promise<{ server: Server; port: number }> {
  const server = createServer(app.callback());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve({ server, port: (server.address() as AddressInfo).port }));
  });
}

/**
 * The orderly stop: no new connections, and keep-alive clients told to close; the scheduler's
 * running tick and the outbox's deliveries in hand finish (bounded); open requests and turns
 * finishing after their answer too. The caller closes the store afterwards.
 */
export async function stopGracefully(server: Server, parts: Pick<Assembled, 'scheduler' | 'directory' | 'worker' | 'inFlight' | 'beginStopping'>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  parts.beginStopping();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // Connections that were busy close once their answer (with Connection: close) is out.
  const idle = setInterval(() => server.closeIdleConnections(), 100);
  const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await Promise.all([parts.scheduler.stop(timeoutMs), parts.worker.stop(timeoutMs), parts.directory.stop(), closed]);
  // A workbook still being made past the deliveries' bound is left to the outbox's next holder.
  await endWorkbookThread();
  clearInterval(idle);
  clearTimeout(force);
  await parts.inFlight.drain(Math.max(0, deadline - Date.now()));
}
