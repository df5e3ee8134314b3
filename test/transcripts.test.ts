import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { periodIndex } from '../src/queries/period-queries';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import monthlyReport from '../conversations/monthly-report';
import { ManualClock } from '../src/clock/clock';
import { loadForm } from '../src/conversation/form';
import { loadTargets } from '../src/targets/targets';
import { createBot } from '../src/dispatch/bot';
import { TurnRunner } from '../src/dispatch/turn-runner';
import { report as makeReport } from './fixtures/records';
import type { School, StaffMember } from '../src/roster/roster';
import { memoryStores, redisStores, type Stores } from '../src/store/stores';
import { DEFAULT_SCHEDULE } from '../src/calendar/schedule';
import { yearToDate } from '../src/report/progress';
import { assemble, listen, stopGracefully, type Assembled } from '../src/server';
import { jobParts } from './helpers/job-deps';
import { runJob } from '../src/cli/jobs-command';
import type { JobRunParts } from '../src/jobs/job-deps';
import type { Inbound } from '../src/wecom/inbound';
import { testCluster, testRedis } from './helpers/redis';
import { SAMPLE, testConfig } from './helpers/sample';
import { parseTranscript, type Step } from './helpers/transcript';
import { WeComApiStub } from './helpers/wecom-api-stub';
import { WeComPlatform } from './helpers/wecom-platform';

const DIR = join(import.meta.dirname, 'transcripts');
const form = loadForm(monthlyReport);
const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
const targets = loadTargets('config/targets.json');

/** Drives a transcript: the engine behind the turn runner, or the whole server over HTTP. */
interface Host {
  stores: Stores;
  send(user: string, text: string, click: string | null): Promise<string>;
  restart(): Promise<void>;
  /** A scheduled job runs at the clock's now, and what it sends is delivered. */
  runJob(job: string): Promise<void>;
  /** What a user received since their last message or look (notices of others' turns). */
  inbox(user: string): Promise<string>;
  close(): Promise<void>;
}

async function jobRun(job: string, jobs: JobRunParts, clock: ManualClock): Promise<void> {
  const lines: string[] = [];
  const code = await runJob(job, jobs, { at: clock.now(), dryRun: false, waitMs: 5_000 }, (l) => lines.push(l));
  if (code !== 0) throw new Error(`job ${job}: ${lines.join(' / ')}`);
  await jobs.worker.runDue();
}

let msgId = 8_000_000_000_000_000_000n;

let createTime = Math.floor(Date.now() / 1000);

/** A click on a button of the last card the user got, as WeCom's client makes it (refused clicks fail the test). */
function press(api: WeComApiStub, user: string, key: string): { taskId: string; key: string; cardType: string; responseCode: string } {
  const card = api.cardsTo(user).at(-1);
  if (!card) throw new Error(`${user} has no card to click`);
  const click = api.click(user, card.taskId, key);
  if ('refused' in click) throw new Error(`click refused: ${click.refused}`);
  return click;
}

function inbound(api: WeComApiStub, user: string, text: string, click: string | null): Inbound {
  // Events are told apart by their CreateTime: each step is a second after the last.
  const base = { userId: user, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId, createTime: ++createTime };
  if (click?.startsWith('button:')) {
    const c = press(api, user, click.slice('button:'.length));
    return { kind: 'event', ...base, event: 'template_card_event', eventKey: c.key, taskId: c.taskId, cardType: c.cardType, responseCode: c.responseCode };
  }
  if (click) return { kind: 'event', ...base, event: 'click', eventKey: click, taskId: '', cardType: '', responseCode: '' };
  return { kind: 'text', ...base, msgId: String(++msgId), content: text };
}

/** A card as a transcript shows it: 「[卡片] 提交 10月月报 · 核对无误后点「确认提交」〔确认提交 confirm〕〔取消 cancel〕」. */
function cardLine(card: ReturnType<WeComApiStub['cardsTo']>[number]): string {
  return `[卡片] ${card.title} · ${card.desc} ${card.buttons.map((b) => `〔${b.text} ${b.key}〕`).join('')}`;
}

/**
 * A reply as the user sees it: the passive answer, or — after the outbox has delivered what is due
 * (long replies, follow-ups such as a reopen and its notice) — the texts the stand-in received;
 * then the cards that came with it, and what a clicked card shows now.
 */
async function answered(api: WeComApiStub, user: string, before: { texts: number; cards: number }, passive: string, deliver: () => Promise<number>, clicked: string | null): Promise<string> {
  await deliver();
  const lines = [passive !== '' ? passive : api.textsTo(user).slice(before.texts).join('\n')];
  const cards = api.cardsTo(user);
  if (clicked) lines.push(`[卡片已更新] ${cards.find((c) => c.taskId === clicked)?.replaced ?? '（未更新）'}`);
  lines.push(...cards.slice(before.cards).map(cardLine));
  return lines.filter((l) => l !== '').join('\n');
}

const seen = (api: WeComApiStub, user: string) => ({ texts: api.textsTo(user).length, cards: api.cardsTo(user).length });

