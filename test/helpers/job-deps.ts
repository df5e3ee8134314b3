import { pino } from 'pino';
import monthlyReport from '../../conversations/monthly-report';
import type { Clock } from '../../src/clock/clock';
import type { JobRunParts } from '../../src/jobs/job-deps';
import { loadForm } from '../../src/conversation/form';
import { followUpHandlers } from '../../src/dispatch/follow-ups';
import { OutboxWorker } from '../../src/delivery/worker';
import { DEFAULT_SCHEDULE } from '../../src/calendar/schedule';
import { WorkCalendar } from '../../src/calendar/work-calendar';
import type { Stores } from '../../src/store/stores';
import { loadTargets } from '../../src/targets/targets';
import { WeComClient } from '../../src/wecom/api-client';
import { WeComSender } from '../../src/wecom/sender';
import type { WeComApiStub } from './wecom-api-stub';
import { SAMPLE } from './sample';

export const form = loadForm(monthlyReport);
export const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
export const NUDGE_INTERVAL_MS = 4 * 3_600_000;

/**
 * What `jobs run` gets, wired to the WeCom stand-in, with an outbox worker on `clock` (its due
 * times are on the business clock); `sleep` records the client's waits instead of waiting.
 */
export function jobParts(stores: Stores, api: WeComApiStub, clock: Clock, sleep?: (ms: number) => Promise<void>): JobRunParts {
  const logger = pino({ level: 'silent' });
  const client = new WeComClient({ apiBase: api.url, corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), tokens: stores.tokens, markers: stores.markers, logger, ...(sleep ? { sleep } : {}) });
  const work = new WorkCalendar();
  const handlers = followUpHandlers({ ...stores, sender: new WeComSender(client), form, cal, schedule: DEFAULT_SCHEDULE, work, nudgeIntervalMs: NUDGE_INTERVAL_MS, realClock: { now: () => new Date() }, kick: () => undefined });
  const worker = new OutboxWorker({ outbox: stores.outbox, handlers, clock, logger });
  return { ...stores, form, cal, targets: loadTargets('config/targets.json'), schedule: DEFAULT_SCHEDULE, work, nudgeIntervalMs: NUDGE_INTERVAL_MS, links: null, worker };
}
