import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { readSession } from '../helpers/sessions';
import { startTestServer, type TestServer } from '../helpers/test-server';

// On a single Redis and on a real Redis Cluster (every turn's commit must keep to one hash slot).
describe.each(['redis', 'cluster'] as const)('exactly-once handling (%s)', (store) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ stores: store });
  });
  afterAll(async () => t.close());

  const turns = async (userId: string) => (await readSession(t.stores.turns, userId, userId)).turns;

  it('handles a callback delivered three times once, answering each retry with the same reply', async () => {
    const { query, body } = t.platform.envelope(t.platform.textXml({ from: 'retry-seq', content: '帮助', msgId: '7000000000000000001' }));
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${t.baseUrl}/wecom/callback?${query}`, { method: 'POST', body });
      answers.push({ status: res.status, body: await res.text() });
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const contents = answers.map((a) => t.platform.openReply(a.body).Content);
    expect(contents[0]).toContain('「月报」使用说明');
    // A retry means WeCom did not get the first answer: it gets the same one again.
    expect(contents.slice(1)).toEqual([contents[0], contents[0]]);
    expect(await turns('retry-seq')).toBe(1);
  });

  it('handles a callback delivered three times at once exactly once', async () => {
    const { query, body } = t.platform.envelope(t.platform.textXml({ from: 'retry-par', content: '帮助', msgId: '7000000000000000002' }));
    const answers = await Promise.all(
      [0, 1, 2].map(async () => {
        const res = await fetch(`${t.baseUrl}/wecom/callback?${query}`, { method: 'POST', body });
        return { status: res.status, body: await res.text() };
      }),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(new Set(answers.map((a) => t.platform.openReply(a.body).Content)).size).toBe(1);
    expect(await turns('retry-par')).toBe(1);
  });

  it('handles two different events of one user in the same second, both', async () => {
    const createTime = 1_763_800_000;
    const a = t.platform.eventXml({ from: 'two-events', event: 'click', eventKey: 'help', createTime });
    const b = t.platform.eventXml({ from: 'two-events', event: 'enter_agent', createTime });
    const [ra, rb] = await Promise.all([t.post(a), t.post(b)]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(t.platform.openReply(ra.body).Content).toContain('「月报」使用说明');
    expect(await turns('two-events')).toBe(2);
  });

  it('serialises a burst of messages from one user with no lost update', async () => {
    const burst = Array.from({ length: 12 }, (_, i) => t.platform.textXml({ from: 'burst', content: `第${i}条`, msgId: String(7100000000000000000n + BigInt(i)) }));
    const answers = await Promise.all(burst.map((xml) => t.post(xml)));
    expect(answers.every((a) => a.status === 200 && a.body.length > 0)).toBe(true);
    expect(await turns('burst')).toBe(12);
  });

  // Counted by the keys of the single Redis (a Cluster's keys are spread over its masters).
  it.skipIf(store === 'cluster')('acknowledges a message type it does not handle with an empty 200 and stores nothing', async () => {
    const before = (await t.redis!.keys()).length;
    const image = `<xml><ToUserName>${t.platform.config.corpId}</ToUserName><FromUserName>pic</FromUserName><CreateTime>1</CreateTime><MsgType>image</MsgType><PicUrl>http://x</PicUrl><MediaId>m</MediaId><MsgId>7200000000000000000</MsgId><AgentID>1</AgentID></xml>`;
    const res = await t.post(image);
    expect(res).toEqual({ status: 200, body: '' });
    expect((await t.redis!.keys()).length).toBe(before);
  });
});

describe('exactly-once handling of turns that write records', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ clock: new ManualClock('2026-11-05T01:00:00Z') });
    const schools = 'code,name,city,level,category,pilot,contacts\n4101,河南工业职业技术学院,南阳,高职,A,否,filer\n';
    await importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(schools), { dryRun: false, by: 'ops', now: new Date() }, () => undefined);
  });
  afterAll(async () => t.close());

  it('applies an answer delivered three times, in sequence and at once, to its cell once and to no other', async () => {
    await t.post(t.platform.textXml({ from: 'filer', content: '填报', msgId: '7000000000000000100' }));
    const answer = (msgId: string, content: string) => t.platform.envelope(t.platform.textXml({ from: 'filer', content, msgId }));
    const first = answer('7000000000000000101', '2');
    const replies: string[] = [];
    for (let i = 0; i < 3; i++) replies.push(await (await fetch(`${t.baseUrl}/wecom/callback?${first.query}`, { method: 'POST', body: first.body })).text());
    const second = answer('7000000000000000102', '3');
    replies.push(...(await Promise.all([0, 1, 2].map(async () => (await fetch(`${t.baseUrl}/wecom/callback?${second.query}`, { method: 'POST', body: second.body })).text()))));
    expect((await t.stores.records.read('4101', '2026-10')).draft!.values).toEqual({ projects_fiscal: 2, projects_nonfiscal: 3 });
    expect((await t.stores.records.history('4101')).filter((h) => h.type === 'edit')).toEqual([]);
    // Each retry was answered with the reply of the turn it repeats.
    const contents = replies.map((r) => t.platform.openReply(r).Content ?? '');
    expect(new Set(contents.slice(0, 3)).size).toBe(1);
    expect(contents[0]).toContain('✓ 财政资金项目 2');
    expect(new Set(contents.slice(3)).size).toBe(1);
    expect(contents[3]).toContain('✓ 非财政资金项目 3');
  });
});
