import { pino } from 'pino';
import monthlyReport from '../../conversations/monthly-report';
import type { Clock } from '../../src/clock';
import { loadForm } from '../../src/conversation/form';
import type { Store } from '../../src/store/store';
import { loadTargets } from '../../src/targets/targets';
import { WeComClient } from '../../src/wecom/api-client';
import { WeComSender } from '../../src/wecom/sender';
import type { WeComApiStub } from './wecom-api-stub';
import { SAMPLE } from './sample';

export const form = loadForm(monthlyReport);
export const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };

/** What `jobs run` gets, wired to the WeCom stand-in; `sleep` records waits instead of waiting. */
export function jobDeps(store: Store, api: WeComApiStub, clock: Clock, sleep?: (ms: number) => Promise<void>) {
  const logger = pino({ level: 'silent' });
  const client = new WeComClient({ apiBase: api.url, corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), store, logger, clock, ...(sleep ? { sleep } : {}) });
  return { store, sender: new WeComSender(client, store, logger), form, cal, targets: loadTargets('config/targets.json') };
}
