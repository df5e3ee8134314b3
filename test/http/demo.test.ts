import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo } from '../../src/demo/demo';

describe('npm run demo', () => {
  let demo: Awaited<ReturnType<typeof startDemo>>;
  beforeAll(async () => {
    demo = await startDemo({ LOG_LEVEL: 'silent' }, 0);
  });
  afterAll(async () => demo.stop());

  const base = () => demo.url.replace(/\/demo$/, '');
  const say = async (user: string, text: string) => {
    const res = await fetch(`${base()}/demo/api/say`, { method: 'POST', body: JSON.stringify({ user, text }) });
    return ((await res.json()) as { reply: string | null }).reply ?? '';
  };
  const inbox = async (user: string) => ((await (await fetch(`${base()}/demo/api/inbox?user=${user}`)).json()) as { messages: { kind: string; text?: string; mediaId?: string; filename?: string; title?: string; url?: string }[] }).messages;
  const until = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
  };

  it('serves the emulator page and the demo people', async () => {
    const page = await fetch(demo.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>月报 · 企业微信模拟器</title>');
    const people = (await (await fetch(`${base()}/demo/api/people`)).json()) as { schools: { userId: string; label: string }[]; staff: { userId: string }[] };
    expect(people.schools).toHaveLength(30);
    expect(people.staff.map((s) => s.userId)).toEqual(['sheng', 'zhengzhou', 'luoyang']);
  });

  it('lets a school file through real callbacks and a provincial officer see it counted, nudge and export', async () => {
    // 410102, the third school, has not started October in the demo data (the second is drafting).
    expect(await say('t410101', '填报')).toContain('继续填写，已完成 12/51');
    const user = 't410102';
    expect(await say(user, '填报')).toContain('开始填写 郑州第3中等职业学校 2026年10月培训月报');
    // The demo school has September filed: its staff figures are carried, and one 确认 submits.
    expect(await say(user, '10月无培训')).toContain('（同9月）');
    expect(await say(user, '确认')).toContain('✅ 已提交 2026年10月培训月报（已报 · 无培训）');
    expect(await say('sheng', '进度')).toContain('已报 11（含逾期补报 0）');
    expect(await say('sheng', '催报 洛阳')).toContain('将向 洛阳');
    expect(await say('sheng', '确认')).toContain('正在发送催报：洛阳');
    await until(async () => (await inbox('t410108')).length > 0);
    expect((await inbox('t410108'))[0]?.text).toContain('【月报提醒】');
    await until(async () => (await inbox('sheng')).some((m) => m.text?.startsWith('催报完成') === true));
    expect((await inbox('sheng')).find((m) => m.text?.startsWith('催报完成'))?.text).toMatch(/^催报完成：洛阳 \d 所学校，送达 \d 人。/);
    expect(await say('sheng', '导出')).toBe('正在生成 2026年10月月报表（全省），稍后以文件发给您。');
    await until(async () => (await inbox('sheng')).some((m) => m.kind === 'file'));
    const file = (await inbox('sheng')).find((m) => m.kind === 'file')!;
    expect(file.filename).toBe('2026-10 职业培训月报表.xlsx');
    const download = await fetch(`${base()}/demo/api/media/${file.mediaId}`);
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBeGreaterThan(5_000);
  });

  it('refuses a malformed say with a 400', async () => {
    const res = await fetch(`${base()}/demo/api/say`, { method: 'POST', body: JSON.stringify({ user: 'x' }) });
    expect(res.status).toBe(400);
  });

  it('puts the dashboard link on the card after 进度, pointing at the demo itself', async () => {
    await say('luoyang', '进度');
    await until(async () => (await inbox('luoyang')).some((m) => m.kind === 'card'));
    const card = (await inbox('luoyang')).find((m) => m.kind === 'card')!;
    expect(card.title).toBe('月报看板 · 洛阳');
    expect(card.url!.startsWith(`${base()}/dashboard?t=`)).toBe(true);
    const page = await fetch(card.url!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>月报看板 · 洛阳</h1>');
  });

  it('sets the demo clock and runs a job as if that moment had come; a bad time or job gets a reason', async () => {
    const clock = async (body: unknown) => {
      const res = await fetch(`${base()}/demo/api/clock`, { method: 'POST', body: JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as { clock?: { label: string }; lines?: string[]; error?: string } };
    };
    expect(((await (await fetch(`${base()}/demo/api/clock`)).json()) as { label: string }).label).toMatch(/^2026-11-05 09:0\d$/);
    expect(await clock({ at: '11月8日' })).toMatchObject({ status: 400, body: { error: '「11月8日」不是时间，请写成 2026-11-08T09:10。' } });
    expect((await clock({ job: 'bogus' })).body.lines).toEqual(['没有「bogus」这个任务。可用：nudge、close、notice、digest、open。']);
    const before = (await inbox('t410104')).length;
    const run = await clock({ at: '2026-11-08T09:10', job: 'nudge' });
    expect(run.body.clock!.label).toBe('2026-11-08 09:10');
    expect(run.body.lines![0]).toBe('演示时间已设为 2026-11-08 09:10。');
    expect(run.body.lines!.at(-1)).toMatch(/^催报 2026年10月（.+）完成：送达 \d+ 人，无效账号 0，失败 0。$/);
    expect(run.body.lines!.some((l) => /\d+\/\d+$/.test(l))).toBe(false);
    await until(async () => (await inbox('t410104')).length > before);
    expect((await inbox('t410104')).at(-1)?.text).toContain('【月报提醒】郑州第5职业技术学院：2026年10月培训月报还没有开始');
    // Quiet hours hold, as they would for the scheduler.
    expect((await clock({ at: '2026-11-08T22:30', job: 'nudge' })).body.lines!.at(-1)).toContain('现在是静默时段');
  });
});