/** Where each user last looked: an inbox shows what came after. */
function inboxOf(api: WeComApiStub, deliver: () => Promise<number>) {
  const marks = new Map<string, { texts: number; cards: number }>();
  return {
    mark: (user: string) => marks.set(user, seen(api, user)),
    async read(user: string): Promise<string> {
      await deliver();
      const from = marks.get(user) ?? { texts: 0, cards: 0 };
      marks.set(user, seen(api, user));
      return [...api.textsTo(user).slice(from.texts), ...api.cardsTo(user).slice(from.cards).map(cardLine)].join('\n');
    },
  };
}

/** The engine host: the turn runner and the outbox worker over the memory store, no HTTP in front. */
async function engineHost(clock: ManualClock, reviewRequired: boolean): Promise<Host> {
  const stores = memoryStores();
  const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
  const logger = pino({ level: 'silent' });
  const parts = jobParts(stores, api, clock);
  const make = () =>
    new TurnRunner({ turns: stores.turns, conversation: createBot({ ...stores, form, cal, targets, logger, schedule: DEFAULT_SCHEDULE, nudgeIntervalMs: 4 * 3_600_000, reviewRequired }), clock, logger });
  let runner = make();
  const box = inboxOf(api, () => parts.worker.runDue());
  return {
    stores,
    async send(user, text, click) {
      const before = seen(api, user);
      const event = inbound(api, user, text, click);
      const out = await runner.run(event);
      const passive = out.replies.map((r) => (r.kind === 'text' ? r.text : r.kind === 'textcard' ? r.title : r.card.title)).join('\n');
      const reply = await answered(api, user, before, passive, () => parts.worker.runDue(), event.kind === 'event' && event.event === 'template_card_event' ? event.taskId : null);
      box.mark(user);
      return reply;
    },
    inbox: (user) => box.read(user),
    restart: async () => {
      runner = make();
    },
    runJob: (job) => jobRun(job, parts, clock),
    close: () => api.stop(),
  };
}

/** The HTTP host: real signed, encrypted callbacks through the real server, a real Redis. */
async function httpHost(clock: ManualClock, reviewRequired: boolean, onCluster = false): Promise<Host & { redis: { cleanup(): Promise<void> } }> {
  const redis = onCluster ? await testCluster() : await testRedis();
  const stores = redisStores(redis.redis, redis.prefix);
  const api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
  const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
  let parts: Assembled;
  let server: Server;
  let base = '';
  const boot = async () => {
    parts = assemble(testConfig(api.url, reviewRequired ? { REVIEW_REQUIRED: 'on' } : {}), { stores, logger: pino({ level: 'silent' }), clock });
    const l = await listen(parts.app, 0, '127.0.0.1');
    server = l.server;
    base = `http://127.0.0.1:${l.port}`;
  };
  await boot();
  const box = inboxOf(api, () => parts.worker.runDue());
  return {
    stores,
    redis,
    inbox: (user) => box.read(user),
    async send(user, text, click) {
      const before = seen(api, user);
      const t = ++createTime;
      const button = click?.startsWith('button:') ? press(api, user, click.slice('button:'.length)) : null;
      const xml = button
        ? platform.eventXml({ from: user, event: 'template_card_event', eventKey: button.key, taskId: button.taskId, cardType: button.cardType, responseCode: button.responseCode, createTime: t })
        : click
          ? platform.eventXml({ from: user, event: 'click', eventKey: click, createTime: t })
          : platform.textXml({ from: user, content: text, msgId: String(++msgId), createTime: t });
      const { query, body } = platform.envelope(xml);
      const res = await fetch(`${base}/wecom/callback?${query}`, { method: 'POST', body });
      expect(res.status).toBe(200);
      const answer = await res.text();
      const reply = await answered(api, user, before, answer !== '' ? (platform.openReply(answer).Content ?? '') : '', () => parts.worker.runDue(), button?.taskId ?? null);
      box.mark(user);
      return reply;
    },
    restart: async () => {
      await stopGracefully(server, parts, 5_000);
      await boot();
    },
    runJob: (job) => jobRun(job, parts.jobs, clock),
    close: async () => {
      await stopGracefully(server, parts, 5_000);
      await api.stop();
      await redis.cleanup();
    },
  };
}

/**
 * RECORD_TRANSCRIPTS=1 rewrites each file's replies with what the engine says now (golden files):
 * read the diff before committing it.
 */
const RECORD = process.env.RECORD_TRANSCRIPTS === '1';

function record(path: string, replies: Map<number, string>): void {
  const out: string[] = [];
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (/^<[~!]? /.test(line) || line === '<') return;
      out.push(line);
      const reply = replies.get(i + 1);
      if (reply !== undefined) out.push(...reply.split('\n').map((l) => `< ${l}`));
    });
  writeFileSync(path, out.join('\n'));
}

