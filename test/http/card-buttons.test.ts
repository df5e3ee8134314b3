import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { turnId } from '../../src/dispatch/turn-runner';
import { parseInbound } from '../../src/wecom/inbound';
import { fields } from '../helpers/wecom-platform';
import { readSession } from '../helpers/sessions';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { RESPONSE_CODE_TTL_MS } from '../helpers/wecom-api-stub';

/** Card buttons through real signed callbacks: a click is the typed word, once; the card is updated once. */
describe('template-card buttons', () => {
  let t: TestServer;
  let createTime = 1_763_900_000;
  beforeAll(async () => {
    t = await startTestServer({ clock: new ManualClock('2026-11-05T01:00:00Z') });
    const schools = 'code,name,city,level,category,pilot,contacts\n4101,河南工业职业技术学院,南阳,高职,A,否,filer|other\n';
    await importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(schools), { dryRun: false, by: 'ops', now: new Date() }, () => undefined);
  });
  afterAll(async () => t.close());

  let msgId = 7_300_000_000_000_000_000n;
  const say = async (user: string, content: string) => {
    const res = await t.post(t.platform.textXml({ from: user, content, msgId: String(++msgId) }));
    await t.deliver();
    return t.platform.openReply(res.body).Content ?? '';
  };
  const lastCard = (user: string) => t.api.cardsTo(user).at(-1)!;
  /** The callback WeCom sends for a click it allowed (the stand-in refuses clicks a client could not make). */
  const clickXml = (user: string, key: string, taskId = lastCard(user).taskId) => {
    const c = t.api.click(user, taskId, key);
    if ('refused' in c) throw new Error(c.refused);
    return t.platform.eventXml({ from: user, event: 'template_card_event', eventKey: c.key, taskId: c.taskId, cardType: c.cardType, responseCode: c.responseCode, createTime: ++createTime });
  };

  it('takes a click delivered three times (WeCom’s retries) once, answers each with the same reply, and updates the card once', async () => {
    await say('filer', '填报');
    expect(await say('filer', '无培训')).toContain('确认 2026年10月没有完成任何培训？');
    const card = lastCard('filer');
    expect(card).toMatchObject({ title: '10月无培训', buttons: [{ key: 'confirm', text: '确认' }, { key: 'cancel', text: '取消' }], replaced: null });
    const xml = clickXml('filer', 'confirm');
    const answers = [await t.post(xml), ...(await Promise.all([t.post(xml), t.post(xml)]))];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const contents = answers.map((a) => t.platform.openReply(a.body).Content);
    expect(contents[0]).toContain('好的，2026年10月无培训');
    expect(new Set(contents).size).toBe(1);
    await t.deliver();
    // Confirmed once: the zeros are in the draft, and the two figures still asked are asked.
    const draft = (await t.stores.records.read('4101', '2026-10')).draft!;
    expect(draft.zero).toBe(true);
    expect(Object.keys(draft.values)).toHaveLength(49);
    expect(t.api.callsTo('message/update_template_card')).toHaveLength(1);
    expect(t.api.callsTo('message/update_template_card')[0]!.json).toMatchObject({ userids: ['filer'], button: { replace_name: '已选：确认' } });
    expect(lastCard('filer').taskId).toBe(card.taskId);
    expect(t.api.cardsTo('filer').find((c) => c.taskId === card.taskId)!.replaced).toBe('已选：确认');
    // The client cannot click the updated card again.
    expect(t.api.click('filer', card.taskId, 'confirm')).toEqual({ refused: 'the card shows 「已选：确认」 and has no buttons' });
  });

  it('tells a click on an older card that it has expired, acts on nothing, and marks that card handled', async () => {
    await say('filer', '放弃');
    const discard = lastCard('filer');
    expect(discard.title).toBe('放弃 10月月报草稿');
    // Two taps before the card was updated: the second card's click comes after the conversation moved on.
    const first = clickXml('filer', 'cancel', discard.taskId);
    const second = clickXml('filer', 'confirm', discard.taskId);
    expect(t.platform.openReply((await t.post(first)).body).Content).toContain('已取消放弃，草稿保留。');
    const stale = await t.post(second);
    expect(t.platform.openReply(stale.body).Content).toBe('这张卡片的按钮已失效：对话已经往下进行了。请按最新的消息操作，或直接回复文字。');
    await t.deliver();
    expect((await t.stores.records.read('4101', '2026-10')).draft).not.toBeNull();
    expect(t.api.callsTo('message/update_template_card').slice(-2).map((c) => (c.json!.button as { replace_name: string }).replace_name)).toEqual(['已选：取消', '已处理']);
  });

  it('gives up an update whose response code is past its 72 hours, and the click itself still counts', async () => {
    await say('filer', '查看');
    await say('filer', '放弃');
    const card = lastCard('filer');
    const xml = clickXml('filer', 'cancel', card.taskId);
    t.api.ageResponseCodes(RESPONSE_CODE_TTL_MS + 60_000);
    expect(t.platform.openReply((await t.post(xml)).body).Content).toContain('已取消放弃');
    await t.deliver();
    const inbound = parseInbound(fields(t.platform.decrypt(fields(t.platform.envelope(xml).body).Encrypt!).message));
    if (!inbound.handled) throw new Error('not handled');
    const [entry] = await t.stores.outbox.get([{ owner: '4101', id: `${turnId(inbound.inbound)}:card-update` }]);
    expect(entry).toMatchObject({ state: 'failed', lastError: expect.stringContaining('response_code expired') });
    expect(t.api.cardsTo('filer').find((c) => c.taskId === card.taskId)!.replaced).toBeNull();
    expect((await readSession(t.stores.turns, '4101', 'filer')).card).toBeNull();
  });

  it('refuses what WeCom refuses in a card: a seventh button, a bad or reused task_id, a long key', async () => {
    const send = async (card: Record<string, unknown>) => {
      const token = (await (await fetch(`${t.api.url}/cgi-bin/gettoken?corpid=${t.api.options.corpId}&corpsecret=${t.api.options.secret}`)).json()) as { access_token: string };
      const res = await fetch(`${t.api.url}/cgi-bin/message/send?access_token=${token.access_token}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ touser: 'filer', agentid: t.api.options.agentId, msgtype: 'template_card', template_card: { card_type: 'button_interaction', main_title: { title: 't', desc: 'd' }, ...card } }),
      });
      return (await res.json()) as { errcode: number; errmsg: string; response_code?: string };
    };
    const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `b${i}`, key: `k${i}`, style: 1 }));
    expect(await send({ task_id: 'ok-1', button_list: buttons(6) })).toMatchObject({ errcode: 0, response_code: expect.any(String) });
    expect((await send({ task_id: 'ok-2', button_list: buttons(7) })).errcode).toBe(40058);
    expect((await send({ task_id: 'ok-1', button_list: buttons(1) })).errmsg).toContain('was used before');
    expect((await send({ task_id: 'bad id!', button_list: buttons(1) })).errmsg).toContain('task_id');
    expect((await send({ task_id: 'x'.repeat(129), button_list: buttons(1) })).errcode).toBe(40058);
    expect((await send({ task_id: 'ok-3', button_list: [{ text: 'b', key: 'k'.repeat(1025) }] })).errmsg).toContain('1024 bytes');
    expect((await send({ task_id: 'ok-4', button_list: [{ text: 'a', key: 'k' }, { text: 'b', key: 'k' }] })).errmsg).toContain('twice');
  });
});
