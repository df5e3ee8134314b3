import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import type { Stores } from '../../src/store/stores';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { report, seedReport } from '../helpers/records';

const SCHOOLS = [
  'code,name,city,level,category,pilot,contacts,contact_names,contact_phones',
  '4101,河南工业职业技术学院,南阳,高职,A,否,zhangsan,,',
  '4102,郑州铁路职业技术学院,郑州,高职,A,是,zhao,,',
  '4103,郑州市电子信息工程学校,郑州,中职,C,否,wang,,',
  '4104,洛阳市第一职业高中,洛阳,中职,D,否,li,李娜,13800000004',
].join('\n');
const STAFF = 'userid,name,role,city\nsheng,王省,province,\nzzcity,周市,city,郑州\n';

/** The dashboard through the real server and Redis: the card after 进度, the link's checks, scope, and the nudge button's API. */
describe('staff dashboard', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());
  let n = 0n;

  async function setup(options: { links?: boolean; wrapStores?: (stores: Stores) => Stores } = { links: true }) {
    const clock = new ManualClock('2026-11-05T01:00:00Z');
    t = await startTestServer({ clock, ...options, wecomSleep: async () => undefined, worker: false });
    const now = clock.now();
    await importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 'ops', now }, () => undefined);
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from(STAFF), { dryRun: false, by: 'ops', now }, () => undefined);
    return clock;
  }
  const say = async (from: string, content: string) => {
    const res = await t!.post(t!.platform.textXml({ from, content, msgId: String(9_400_000_000_000_000_000n + ++n) }));
    return res.body === '' ? '' : (t!.platform.openReply(res.body).Content ?? '');
  };
  const cards = (userId: string) =>
    t!.api.delivered.filter((d) => d.userId === userId && d.msgtype === 'textcard').map((d) => d.body.textcard as { title: string; description: string; url: string; btntxt: string });
  /** The link on the card the bot sends after 进度. */
  async function linkFor(userId: string): Promise<string> {
    await say(userId, '进度');
    await t!.deliver();
    const card = cards(userId).at(-1);
    expect(card).toBeDefined();
    return card!.url;
  }
  const get = async (url: string) => {
    const res = await fetch(url, { redirect: 'manual' });
    return { status: res.status, html: await res.text(), headers: res.headers };
  };
  const nudge = async (token: string | null, body: unknown) => {
    const res = await fetch(`${t!.baseUrl}/dashboard/api/nudge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { 'x-dashboard-token': token } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { text?: string; error?: string; started?: boolean; confirm?: number } };
  };
  const tokenOf = (url: string) => new URL(url).searchParams.get('t')!;
  const listCodes = (html: string, id: string) => [...(new RegExp(`<table id="${id}".*?</table>`, 's').exec(html)?.[0] ?? '').matchAll(/<tr data-code="(\d+)"/g)].map((m) => m[1]);
  const owingCodes = (html: string) => listCodes(html, 'owing-table');

  it('answers 进度 with the text and a card carrying a personal link valid for 24 hours', async () => {
    await setup();
    expect(await say('sheng', '进度')).toContain('2026年10月月报 · 全省（共 4 所）');
    await t!.deliver();
    const [card] = cards('sheng');
    expect(card!.title).toBe('月报看板 · 全省');
    expect(card!.description).toContain('2026-11-06 09:00前有效');
    expect(card!.btntxt).toBe('打开看板');
    expect(card!.url).toMatch(new RegExp(`^${t!.baseUrl}/dashboard\\?t=[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$`));
    // Other staff words send no card.
    await say('sheng', '未报');
    await t!.deliver();
    expect(cards('sheng')).toHaveLength(1);
  });

  it('sends no card when no public base URL is configured', async () => {
    await setup({});
    expect(await say('sheng', '进度')).toContain('报送率');
    await t!.deliver();
    expect(cards('sheng')).toEqual([]);
  });

  it('shows a provincial officer the province: filing by city and category, the year against target, the owing list', async () => {
    await setup();
    await say('zhao', '本月无培训');
    await say('zhao', '确认');
    await say('zhao', '300');
    await say('zhao', '8000');
    expect(await say('zhao', '确认')).toContain('已提交');
    await say('wang', '填报');
    const page = await get(await linkFor('sheng'));
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.html).toContain('<h1>月报看板 · 全省</h1>');
    expect(page.html).toContain('已报 1 / 共 4 所（含逾期补报 0）');
    expect(page.html).toMatch(/<tr data-group="郑州"><td[^>]*>郑州<\/td><td[^>]*>2<\/td><td[^>]*>1<\/td><td[^>]*>0<\/td><td[^>]*>1<\/td><td[^>]*>0<\/td><td[^>]*>0<\/td><td[^>]*>50.0%<\/td><\/tr>/);
    expect(page.html).toMatch(/<tr data-group="A 类"><td[^>]*>A 类<\/td><td[^>]*>2<\/td><td[^>]*>1<\/td>/);
    expect(page.html).toContain('id="progress-by-city"');
    // The owing list: three schools, the drafting one marked, the filed one absent.
    // By city in pinyin order: 洛阳, 南阳, 郑州.
    expect(owingCodes(page.html)).toEqual(['4104', '4101', '4103']);
    // A draft says how far it has got; nobody was nudged yet.
    expect(page.html).toMatch(/<tr data-code="4103"[^>]*>.*?<span class="st-drafting">填报中\(0\/51\)<\/span><\/td><td data-label="最近催报">—<\/td>/);
    // The filed list: 4102's 本月无培训, when and by whom.
    expect(listCodes(page.html, 'filed-table')).toEqual(['4102']);
    expect(page.html).toMatch(/<tr data-code="4102"[^>]*>.*?<td data-label="状态">本月无培训<\/td><td data-label="提交时间">2026-11-05 09:00<\/td>/);
    expect(page.html).toContain('已报学校（<span id="filed-count">1</span> 所）');
    // Whom to call, by name and phone; a contact the roster names not is counted, never shown by UserID.
    expect(page.html).toMatch(/<tr data-code="4104"[^>]*>.*?<td[^>]*>李娜 13800000004<\/td><\/tr>/);
    expect(page.html).toMatch(/<tr data-code="4101"[^>]*>.*?<td[^>]*>1 位（未登记姓名）<\/td><\/tr>/);
    const data = JSON.parse(/<script type="application\/json" id="dashboard-data">(.*?)<\/script>/s.exec(page.html)![1]!) as { progressByCategory: { group: string; target: number }[] };
    expect(data.progressByCategory.map((g) => g.group)).toEqual(['A 类', 'C 类', 'D 类']);
    // The breakdowns: a zero report adds nothing; every part's cells are listed for the month and the year.
    expect(page.html).toContain('<table id="breakdown-5">');
    expect(page.html).toContain('<tr><td>制造业</td><td>0</td><td>0</td></tr>');
    expect(page.html).toContain('<tr><td>贫困劳动力<br><span class="muted">人次，非建档立卡人数</span></td><td>0</td><td>0</td></tr>');
    // September and October filed by 4104: 40 and 120 in 制造业 → the month 120, the year 160; 洛阳 staff would see the same.
    await seedReport(t!.stores, report('4104', '2026-09', 'filed', { trainees_students: 40, industry_c: 40, group_other: 40 }));
    await seedReport(t!.stores, report('4104', '2026-10', 'filed', { trainees_students: 120, industry_c: 120, group_other: 120 }));
    const again = await get(await linkFor('sheng'));
    expect(again.html).toContain('<tr><td>制造业</td><td>120</td><td>160</td></tr>');
    // 其他 of the content part stays 0; 其他 of the key groups (part 6) holds the reports' 120 and 160.
    expect(/<table id="breakdown-2">.*?<\/table>/s.exec(again.html)![0]).toContain('<tr><td>其他</td><td>0</td><td>0</td></tr>');
    expect(/<table id="breakdown-6">.*?<\/table>/s.exec(again.html)![0]).toContain('<tr><td>其他</td><td>120</td><td>160</td></tr>');
    // The same by city and by category, to choose on the page: 4104 (洛阳, D 类) holds it all, 郑州 and A 类 nothing.
    type Groups = { parts: { cells: { id: string }[] }[]; groups: { label: string; month: number[]; year: number[] }[] };
    const b = (JSON.parse(/<script type="application\/json" id="dashboard-data">(.*?)<\/script>/s.exec(again.html)![1]!) as { breakdowns: Groups }).breakdowns;
    expect(b.groups.map((g) => g.label)).toEqual(['全省', '洛阳', '南阳', '郑州', 'A 类', 'C 类', 'D 类']);
    const at = b.parts.flatMap((p) => p.cells).findIndex((c) => c.id === 'industry_c');
    const manufacturing = Object.fromEntries(b.groups.map((g) => [g.label, [g.month[at], g.year[at]]]));
    expect(manufacturing).toEqual({ 全省: [120, 160], 洛阳: [120, 160], 南阳: [0, 0], 郑州: [0, 0], 'A 类': [0, 0], 'C 类': [0, 0], 'D 类': [120, 160] });
    expect(again.html).toContain('<select id="breakdown-group" aria-label="分类汇总的范围"><option value="0">全省</option><option value="1">洛阳</option>');
    const echarts = await fetch(`${t!.baseUrl}/dashboard/assets/echarts.min.js`);
    expect(echarts.status).toBe(200);
    expect((await echarts.text()).length).toBeGreaterThan(500_000);
  });

  it('holds city staff to their city, on the dashboard, on school pages and on the nudge button', async () => {
    await setup();
    const url = await linkFor('zzcity');
    const page = await get(url);
    expect(page.html).toContain('<h1>月报看板 · 郑州</h1>');
    expect(page.html).not.toContain('id="status-by-city"');
    expect(owingCodes(page.html)).toEqual(['4102', '4103']);
    const token = tokenOf(url);
    const own = await get(`${t!.baseUrl}/dashboard/school/4102?t=${token}`);
    expect(own.status).toBe(200);
    expect(own.html).toContain('<h1>郑州铁路职业技术学院</h1>');
    expect(own.html.match(/<tr data-period="2026-\d\d">/g)).toHaveLength(10);
    const elsewhere = await get(`${t!.baseUrl}/dashboard/school/4104?t=${token}`);
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.html).toContain('洛阳市第一职业高中不属于郑州');
    expect((await get(`${t!.baseUrl}/dashboard/school/9999?t=${token}`)).html).toContain('名单中没有代码为 9999 的学校');
    const refused = await nudge(token, { city: '洛阳' });
    expect(refused.body).toEqual({ text: '您只能查看和处理郑州的学校。', started: false });
    // Two schools: the button first shows the count, and nothing goes out until it is confirmed.
    const asked = await nudge(token, {});
    expect(asked).toEqual({ status: 200, body: { text: '将向 郑州 2 所未报学校（2 位填报人）发送催报；4 小时内已提醒过的学校会跳过。\n回复「确认」发送，回复其他取消。', started: false, confirm: 2 } });
    await t!.deliver();
    expect(t!.api.textsTo('zhao')).toEqual([]);
    const ok = await nudge(token, { confirm: 2, requestId: 'req-0000000001' });
    expect(ok.body).toEqual({ text: '正在发送催报：郑州 2 所未报学校（2 位填报人）；4 小时内已提醒过的学校会跳过。发出后告诉您结果。', started: true });
    // The same confirmation sent again (a double tap, a retried request) writes nothing more.
    await nudge(token, { confirm: 2, requestId: 'req-0000000001' });
    await t!.deliver();
    expect(t!.api.textsTo('zhao')).toEqual(['【月报提醒】郑州铁路职业技术学院：2026年10月培训月报还没有开始，回复「填报」开始。11月10日截止，还有 6 天。']);
    expect(t!.api.textsTo('li')).toEqual([]);
    expect(t!.api.textsTo('zzcity').filter((x) => x.startsWith('催报完成'))).toEqual(['催报完成：郑州 2 所学校，送达 2 人。']);
  });

  it('refuses a missing, forged, tampered or expired link, and a member no longer on the staff list', async () => {
    const clock = await setup();
    const url = await linkFor('sheng');
    const token = tokenOf(url);
    // Without a link or a session the page sends the browser to WeCom's sign-in (网页授权; see signin.test.ts).
    const missing = await fetch(`${t!.baseUrl}/dashboard`, { redirect: 'manual' });
    expect(missing.status).toBe(302);
    expect(missing.headers.get('location')).toMatch(/\/connect\/oauth2\/authorize\?appid=/);
    const [payload, signature] = token.split('.');
    const forged = await get(`${t!.baseUrl}/dashboard?t=${payload}.${signature!.slice(0, -3)}abc`);
    expect(forged.status).toBe(403);
    expect(forged.html).toContain('<h1>链接无效</h1>');
    // Someone else's name with the officer's signature.
    const other = Buffer.from(JSON.stringify({ u: 'zzcity', e: 9_999_999_999 })).toString('base64url');
    expect((await get(`${t!.baseUrl}/dashboard?t=${other}.${signature}`)).status).toBe(403);
    for (const junk of ['x', 'a.b.c', '..', '%00']) expect((await get(`${t!.baseUrl}/dashboard?t=${junk}`)).status).toBe(403);
    expect((await nudge(null, {})).status).toBe(401);
    expect((await nudge(`${payload}.x`, {})).body.error).toContain('链接无效');

    // The staff member is removed from the roster: the link is no longer honoured.
    await importRoster(t!.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nzzcity,周市,city,郑州\n'), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    const removed = await get(url);
    expect(removed.status).toBe(403);
    expect(removed.html).toContain('您不在月报名单中');

    const city = await linkFor('zzcity');
    expect((await get(city)).status).toBe(200);
    clock.advance(24 * 3_600_000);
    const expired = await get(city);
    expect(expired.status).toBe(401);
    expect(expired.html).toContain('这个看板链接已于 2026-11-06 09:00 过期');
  });

  it('turns away bad nudge requests with a reason, and offers no nudge outside the filing window', async () => {
    const clock = await setup();
    const token = tokenOf(await linkFor('sheng'));
    expect(await nudge(token, '{not json')).toEqual({ status: 400, body: { error: '请求格式不对。' } });
    expect(await nudge(token, { city: '北京' })).toEqual({ status: 400, body: { error: '「北京」不是河南的市县名。' } });
    expect(await nudge(token, { category: 'E' })).toEqual({ status: 400, body: { error: '「E」不是学校类别（A、B、C、D）。' } });
    expect(await nudge(token, { confirm: 'two', requestId: 'req-0000000001' })).toEqual({ status: 400, body: { error: '确认催报需要学校数和请求编号。' } });
    expect(await nudge(token, { confirm: 2 })).toEqual({ status: 400, body: { error: '确认催报需要学校数和请求编号。' } });
    // One school needs no confirmation.
    expect((await nudge(token, { city: '洛阳市', category: 'D' })).body.text).toContain('正在发送催报：洛阳 · D 类 1 所未报学校');
    // A confirmation whose count no longer holds is asked again with the new count (409).
    expect(await nudge(token, { confirm: 9, requestId: 'req-0000000002' })).toMatchObject({ status: 409, body: { started: false, confirm: 4, text: expect.stringContaining('名单有变化，现在是 4 所。') } });
    clock.set('2026-11-11T01:00:00Z');
    const fresh = tokenOf(await linkFor('sheng'));
    expect((await nudge(fresh, {})).body).toEqual({ text: '2026年10月月报已于 11月10日截止，逾期未报的学校按零申报（未报）处理，不再催报；学校如需补报，请回复「解锁 学校 2026-10」。', started: false });
    const page = await get(`${t!.baseUrl}/dashboard?t=${fresh}`);
    expect(page.html).not.toContain('id="nudge"');
    expect(page.html).toContain('月报已截止，逾期未报的学校按零申报（未报）处理，不再催报');
  });

  it('answers a page or a nudge with a Chinese 503 when the store fails, and keeps serving after', async () => {
    let failing = false;
    const flaky = (stores: Stores): Stores => ({
      ...stores,
      records: new Proxy(stores.records, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (prop === 'statusSets') {
            return async (...args: unknown[]) => {
              if (failing) throw new Error('connection lost');
              return (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            };
          }
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      }),
    });
    await setup({ links: true, wrapStores: flaky });
    const url = await linkFor('sheng');
    failing = true;
    const page = await get(url);
    expect(page.status).toBe(503);
    expect(page.html).toContain('<h1>看板暂时打不开</h1>');
    expect(await nudge(tokenOf(url), {})).toEqual({ status: 503, body: { error: '看板暂时打不开：系统暂时无法读取数据，请过一两分钟再试；链接仍然有效。' } });
    failing = false;
    expect((await get(url)).status).toBe(200);
  });
});
