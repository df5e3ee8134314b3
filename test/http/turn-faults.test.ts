import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { faultyTurns, seeded, TURN_FAULTS, type TurnFault } from '../helpers/faults';
import { startTestServer, type TestServer } from '../helpers/test-server';

// The 54 messages of a whole report, one cell at a time (the transcript's input lines).
const MESSAGES = readFileSync('test/transcripts/01-one-cell-at-a-time.txt', 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('> '))
  .map((l) => l.slice(2));
const SCHOOLS = 'code,name,city,level,category,pilot,contacts,contact_names\n4101010001,河南工业职业技术学院,南阳,高职,A,否,zhangsan|lisi,张敏|李强\n4102,郑州铁路职业技术学院,郑州,高职,A,否,zhao,\n';
const STAFF = 'userid,name,role,city\nsheng,王省,province,\n';
const BUDGET_MS = 300;

/**
 * Failures at every boundary of a turn, each followed by WeCom's retry of the same request: the
 * result must be the one a run without failures gives — every answer applied once, in its cell,
 * and every reply delivered once.
 */
describe('turns under injected failures, with WeCom’s retries', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());
  let msgId = 9_500_000_000_000_000_000n;

  async function server(faults?: ReturnType<typeof faultyTurns>) {
    const clock = new ManualClock('2026-11-05T01:00:00Z');
    t = await startTestServer({ clock, replyBudgetMs: BUDGET_MS, turns: { lateDelayMs: 400, waitMs: 1_000 }, ...(faults ? { wrapStores: faults.wrap } : {}) });
    await importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from(STAFF), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    return t;
  }

  /**
   * Sends one message as WeCom does: the same request again while no 200 comes (three retries at
   * most). `loseAnswer`: the first 200 never reaches WeCom, which retries too. Returns the reply the
   * accepted answer carried ('' for an empty 200).
   */
  async function send(s: TestServer, from: string, content: string, loseAnswer = false): Promise<{ reply: string; attempts: number }> {
    const xml = s.platform.textXml({ from, content, msgId: String(++msgId) });
    let lost = loseAnswer;
    for (let attempt = 1; attempt <= 4; attempt++) {
      const res = await s.post(xml);
      if (res.status === 200 && lost) {
        lost = false;
        continue;
      }
      if (res.status === 200) return { reply: res.body === '' ? '' : (s.platform.openReply(res.body).Content ?? ''), attempts: attempt };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`«${content}» got no 200 in four attempts`);
  }

  /** Everything `user` was told: the passive replies, then what came through the API. */
  async function conversation(s: TestServer, user: string, run: (say: (text: string, fault?: TurnFault | 'answer-lost' | null) => Promise<void>) => Promise<void>, faults?: ReturnType<typeof faultyTurns>) {
    const passive: string[] = [];
    await run(async (text, fault = null) => {
      faults?.arm(fault === 'answer-lost' ? null : fault);
      const { reply } = await send(s, user, text, fault === 'answer-lost');
      if (reply !== '') passive.push(reply);
      faults?.arm(null);
    });
    // Late replies wait for retries (400 ms here), then go out.
    await new Promise((r) => setTimeout(r, 600));
    await s.deliver();
    return [...passive, ...s.api.textsTo(user)];
  }

  async function fileReport(s: TestServer, faults?: ReturnType<typeof faultyTurns>, plan: (i: number) => TurnFault | 'answer-lost' | null = () => null) {
    const replies = await conversation(s, 'zhangsan', async (say) => {
      for (const [i, text] of MESSAGES.entries()) await say(text, plan(i));
    }, faults);
    const report = (await s.stores.records.read('4101010001', '2026-10')).reports['2026-10'] ?? null;
    // The cards sent with the replies (each committed with its turn as an outbox entry).
    const cards = s.api.cardsTo('zhangsan').map((c) => c.title);
    // The period's review index, written by the same commit as the report.
    const marks = await s.stores.records.reviewMarks('2026-10');
    return { replies, cards, marks, values: report?.values ?? null, history: (await s.stores.records.history('4101010001')).map((h) => h.type) };
  }

  it('files a whole report with a failure at every boundary of every other turn: each answer once, in its cell, each reply once', async () => {
    const reference = await fileReport(await server());
    expect(reference.values).not.toBeNull();
    expect(reference.history).toEqual(['submit']);
    await t!.close();
    t = undefined;

    const faults = faultyTurns(BUDGET_MS + 300);
    const rnd = seeded(20261201);
    const kinds = [...TURN_FAULTS, 'answer-lost' as const];
    const planned = MESSAGES.map((_, i) => (i % 2 === 0 ? null : kinds[Math.floor(rnd() * kinds.length)]!));
    const run = await fileReport(await server(faults), faults, (i) => planned[i]!);
    // Every kind of failure was met along the way.
    for (const kind of TURN_FAULTS) expect(faults.met).toContain(kind);
    expect(run.values).toEqual(reference.values);
    expect(run.history).toEqual(['submit']);
    // The submission's review mark is there once, as without failures: it died or lived with the report.
    expect(reference.marks).toEqual({ '4101010001': 'pending' });
    expect(run.marks).toEqual(reference.marks);
    // The same replies, each once: none lost, and no late reply sent beside a retry's answer.
    expect([...run.replies].sort()).toEqual([...reference.replies].sort());
    // And the same cards, each once: a card's entry went with its turn's commit or not at all.
    expect(reference.cards.length).toBeGreaterThan(0);
    expect([...run.cards].sort()).toEqual([...reference.cards].sort());
  }, 60_000);

  it('applies an answer to the cell it was asked for when a second contact answered it meanwhile', async () => {
    const s = await server();
    const say = async (from: string, text: string) => (await send(s, from, text)).reply;
    await say('zhangsan', '填报');
    expect(await say('lisi', '继续')).toContain('财政资金支持的培训项目/班次：几个？');
    expect(await say('zhangsan', '2')).toContain('✓ 财政资金项目 2');
    // lisi was asked 财政资金项目 too: their 5 is not written into 非财政资金项目.
    expect(await say('lisi', '5')).toBe('「财政资金项目」刚才已由 张敏 填为 2，您的「5」没有记录。如要改为您的数字，请回复「修改 财政资金项目 5」。\n第 1 部分 基本情况 · 2/51\n非财政资金的培训项目/班次：几个？');
    const draft = (await s.stores.records.read('4101010001', '2026-10')).draft!;
    expect(draft.values).toEqual({ projects_fiscal: 2 });
    // Asked the next cell now, lisi's answer goes there.
    expect(await say('lisi', '3')).toContain('✓ 非财政资金项目 3');
  });

  it('reopens a month once, and tells the school once, when the staff turn fails at each boundary', async () => {
    const faults = faultyTurns(BUDGET_MS + 300);
    const s = await server(faults);
    (s.parts.clock as ManualClock).set('2026-11-12T01:00:00Z');
    for (const [i, fault] of [...TURN_FAULTS, 'answer-lost' as const].entries()) {
      const period = `2026-0${i + 1}`;
      const replies = await conversation(s, 'sheng', async (say) => say(`解锁 4102 ${period}`, fault), faults);
      expect(replies.filter((r) => r.startsWith('已解锁'))).toEqual([`已解锁 郑州铁路职业技术学院 2026年${i + 1}月月报（当前：未开始），已通知 1 位填报人。`]);
    }
    await s.deliver();
    const history = (await s.stores.records.history('4102')).map((h) => `${h.type} ${h.period}`);
    expect(history).toEqual(['reopen 2026-01', 'reopen 2026-02', 'reopen 2026-03', 'reopen 2026-04', 'reopen 2026-05']);
    expect((await s.stores.audit.read()).filter((a) => a.action === 'reopen')).toHaveLength(5);
    expect(s.api.textsTo('zhao').filter((x) => x.startsWith('【月报解锁】'))).toHaveLength(5);
    expect(new Set(s.api.textsTo('zhao')).size).toBe(5);
  }, 60_000);

  it('sends a 广播 once to each recipient, and its report once, when 确认 fails at each boundary and sends fail', async () => {
    const faults = faultyTurns(BUDGET_MS + 300);
    const s = await server(faults);
    for (const [i, fault] of [...TURN_FAULTS, 'answer-lost' as const].entries()) {
      s.api.failNext('message/send', -1);
      s.api.swallowNext('message/send');
      const replies = await conversation(s, 'sheng', async (say) => {
        await say('广播');
        await say(`第 ${i + 1} 次通知`);
        await say('全部');
        await say('确认', fault);
      }, faults);
      expect(replies.filter((r) => r.startsWith('正在发给'))).toHaveLength(1);
      // The swallowed send was resent; WeCom's duplicate check dropped the copy.
      for (let k = 0; k < 3; k++) {
        (s.parts.clock as ManualClock).advance(20_000);
        await s.deliver();
      }
      expect(s.api.textsTo('zhangsan').filter((x) => x === `【通知】第 ${i + 1} 次通知\n——王省`)).toHaveLength(1);
      expect(s.api.textsTo('zhao').filter((x) => x === `【通知】第 ${i + 1} 次通知\n——王省`)).toHaveLength(1);
    }
    expect(s.api.textsTo('sheng').filter((x) => x.startsWith('广播已发送'))).toHaveLength(5);
    expect((await s.stores.audit.read()).filter((a) => a.action === 'broadcast')).toHaveLength(5);
  }, 60_000);
});