async function play(host: Host, clock: ManualClock, steps: Step[], file: string, replies?: Map<number, string>): Promise<void> {
  let user = '';
  let school = '';
  const roster: Record<string, School> = {};
  const staff: Record<string, StaffMember> = {};
  for (const step of steps) {
    const where = `${file}:${step.line}`;
    switch (step.kind) {
      case 'now':
        clock.set(step.at);
        break;
      case 'as':
        user = step.user;
        break;
      case 'school': {
        school = step.code;
        roster[step.code] = { code: step.code, name: step.name, city: step.city, level: step.level, category: step.category, pilot: step.pilot, contacts: step.contacts, ...(Object.keys(step.people).length > 0 ? { people: step.people } : {}) } as School;
        // As a roster import would: schools, contacts and the index sets, all at once.
        await host.stores.roster.replaceSchools(Object.values(roster));
        break;
      }
      case 'staff': {
        staff[step.user] = step.role === 'city' ? { userId: step.user, role: 'city', name: step.name, city: step.city! } : { userId: step.user, role: 'province', name: step.name };
        await host.stores.roster.replaceStaff(Object.values(staff));
        break;
      }
      case 'expect-audit': {
        expect((await host.stores.audit.read()).map((a) => a.action), where).toEqual(step.actions);
        break;
      }
      case 'past-report': {
        const values = Object.fromEntries(form.cells.map((c) => [c.id, step.values[c.id] ?? 0]));
        const at = Date.parse(`${step.period}-28T00:00:00Z`);
        const report = makeReport(school, step.period, 'filed', values, { submittedAt: at, firstSubmittedAt: at });
        const snap = await host.stores.records.read(school, step.period);
        // As a submission would write it: with the school's status and the year's sums.
        const year = Number(step.period.slice(0, 4));
        const reports = [...Object.values(snap.reports), report];
        expect(await host.stores.records.commit({ code: school, period: step.period, expectedRev: snap.rev, report, history: [], status: 'filed', ytd: yearToDate(reports, year) }), where).toBe(true);
        break;
      }
      case 'reopen': {
        const snap = await host.stores.records.read(school, step.period);
        await host.stores.records.commit({ code: school, period: step.period, expectedRev: snap.rev, reopened: true, history: [] });
        break;
      }
      case 'restart':
        await host.restart();
        break;
      case 'run-job':
        await host.runJob(step.job);
        break;
      case 'expect-report': {
        const report = (await host.stores.records.read(school, step.period)).reports[step.period]!;
        expect(report, `${where}: no report stored`).toBeDefined();
        expect(report.status, where).toBe(step.status);
        for (const [cell, value] of Object.entries(step.values)) expect(report.values[cell], `${where}: ${cell}`).toBe(value);
        // The period's status index agrees with the record.
        const index = await periodIndex(host.stores, step.period);
        expect(index.status[step.status as 'filed'], `${where}: status index`).toContain(school);
        break;
      }
      case 'expect-draft': {
        const snap = await host.stores.records.read(school, currentPeriod(clock));
        if (step.filled === null) expect(snap.draft, where).toBeNull();
        else {
          expect(Object.keys(snap.draft?.values ?? {}).length, where).toBe(step.filled);
          if (!snap.reports[currentPeriod(clock)]) expect((await periodIndex(host.stores, currentPeriod(clock))).status.drafting, `${where}: status index`).toContain(school);
        }
        break;
      }
      case 'expect-history': {
        const types = (await host.stores.records.history(school)).map((e) => e.type);
        expect(types, where).toEqual(step.types);
        break;
      }
      case 'send':
      case 'inbox': {
        const reply = step.kind === 'send' ? await host.send(user, step.text, step.click) : await host.inbox(step.user);
        replies?.set(step.line, reply);
        if (replies) break;
        if (step.exact.length > 0) expect(reply, where).toBe(step.exact.join('\n'));
        for (const c of step.contains) expect(reply, where).toContain(c);
        for (const a of step.absent) expect(reply, where).not.toContain(a);
        break;
      }
    }
  }
}

function currentPeriod(clock: ManualClock): string {
  const local = new Date(clock.now().getTime() + 8 * 3_600_000);
  const d = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() - 1, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

/** Played again over HTTP on a real Redis Cluster: a whole report by parts, staff review, buttons, a reopened month. */
const ON_CLUSTER = new Set(['15-by-parts.txt', '19-reopened-month.txt', '20-buttons.txt', '21-review.txt']);

for (const mode of ['engine', 'http', 'cluster'] as const) {
  describe(`transcripts (${mode})`, () => {
    let host: Host | undefined;
    afterEach(async () => host?.close());
    for (const file of files.filter((f) => mode !== 'cluster' || ON_CLUSTER.has(f))) {
      const { title, steps, reviewRequired } = parseTranscript(join(DIR, file));
      it(`${file}: ${title}`, async () => {
        const clock = new ManualClock('2026-11-05T01:00:00Z');
        host = mode === 'engine' ? await engineHost(clock, reviewRequired) : await httpHost(clock, reviewRequired, mode === 'cluster');
        const replies = RECORD && mode === 'engine' ? new Map<number, string>() : undefined;
        await play(host, clock, steps, file, replies);
        if (replies) record(join(DIR, file), replies);
      });
    }
  });
}
