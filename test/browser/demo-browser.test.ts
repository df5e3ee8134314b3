import { mkdirSync, statSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startDemo } from '../../src/demo/demo';
import { browserSkipReason, launchChromium, type TestBrowser } from '../helpers/browser';
import { deletePrefix } from '../helpers/redis-server';

/**
 * The demo in a real headless Chromium: the emulator page sends real signed, encrypted callbacks;
 * the dashboard is opened from the card the bot sends. UPDATE_SCREENSHOTS=1 rewrites docs/*.png.
 */
const shots = process.env.UPDATE_SCREENSHOTS ? 'docs' : null;

describe.skipIf(browserSkipReason !== null)('demo and dashboard in Chromium', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  let chrome: TestBrowser;
  let chat: Page;

  beforeAll(async () => {
    demo = await startDemo({ LOG_LEVEL: 'silent', REDIS_URL: inject('redisUrl') }, 0);
    chrome = await launchChromium();
    chat = await chrome.context.newPage();
    await chat.goto(demo.url);
    await chat.locator('#who option').first().waitFor({ state: 'attached' });
    if (shots) mkdirSync(shots, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await chrome?.close();
    await demo?.stop();
    if (demo?.keyPrefix) {
      const redis = new Redis(inject('redisUrl'));
      await deletePrefix(redis, demo.keyPrefix);
      redis.disconnect();
    }
  });

  const bubbles = (page: Page) => page.locator('#chat .msg');
  /** Types a line as the chosen person and waits for the bot's passive reply to show. */
  async function say(user: string, text: string): Promise<string> {
    await chat.selectOption('#who', user);
    const before = await bubbles(chat).count();
    await chat.fill('#text', text);
    await chat.press('#text', 'Enter');
    // Our line, then the bot's answer.
    await expect.poll(() => bubbles(chat).count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 2);
    return (await bubbles(chat).nth(before + 1).innerText()).trim();
  }

  it('files a report as a school contact, counts it on the provincial dashboard, nudges the owing schools, and refuses a forged link', async () => {
    // The app menu is a row of buttons: 查询进度 as a school contact.
    await chat.selectOption('#who', 't410102');
    await chat.click('[data-click="progress"]');
    await expect.poll(() => bubbles(chat).count()).toBe(2);
    expect(await bubbles(chat).nth(0).innerText()).toBe('〔菜单〕查询进度');
    expect(await bubbles(chat).nth(1).innerText()).toContain('郑州第3中等职业学校');

    // A school contact files October through the page.
    expect(await say('t410102', '填报')).toContain('开始填写 郑州第3中等职业学校 2026年10月培训月报');
    // Mid-report, for the screenshot: a school resuming its draft and answering a part.
    expect(await say('t410101', '继续')).toContain('继续填写');
    expect(await say('t410101', '120')).toContain('14/51');
    expect(await say('t410101', '很多')).toContain('14/51');
    if (shots) await chat.screenshot({ path: `${shots}/emulator-mid-report.png` });

    // 10月无培训 in two clicks: the button that came with the first question, then 确认提交 on the card after it.
    await chat.selectOption('#who', 't410102');
    const zero = chat.locator('#chat .card .buttons button', { hasText: '10月无培训' }).last();
    await zero.waitFor({ timeout: 10_000 });
    await zero.click();
    const confirm = chat.locator('#chat .card .buttons button', { hasText: '确认提交' }).last();
    await confirm.waitFor({ timeout: 10_000 });
    expect(await chat.locator('#chat').innerText()).toContain('（同9月）');
    if (shots) await chat.screenshot({ path: `${shots}/emulator-buttons.png` });
    await confirm.click();
    await expect.poll(() => chat.locator('#chat').innerText(), { timeout: 10_000 }).toContain('✅ 已提交 2026年10月培训月报（已报 · 无培训）');
    // Each clicked card shows what was chosen and has no buttons left.
    expect(await chat.locator('#chat .card .done').allInnerTexts()).toEqual(['已选：10月无培训', '已选：确认提交']);

    // The provincial officer asks for 进度 and gets the dashboard card.
    expect(await say('sheng', '进度')).toContain('已报 11（含逾期补报 0）');
    const open = chat.locator('#chat .card a.open').last();
    await open.waitFor({ timeout: 10_000 });
    const [dashboard] = await Promise.all([chrome.context.waitForEvent('page'), open.click()]);
    await dashboard.waitForLoadState('load');
    // Four charts of filing and progress, four of the breakdowns (content, form, industry, groups).
    await expect.poll(() => dashboard.locator('body').getAttribute('data-charts')).toBe('8');
    expect(await dashboard.locator('#breakdown-5 tbody tr').count()).toBe(21);
    if (shots) await dashboard.locator('#chart-breakdown-5').screenshot({ path: `${shots}/dashboard-breakdown-industry.png` });
    if (shots) await dashboard.locator('#breakdown-6').screenshot({ path: `${shots}/dashboard-breakdown-groups.png` });
    // The same breakdowns for one city, chosen on the page: tables, charts and headings follow.
    const provinceTotal = await dashboard.locator('#breakdown-5 tbody').innerText();
    await dashboard.selectOption('#breakdown-group', { label: '郑州' });
    await expect.poll(() => dashboard.locator('.breakdown-scope').first().innerText()).toBe('郑州');
    expect(await dashboard.locator('#breakdown-5 tbody').innerText()).not.toBe(provinceTotal);
    if (shots) await dashboard.waitForTimeout(1_000);
    if (shots) await dashboard.locator('section', { has: dashboard.locator('#chart-breakdown-2') }).screenshot({ path: `${shots}/dashboard-breakdown-city.png` });
    await dashboard.selectOption('#breakdown-group', { label: '全省' });
    await expect.poll(() => dashboard.locator('#breakdown-5 tbody').innerText()).toBe(provinceTotal);
    expect(await dashboard.locator('h1').innerText()).toBe('月报看板 · 全省');
    expect(await dashboard.locator('#tile-filed small').innerText()).toContain('已报 11 / 共 30 所');
    const zhengzhou = dashboard.locator('#status-by-city tr[data-group="郑州"] td');
    expect(await zhengzhou.nth(2).innerText()).toBe('4');
    expect(await dashboard.locator('#owing-table tr[data-code="410102"]').count()).toBe(0);
    expect(await dashboard.locator('#chart-status-city canvas').count()).toBeGreaterThan(0);
    // At 390 × 844 nothing is cut off on the right: every table stacks into one card per row.
    expect(await dashboard.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    expect(await dashboard.locator('#status-by-city thead').isVisible()).toBe(false);
    expect(await dashboard.locator('#status-by-city tr[data-group="郑州"] td').nth(2).evaluate((td) => (globalThis as unknown as { getComputedStyle: (e: unknown, p: string) => { content: string } }).getComputedStyle(td, '::before').content)).toBe('"已报"');
    // The filed list, and both headings' counts follow the filter.
    const filedRows = await dashboard.locator('#filed-table tbody tr').count();
    expect(filedRows).toBe(11);
    await dashboard.selectOption('#nudge-city', '郑州');
    expect(await dashboard.locator('#filed-count').innerText()).toBe(String(await dashboard.locator('#filed-table tbody tr:visible').count()));
    expect(await dashboard.locator('#owing-count').innerText()).toBe(String(await dashboard.locator('#owing-table tbody tr:visible').count()));
    expect(await dashboard.locator('#filed-table tbody tr:visible').evaluateAll((rows) => rows.every((r) => r.getAttribute('data-city') === '郑州'))).toBe(true);
    // A draft says how far it has got.
    expect(await dashboard.locator('#owing-table tr[data-code="410101"] td[data-label="状态"]').innerText()).toBe('填报中(13/51)');
    await dashboard.selectOption('#nudge-city', '');
    expect(await dashboard.locator('#filed-count').innerText()).toBe(String(filedRows));
    // ECharts animates for about a second: let the bars settle before a picture.
    if (shots) await dashboard.waitForTimeout(1_500);
    if (shots) await dashboard.locator('#owing').screenshot({ path: `${shots}/dashboard-phone-owing.png` });
    // The top of the page (the breakdown pictures above scrolled it down).
    if (shots) await dashboard.evaluate("window.scrollTo(0, 0)");
    if (shots) await dashboard.screenshot({ path: `${shots}/dashboard-phone.png` });
    if (shots) {
      await dashboard.setViewportSize({ width: 1100, height: 900 });
      await dashboard.waitForTimeout(1_500);
      await dashboard.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });
      await dashboard.setViewportSize({ width: 390, height: 844 });
    }

    // The first owing school, from the dashboard's own list; then nudge every owing school.
    const owingCode = await dashboard.locator('#owing-table tbody tr').first().getAttribute('data-code');
    expect(owingCode).toMatch(/^41\d{4}$/);
    const owingCount = await dashboard.locator('#owing-table tbody tr').count();
    // Narrowing to a city shows only its schools and says how many the button will nudge.
    expect(await dashboard.locator('#nudge').innerText()).toBe(`催报这 ${owingCount} 所学校`);
    await dashboard.selectOption('#nudge-city', '洛阳');
    const luoyang = dashboard.locator('#owing-table tbody tr:visible');
    const shown = await luoyang.count();
    expect(shown).toBeGreaterThan(0);
    expect(await luoyang.evaluateAll((rows) => rows.every((r) => r.getAttribute('data-city') === '洛阳'))).toBe(true);
    expect(await dashboard.locator('#nudge').innerText()).toBe(`催报这 ${shown} 所学校`);
    await dashboard.selectOption('#nudge-city', '');
    expect(await dashboard.locator('#owing-table tbody tr:visible').count()).toBe(owingCount);
    // The button first shows the exact count; nothing goes out until 「确认发送」.
    await dashboard.click('#nudge');
    await expect.poll(() => dashboard.locator('#nudge-result').innerText()).toContain(`将向 全省 ${owingCount} 所未报学校`);
    expect(await dashboard.locator('#nudge-confirm').isVisible()).toBe(true);
    await dashboard.click('#nudge-confirm');
    await expect.poll(() => dashboard.locator('#nudge-result').innerText()).toContain(`正在发送催报：全省 ${owingCount} 所未报学校`);
    expect(await dashboard.locator('#nudge-confirm').isVisible()).toBe(false);

    // The nudge arrives in that school's chat on the emulator page.
    await chat.bringToFront();
    await chat.selectOption('#who', `t${owingCode}`);
    await expect.poll(() => chat.locator('#chat').innerText(), { timeout: 10_000 }).toContain('【月报提醒】');
    // And the officer gets the delivery report in chat.
    await chat.selectOption('#who', 'sheng');
    await expect.poll(() => chat.locator('#chat').innerText(), { timeout: 10_000 }).toContain(`催报完成：全省 ${owingCount} 所学校`);

    // 导出: the .xlsx arrives in the officer's chat as a file, and downloads.
    expect(await say('sheng', '导出')).toBe('正在生成 2026年10月月报表（全省），稍后以文件发给您。');
    const file = chat.locator('#chat a[href^="/demo/api/media/"]').last();
    await file.waitFor({ timeout: 10_000 });
    const [download] = await Promise.all([chat.waitForEvent('download'), file.click()]);
    expect(download.suggestedFilename()).toBe('2026-10 职业培训月报表.xlsx');
    const saved = await download.path();
    expect(statSync(saved).size).toBeGreaterThan(5_000);

    // A school's own page, from the owing list.
    await dashboard.bringToFront();
    const [schoolPage] = await Promise.all([dashboard.waitForNavigation(), dashboard.click(`#owing-table tr[data-code="${owingCode}"] a`)]);
    expect(schoolPage?.status()).toBe(200);
    await expect.poll(() => dashboard.locator('body').getAttribute('data-charts')).toBe('1');
    expect(await dashboard.locator('#school-months tbody tr').count()).toBe(10);
    expect(await dashboard.locator('#tile-period b').innerText()).toMatch(/^(未开始|填报中)$/);
    if (shots) await dashboard.waitForTimeout(1_500);
    if (shots) await dashboard.screenshot({ path: `${shots}/dashboard-school.png`, fullPage: true });
    expect(await dashboard.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    // A filed school's page: its report is reviewed from here (退回 needs the reason), and its history is listed, newest first.
    await dashboard.goBack();
    const [filedPage] = await Promise.all([dashboard.waitForNavigation(), dashboard.click('#filed-table tr[data-code="410102"] a')]);
    expect(filedPage?.status()).toBe(200);
    expect(await dashboard.locator('#review-state').innerText()).toBe('待审');
    await dashboard.click('#review-return');
    expect(await dashboard.locator('#review-result').innerText()).toBe('退回请写明原因，学校会看到它。');
    await dashboard.fill('#review-reason', '专任教师数与上月相差较大，请核实');
    await dashboard.click('#review-return');
    await expect.poll(() => dashboard.locator('#review-result').innerText()).toContain('已退回 郑州第3中等职业学校 2026年10月月报（已报），原因：专任教师数与上月相差较大，请核实');
    expect(await dashboard.locator('#review-return').isDisabled()).toBe(true);
    // The school hears of it in its chat, with the reason.
    await chat.bringToFront();
    await chat.selectOption('#who', 't410102');
    await expect.poll(() => chat.locator('#chat').innerText(), { timeout: 10_000 }).toContain('原因：专任教师数与上月相差较大，请核实');
    await dashboard.bringToFront();
    await dashboard.reload();
    expect(await dashboard.locator('#review-state').innerText()).toContain('退回（王主任（省职成教处）：专任教师数与上月相差较大，请核实）');
    const history = await dashboard.locator('#history-list li').allInnerTexts();
    expect(history[0]).toContain('王主任（省职成教处） · 退回 10月月报 · 原因：专任教师数与上月相差较大，请核实');
    expect(history.some((l) => l.includes('提交 10月月报（已报）'))).toBe(true);
    expect(await dashboard.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    if (shots) await dashboard.waitForTimeout(1_500);
    if (shots) await dashboard.screenshot({ path: `${shots}/dashboard-school-phone.png`, fullPage: true });

    // A forged link: the officer's token with its signature changed.
    const url = new URL(dashboard.url());
    const token = url.searchParams.get('t')!;
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    url.searchParams.set('t', `${token.slice(0, -2)}${last}${token.at(-1)}`);
    const forged = await chrome.context.newPage();
    const response = await forged.goto(url.toString());
    expect(response?.status()).toBe(403);
    expect(await forged.locator('h1').innerText()).toBe('链接无效');
    expect(await forged.locator('body').innerText()).toContain('发送「进度」');
    // The card keeps a margin on each side of a phone's screen.
    const box = (await forged.locator('.refusal').boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(12);
    expect(box.x + box.width).toBeLessThanOrEqual(390 - 12);
    if (shots) await forged.screenshot({ path: `${shots}/dashboard-error-phone.png` });
  }, 90_000);

  it('signs the chosen person in to the dashboard by WeCom identity: authorize, callback, session; a school contact sees their school', async () => {
    await chat.bringToFront();
    await chat.selectOption('#who', 'zhengzhou');
    const [officer] = await Promise.all([chrome.context.waitForEvent('page'), chat.click('#open-dashboard')]);
    await officer.waitForLoadState('load');
    // The chain went through the stand-in's authorize page and came back signed in.
    expect(new URL(officer.url()).pathname).toBe('/dashboard');
    expect(await officer.locator('h1').innerText()).toBe('月报看板 · 郑州');
    const cookies = await chrome.context.cookies();
    const session = cookies.find((c) => c.name === 'yb_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/dashboard' });
    // The same browser, now as a school contact: their own school's page.
    await chat.bringToFront();
    await chat.selectOption('#who', 't410103');
    const [contact] = await Promise.all([chrome.context.waitForEvent('page'), chat.click('#open-dashboard')]);
    await contact.waitForLoadState('load');
    expect(new URL(contact.url()).pathname).toBe('/dashboard/school/410103');
    expect(await contact.locator('h1').innerText()).toBe('郑州第4职业高级中学');
    if (shots) await contact.screenshot({ path: `${shots}/dashboard-signed-in-school.png` });
    await officer.close();
    await contact.close();
  }, 60_000);

  it('sets the demo clock and runs the close as if that moment had come, from the page', async () => {
    await chat.bringToFront();
    await chat.click('#clock-toggle');
    await chat.fill('#clock-at', '2026-11-11T08:10');
    await chat.selectOption('#clock-job', 'close');
    await chat.click('#clock-run');
    await expect.poll(() => chat.locator('#clock-result').innerText(), { timeout: 10_000 }).toMatch(/关账 2026年10月：新记零申报 \d+ 所，之前已记 0 所。\n关账 2026年10月完成：送达 \d+ 人，无效账号 0，失败 0。/);
    expect(await chat.locator('#clock-now').innerText()).toMatch(/^2026-11-11 08:1\d$/);
    // The school that had not filed is told of its zero report.
    await chat.selectOption('#who', 't410104');
    await expect.poll(() => chat.locator('#chat').innerText(), { timeout: 10_000 }).toContain('零申报');
    // A reload of the page keeps the chats.
    await chat.reload();
    await expect.poll(() => chat.locator('#who').inputValue()).toBe('t410104');
    expect(await chat.locator('#chat').innerText()).toContain('零申报');
    await chat.selectOption('#who', 't410102');
    expect(await chat.locator('#chat').innerText()).toContain('✅ 已提交 2026年10月培训月报');
  }, 60_000);
});
