import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { SAMPLE, startTestServer, type TestServer } from '../helpers/test-server';

const SCHOOLS = ['code,name,city,level,category,pilot,contacts', '4102,郑州铁路职业技术学院,郑州,高职,A,是,zhao', '4103,郑州市电子信息工程学校,郑州,中职,C,否,wang'].join('\n');

/**
 * Sign-in by WeCom identity (网页授权) through the real server and the stand-in's authorize page
 * and auth/getuserinfo, following the redirects by hand as a browser would (the whole chain in
 * Chromium is in the browser tests).
 */
describe('dashboard sign-in by WeCom identity', () => {
  let t: TestServer | undefined;
  afterEach(async () => t?.close());

  async function setup(stub: { trustedDomain?: string } = {}, logs?: Record<string, unknown>[]) {
    const clock = new ManualClock('2026-11-05T01:00:00Z');
    t = await startTestServer({ clock, links: true, stub, ...(logs ? { logs } : {}) });
    await importRoster(t.stores, 'schools', 'schools.csv', Buffer.from(SCHOOLS), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    await importRoster(t.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nsheng,王省,province,\nzzcity,周市,city,郑州\n'), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    return clock;
  }

  /** A browser's cookie jar for the dashboard's host. */
  class Browser {
    cookies = new Map<string, string>();
    async get(url: string): Promise<Response> {
      const sameHost = url.startsWith(t!.baseUrl);
      const res = await fetch(url, { redirect: 'manual', headers: sameHost && this.cookies.size > 0 ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {} });
      if (sameHost) {
        for (const c of res.headers.getSetCookie()) {
          const [pair] = c.split(';');
          const [k, v] = pair!.split('=');
          if (v === '' || /max-age=0|expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(k!);
          else this.cookies.set(k!, v!);
        }
      }
      return res;
    }
    /** Follows redirects (at most 6), as WeCom's browser does; returns the last answer and the URLs passed. */
    async open(url: string): Promise<{ res: Response; trail: string[] }> {
      const trail = [url];
      let res = await this.get(url);
      for (let i = 0; i < 6 && res.status >= 300 && res.status < 400; i++) {
        const next = new URL(res.headers.get('location')!, trail.at(-1)).toString();
        trail.push(next);
        res = await this.get(next);
      }
      return { res, trail };
    }
  }

  it('signs a staff member in: authorize → callback → a session cookie, HttpOnly and SameSite=Lax; the page follows', async () => {
    await setup();
    t!.api.webUser = 'sheng';
    const browser = new Browser();
    const first = await browser.get(`${t!.baseUrl}/dashboard`);
    expect(first.status).toBe(302);
    const authorize = new URL(first.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${t!.api.url}/connect/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({ appid: SAMPLE.corpId, redirect_uri: `${t!.baseUrl}/dashboard/auth/callback`, response_type: 'code', scope: 'snsapi_base', agentid: '1000002' });
    expect(authorize.hash).toBe('#wechat_redirect');
    expect(authorize.searchParams.get('state')!.length).toBeLessThanOrEqual(128);
    const { res, trail } = await browser.open(first.headers.get('location')!.replace('#wechat_redirect', ''));
    expect(trail.map((u) => new URL(u).pathname)).toEqual(['/connect/oauth2/authorize', '/dashboard/auth/callback', '/dashboard']);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<h1>月报看板 · 全省</h1>');
    expect(browser.cookies.has('yb_session')).toBe(true);
    expect(t!.api.callsTo('auth/getuserinfo')).toHaveLength(1);
    // The callback opened again without this browser's sign-in cookie is refused.
    const callback = await fetch(trail[1]!, { redirect: 'manual' });
    expect(callback.status).toBe(403);
    // The session cookie's flags, as a fresh sign-in's callback sets them.
    const again = new Browser();
    const start = await again.get(`${t!.baseUrl}/dashboard/school/4102`);
    const back = await fetch(start.headers.get('location')!.replace('#wechat_redirect', ''), { redirect: 'manual' });
    const cb = await again.get(back.headers.get('location')!);
    const setCookie = cb.headers.getSetCookie().find((c) => c.startsWith('yb_session='))!;
    expect(setCookie).toMatch(/httponly/i);
    expect(setCookie).toMatch(/samesite=lax/i);
    expect(setCookie).toMatch(/path=\/dashboard/i);
    // Back where the sign-in began.
    expect(cb.headers.get('location')).toBe('/dashboard/school/4102');
  });

  it('shows a school contact their own school’s page, and no other', async () => {
    await setup();
    t!.api.webUser = 'zhao';
    const browser = new Browser();
    const { res, trail } = await browser.open(`${t!.baseUrl}/dashboard`);
    expect(new URL(trail.at(-1)!, t!.baseUrl).pathname).toBe('/dashboard/school/4102');
    const html = await res.text();
    expect(html).toContain('<h1>郑州铁路职业技术学院</h1>');
    expect(html).not.toContain('id="review"');
    expect(html).not.toContain('返回看板');
    expect((await browser.get(`${t!.baseUrl}/dashboard/school/4103`)).status).toBe(404);
    const api = await fetch(`${t!.baseUrl}/dashboard/api/nudge`, { method: 'POST', headers: { cookie: `yb_session=${browser.cookies.get('yb_session')}` }, body: '{}' });
    expect(api.status).toBe(403);
  });

  it('refuses a reused code, an expired one, a foreign state, and someone not on the roster', async () => {
    await setup();
    t!.api.webUser = 'sheng';
    const browser = new Browser();
    const start = await browser.get(`${t!.baseUrl}/dashboard`);
    const back = await fetch(start.headers.get('location')!.replace('#wechat_redirect', ''), { redirect: 'manual' });
    const callbackUrl = back.headers.get('location')!;
    // Login CSRF: the code and state of this sign-in, opened in another browser (without its nonce cookie).
    const attacker = new Browser();
    const foreign = await attacker.get(callbackUrl);
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain('登录请求无效');
    expect(attacker.cookies.has('yb_session')).toBe(false);
    // The code itself is single-use: the real browser signs in once; its second use is refused by WeCom (40029).
    expect((await browser.get(callbackUrl)).status).toBe(302);
    const replay = new Browser();
    const second = await replay.get(`${t!.baseUrl}/dashboard`);
    const code = new URL(callbackUrl).searchParams.get('code')!;
    const state = new URL(second.headers.get('location')!.replace('#wechat_redirect', '')).searchParams.get('state')!;
    const reused = await replay.get(`${t!.baseUrl}/dashboard/auth/callback?code=${code}&state=${state}`);
    expect(reused.status).toBe(401);
    expect(await reused.text()).toContain('登录码无效或已过期');
    // A code older than 5 minutes.
    const late = new Browser();
    const s3 = await late.get(`${t!.baseUrl}/dashboard`);
    const b3 = await fetch(s3.headers.get('location')!.replace('#wechat_redirect', ''), { redirect: 'manual' });
    t!.api.ageOAuthCodes(6 * 60_000);
    expect((await late.get(b3.headers.get('location')!)).status).toBe(401);
    // Someone WeCom knows but the roster does not.
    t!.api.webUser = 'stranger';
    const { res } = await new Browser().open(`${t!.baseUrl}/dashboard`);
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('您不在月报名单中');
  });

  it('refuses a signed-in member removed from the roster on the next request', async () => {
    const clock = await setup();
    t!.api.webUser = 'zzcity';
    const browser = new Browser();
    expect((await browser.open(`${t!.baseUrl}/dashboard`)).res.status).toBe(200);
    await importRoster(t!.stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nsheng,王省,province,\n'), { dryRun: false, by: 'ops', now: clock.now() }, () => undefined);
    const next = await browser.get(`${t!.baseUrl}/dashboard`);
    expect(next.status).toBe(403);
    expect(await next.text()).toContain('您不在月报名单中');
  });

  it('logs what to configure when WeCom answers 50001 (the redirect not on the app’s 可信域名)', async () => {
    const logs: Record<string, unknown>[] = [];
    await setup({ trustedDomain: 'yuebao.example.gov.cn' }, logs);
    t!.api.webUser = 'sheng';
    const { res } = await new Browser().open(`${t!.baseUrl}/dashboard`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('可信域名');
    // The sign-in's own line names the address to register (the client logs the API's answer too).
    const line = logs.find((l) => l.errcode === 50001 && l.level === 50 && l.publicBaseUrl !== undefined);
    expect(line?.msg).toBe("WeCom auth/getuserinfo answered 50001 redirect_url not authorised — the sign-in's redirect is not on the app's 可信域名: set 网页授权及JS-SDK → 可信域名 to PUBLIC_BASE_URL's host");
    expect(line?.publicBaseUrl).toBe(t!.baseUrl);
  });

  it('marks its cookies Secure when PUBLIC_BASE_URL is HTTPS, though TLS ends before this server', async () => {
    const clock = new ManualClock('2026-11-05T01:00:00Z');
    t = await startTestServer({ clock, env: { PUBLIC_BASE_URL: 'https://yuebao.example.gov.cn' } });
    const res = await fetch(`${t.baseUrl}/dashboard`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location')!).searchParams.get('redirect_uri')).toBe('https://yuebao.example.gov.cn/dashboard/auth/callback');
    expect(res.headers.getSetCookie().find((c) => c.startsWith('yb_signin='))).toMatch(/; secure/i);
  });
});
