import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import monthlyReport from '../../conversations/monthly-report';
import { DEFAULT_SCHEDULE } from '../../src/calendar/schedule';
import { ManualClock } from '../../src/clock/clock';
import { loadForm } from '../../src/conversation/form';
import { createBot } from '../../src/dispatch/bot';
import { TurnRunner } from '../../src/dispatch/turn-runner';
import { memoryStores } from '../../src/store/stores';
import { loadTargets } from '../../src/targets/targets';
import { SAMPLE } from './sample';
import type { WeComPlatform } from './wecom-platform';

/** A whole report typed one cell at a time by zhangsan of 4101010001 (transcript 01), and the moment it is typed. */
export const FILING_MESSAGES = readFileSync('test/transcripts/01-one-cell-at-a-time.txt', 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('> '))
  .map((l) => l.slice(2));
export const FILING_NOW = '2026-11-05T09:00:00+08:00';
export const FILING_SCHOOLS_CSV = 'code,name,city,level,category,pilot,contacts\n4101010001,河南工业职业技术学院,南阳,高职,A,否,zhangsan\n';

/** The report those messages file when nothing fails: the engine alone, in memory. */
export async function referenceValues(): Promise<Record<string, number>> {
  const stores = memoryStores();
  await stores.roster.replaceSchools([{ code: '4101010001', name: '河南工业职业技术学院', city: '南阳', level: '高职', category: 'A', pilot: false, contacts: ['zhangsan'] }]);
  const logger = pino({ level: 'silent' });
  const clock = new ManualClock(FILING_NOW);
  const bot = createBot({ ...stores, form: loadForm(monthlyReport), cal: { timezone: 'Asia/Shanghai', dueDay: 10 }, targets: loadTargets('config/targets.json'), logger, schedule: DEFAULT_SCHEDULE, nudgeIntervalMs: 4 * 3_600_000 });
  const runner = new TurnRunner({ turns: stores.turns, conversation: bot, clock, logger });
  for (const [i, content] of FILING_MESSAGES.entries()) await runner.run({ kind: 'text', userId: 'zhangsan', corpId: SAMPLE.corpId, agentId: SAMPLE.agentId, createTime: 1, msgId: String(i + 1), content });
  return (await stores.records.read('4101010001', '2026-10')).reports['2026-10']!.values;
}

/** One POST of a signed, encrypted message to an instance: its HTTP status (0 when the connection failed). */
export async function postCallback(platform: WeComPlatform, port: number, xml: string): Promise<{ status: number; body: string }> {
  const { query, body } = platform.envelope(xml);
  try {
    const res = await fetch(`http://127.0.0.1:${port}/wecom/callback?${query}`, { method: 'POST', body, signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}
