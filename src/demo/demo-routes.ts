import Router from '@koa/router';
import type Koa from 'koa';
import { readRawBody } from '../http/raw-body';
import type { WeComApiStub } from './wecom-api-emulator';
import type { WeComPlatform } from './wecom-platform';
import type { DemoPeople } from './demo-data';
import { demoPage } from './demo-page';
import { DateTime } from 'luxon';
import type { SettableClock } from '../clock/clock';
import { runJob } from '../cli/jobs-command';
import type { JobRunParts } from '../jobs/job-deps';

/**
 * The emulator page's server side plays WeCom: each line typed on /demo becomes a real signed,
 * encrypted callback to /wecom/callback, and the passive reply is opened and shown; what the bot
 * sends through the API (nudges, broadcasts, files) is read from the WeCom stand-in's records.
 */
export function demoRoutes(deps: { platform: WeComPlatform; api: WeComApiStub; people: DemoPeople; baseUrl: () => string; clock: SettableClock; jobs: JobRunParts }): Koa.Middleware {
  const router = new Router({ prefix: '/demo' });
  let msgId = BigInt(Date.now()) * 1000n;

  router.get('/', (ctx) => {
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = demoPage;
  });

  // Names this run of the demo, so that the page never shows chats kept from an earlier one.
  const run = msgId.toString(36);
  router.get('/api/tile', (ctx) => {
    const user = typeof ctx.query.user === 'string' ? ctx.query.user : '';
    ctx.body = { items: deps.api.tiles.get(user)?.items ?? null };
  });

  router.get('/api/people', (ctx) => {
    ctx.body = {
      run,
      schools: deps.people.schools.map((s) => ({ userId: s.contacts[0], label: `${s.name}（${s.city} · ${s.category} 类）填报人` })),
      staff: deps.people.staff.map((s) => ({ userId: s.userId, label: s.name })),
    };
  });

  // The person chosen on the page is the one signed in to the WeCom client: the stand-in's
  // authorize page signs them in; any earlier dashboard session of this browser is dropped first.
  router.get('/open-dashboard', (ctx) => {
    const as = typeof ctx.query.as === 'string' ? ctx.query.as : '';
    deps.api.webUser = as || null;
    ctx.cookies.set('yb_session', null, { path: '/dashboard' });
    ctx.redirect('/dashboard');
  });

  router.post('/api/say', async (ctx) => {
    const body = JSON.parse(await readRawBody(ctx.req, 16 * 1024)) as { user?: string; text?: string; click?: string; card?: { taskId?: string; key?: string } };
    if (!body.user || (!body.text && !body.click && !body.card)) {
      ctx.status = 400;
      ctx.body = { error: '缺少 user 或 text' };
      return;
    }
    let xml: string;
    if (body.card) {
      // A card's button, as WeCom's client allows it: not on a card already updated (the stand-in says why).
      const click = deps.api.click(body.user, String(body.card.taskId ?? ''), String(body.card.key ?? ''));
      if ('refused' in click) {
        ctx.body = { status: 200, reply: null, note: '这张卡片已经处理过，按钮不能再点。' };
        return;
      }
      xml = deps.platform.eventXml({ from: body.user, event: 'template_card_event', eventKey: click.key, taskId: click.taskId, cardType: click.cardType, responseCode: click.responseCode });
    } else if (body.click) xml = deps.platform.eventXml({ from: body.user, event: 'click', eventKey: body.click });
    else xml = deps.platform.textXml({ from: body.user, content: body.text!.slice(0, 2000), msgId: String(++msgId) });
    // As WeCom does: a callback that gets no 200 is sent again, three more times at most.
    let res: Response | null = null;
    for (let attempt = 0; attempt < 4 && res?.status !== 200; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 1_000));
      const { query, body: envelope } = deps.platform.envelope(xml);
      res = await fetch(`${deps.baseUrl()}/wecom/callback?${query}`, { method: 'POST', body: envelope });
    }
    const text = await res!.text();
    ctx.body = { status: res!.status, reply: res!.status === 200 && text !== '' ? (deps.platform.openReply(text).Content ?? '') : null };
  });

  router.get('/api/inbox', (ctx) => {
    const users = new Set(String(ctx.query.user ?? '').split(','));
    const after = Number(ctx.query.after ?? 0);
    const all = deps.api.delivered.map((d, i) => ({ i, ...d })).filter((d) => users.has(d.userId) && d.i >= after);
    ctx.body = {
      next: deps.api.delivered.length,
      messages: all.map((d) => {
        const b = d.body as Record<string, Record<string, string>>;
        const user = d.userId;
        if (d.msgtype === 'file') return { user, kind: 'file', mediaId: b.file!.media_id, filename: deps.api.files.get(b.file!.media_id!)?.filename ?? '文件' };
        if (d.msgtype === 'textcard') return { user, kind: 'card', title: b.textcard!.title, text: b.textcard!.description, url: b.textcard!.url };
        if (d.msgtype === 'template_card') {
          const card = d.body.template_card as { task_id: string; main_title: { title: string; desc: string }; button_list: { text: string; key: string }[] };
          return { user, kind: 'buttons', taskId: card.task_id, title: card.main_title.title, text: card.main_title.desc, buttons: card.button_list.map((x) => ({ key: x.key, text: x.text })) };
        }
        return { user, kind: 'text', text: b.text?.content ?? b.markdown?.content ?? '' };
      }),
    };
  });

  const zone = deps.jobs.cal.timezone;
  const clockView = () => {
    const d = DateTime.fromJSDate(deps.clock.now(), { zone });
    return { now: d.toISO(), label: d.toFormat('yyyy-MM-dd HH:mm'), local: d.toFormat("yyyy-MM-dd'T'HH:mm") };
  };

  router.get('/api/clock', (ctx) => {
    ctx.body = clockView();
  });

  // The clock control: set the demo's now (local time of REPORT_TIMEZONE), then optionally run a
  // scheduled job as if that moment had come — the same run as `npm run cli -- jobs run`.
  router.post('/api/clock', async (ctx) => {
    let body: { at?: string; job?: string };
    try {
      body = JSON.parse(await readRawBody(ctx.req, 4 * 1024)) as typeof body;
    } catch {
      ctx.status = 400;
      ctx.body = { error: '请求格式不对。' };
      return;
    }
    const lines: string[] = [];
    if (body.at) {
      const at = /[zZ]|[+-]\d\d:\d\d$/.test(body.at) ? DateTime.fromISO(body.at) : DateTime.fromISO(body.at, { zone });
      if (!at.isValid) {
        ctx.status = 400;
        ctx.body = { error: `「${body.at}」不是时间，请写成 2026-11-08T09:10。`, clock: clockView() };
        return;
      }
      deps.clock.set(at.toJSDate());
      lines.push(`演示时间已设为 ${clockView().label}。`);
    }
    if (body.job) {
      // Progress lines (N/M) are for a terminal; the page shows the summary.
      const print = (line: string) => void (/\d+\/\d+$/.test(line) ? undefined : lines.push(line));
      const code = await runJob(body.job, deps.jobs, { at: deps.clock.now(), dryRun: false }, print);
      if (code === 0 && lines.length <= (body.at ? 1 : 0)) lines.push('任务已运行：没有需要发送的。');
    }
    ctx.body = { clock: clockView(), lines };
  });

  router.get('/api/media/:id', (ctx) => {
    const file = deps.api.files.get(ctx.params.id!);
    if (!file) {
      ctx.status = 404;
      return;
    }
    ctx.attachment(file.filename);
    ctx.body = file.data;
  });

  return router.routes() as unknown as Koa.Middleware;
}
