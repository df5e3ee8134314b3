import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import Router from '@koa/router';
import type Koa from 'koa';
import type { Clock } from '../clock/clock';
import type { StaffMember } from '../roster/roster';
import { beforeStartText, inScope } from '../conversation/staff-context';
import { stepStaff } from '../conversation/staff-step';
import type { SchoolFilter } from '../conversation/staff-words';
import { breakdownGroups, loadBreakdowns } from '../queries/breakdown-queries';
import type { Form } from '../conversation/form';
import { StaffQueries } from '../queries/staff-queries';
import { staffEntries } from '../outbox/staff-entries';
import { readRawBody } from '../http/raw-body';
import type { Logger } from '../log/logger';
import type { OutboxStore } from '../store/outbox-store';
import type { Schedule } from '../calendar/schedule';
import { parsePeriod, timeLabel, type PeriodCalendar } from '../calendar/period';
import { normalizePlace } from '../roster/places';
import type { RecordsStore } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';
import type { Markers } from '../store/markers';
import type { AuditLog } from '../store/audit-log';
import { targetsFor, type Targets } from '../targets/targets';
import type { DashboardLinks } from './dashboard-link';
import { dashboardClientScript } from './dashboard-client';
import { overviewPage, refusalPage, schoolPageHtml } from './dashboard-pages';
import { beginSignIn, endSignIn, sessionOf, setSession } from './dashboard-signin';
import { buildOverview, buildSchoolPage, type OverviewLists } from './dashboard-view';
import { historyLine, historyPage, type HistoryNames } from '../conversation/history-text';
import { reviewWords } from '../conversation/review-words';
import { answeredCount } from '../conversation/report-texts';
import { reviewState } from '../report/review';
import type { PeriodIndex } from '../report/status';
import { contactLabel, staffName } from '../roster/people';

export interface DashboardDeps {
  roster: RosterStore;
  records: RecordsStore;
  markers: Markers;
  /** The audit log (广播记录 reads the broadcasts from it). */
  audit: AuditLog;
  /** FIRST_PERIOD, when configured. */
  firstPeriod?: string;
  targets: Targets;
  /** The form, for the breakdowns by content, form, industry and group. */
  form: Form;
  cal: PeriodCalendar;
  clock: Clock;
  links: DashboardLinks;
  outbox: OutboxStore;
  schedule: Schedule;
  nudgeIntervalMs: number;
  /** Entries were written for `owner`: deliver them soon. */
  kick: (owner: string) => void;
  logger: Logger;
  /**
   * 网页授权: sign-in by WeCom identity (absent: links only). `exchange` turns a code into the
   * UserID (null: WeCom refused the code), or says the app is misconfigured (50001) with the fix.
   */
  signIn?: { oauthBase: string; corpId: string; agentId: number; exchange: (code: string) => Promise<{ userId: string | null } | { misconfigured: string; errcode: number }> };
}

const TOKEN_HEADER = 'x-dashboard-token';
const echartsFile = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');

type Access =
  | { ok: true; member: StaffMember; token: string | null }
  /** A school contact signed in by WeCom identity: their own school's page only. */
  | { ok: true; school: string; userId: string; token: null }
  | { ok: false; status: number; title: string; text: string; signIn?: boolean };

/**
 * Who is asking: the link's token (query `t` or the X-Dashboard-Token header) when there is one,
 * else the session cookie of a WeCom sign-in; then the roster, on every request, so that a member
 * removed since is refused. A link opens the dashboard for staff only; a session also lets a
 * school contact see their own school.
 */
async function authorize(deps: DashboardDeps, ctx: Koa.Context, given: string | undefined): Promise<Access> {
  const now = deps.clock.now();
  const token = given || undefined;
  const check = token ? deps.links.check(token, now) : sessionOf(ctx, deps.links.secret, now);
  const again = '请在企业微信中向「月报」发送「进度」，点开回复里的「月报看板」卡片。';
  if (!check.ok) {
    if (check.reason === 'missing') return { ok: false, status: 401, title: '请从企业微信打开看板', text: `看板需要通过企业微信登录。${again}`, signIn: true };
    if (check.reason === 'expired') {
      return { ok: false, status: 401, title: token ? '链接已过期' : '登录已过期', text: `${token ? '这个看板链接' : '您的登录'}已于 ${timeLabel(new Date(check.claims!.expiresAt), deps.cal)} 过期。${again}`, signIn: !token };
    }
    return { ok: false, status: 403, title: token ? '链接无效' : '登录无效', text: `${token ? '这个看板链接' : '登录信息'}无效：它不完整，或被改动过。${again}`, signIn: !token };
  }
  const { member } = await deps.roster.whois(check.claims.userId);
  if (member !== null && member.role === 'school' && !token) return { ok: true, school: member.school, userId: member.userId, token: null };
  if (member === null || member.role === 'school') {
    return { ok: false, status: 403, title: '没有查看权限', text: '您不在月报名单中，不能查看看板。如有疑问，请联系所在地教育局或省职成教处。' };
  }
  return { ok: true, member, token: token ?? null };
}

/** Staff only (the APIs and the overview): a school contact's session is refused here. */
function staffOnly(access: Access): Extract<Access, { member: StaffMember }> | Extract<Access, { ok: false }> {
  if (!access.ok || 'member' in access) return access;
  return { ok: false, status: 403, title: '没有查看权限', text: '这里只对教育部门工作人员开放；您可以查看本校的页面。' };
}

/** A page asked for without a session: off to WeCom's sign-in when it is configured, else the refusal. */
function signInOrRefuse(ctx: Koa.Context, deps: DashboardDeps, access: Extract<Access, { ok: false }>, returnTo: string): void {
  const base = deps.links.baseUrl();
  if (access.signIn && deps.signIn && base) {
    ctx.redirect(beginSignIn(ctx, { secret: deps.links.secret, oauthBase: deps.signIn.oauthBase, corpId: deps.signIn.corpId, agentId: deps.signIn.agentId, publicBaseUrl: base, returnTo, now: deps.clock.now() }));
    return;
  }
  refuse(ctx, access, false);
}

function refuse(ctx: Koa.Context, access: Extract<Access, { ok: false }>, json: boolean): void {
  ctx.status = access.status;
  if (json) {
    ctx.body = { error: `${access.title}：${access.text}` };
    return;
  }
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = refusalPage(access.title, access.text);
}

/** The lists' extra reads for the viewer's scope: filed reports (their review), drafts' progress, last nudges. */
async function overviewLists(deps: DashboardDeps, member: StaffMember, index: PeriodIndex, period: string): Promise<OverviewLists> {
  const scope = new Set(member.role === 'province' ? index.all : (index.byCity[member.city] ?? []));
  const filed = [...index.status.filed, ...index.status.late].filter((c) => scope.has(c));
  const drafting = index.status.drafting.filter((c) => scope.has(c));
  const filedSet = new Set(filed);
  const owing = [...scope].filter((c) => !filedSet.has(c));
  const [reports, drafts, nudges] = await Promise.all([deps.records.reports(period, filed), deps.records.drafts(period, drafting), deps.records.lastNudged(owing)]);
  const lists: OverviewLists = { reports: {}, answered: {}, lastNudged: {}, cells: deps.form.cells.length };
  reports.forEach((r, i) => r && (lists.reports[filed[i]!] = r));
  drafts.forEach((d, i) => d && (lists.answered[drafting[i]!] = answeredCount(deps.form, d.values)));
  nudges.forEach((at, i) => at !== null && (lists.lastNudged[owing[i]!] = at));
  return lists;
}

/** An API request's JSON body (at most 4 KiB), or null with a 400 already answered. */
async function apiBody<T>(ctx: Koa.Context): Promise<T | null> {
  try {
    return JSON.parse((await readRawBody(ctx.req, 4 * 1024)) || '{}') as T;
  } catch {
    ctx.status = 400;
    ctx.body = { error: '请求格式不对。' };
    return null;
  }
}

/** The page's id for one press of a button: the same id again writes nothing more. */
const requestIdOf = (raw: unknown): string | null => (typeof raw === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(raw) ? raw : null);

/** Pages carry a personal link: never cached, never framed, never sent on as a Referer. */
function securePage(ctx: Koa.Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
}

/**
 * /dashboard for staff, scoped like the chat (city staff see their city): the open period's filing
 * status, the year against target and pace, the schools owing with a nudge button, a school's page.
 */
export function dashboardRoutes(deps: DashboardDeps): Koa.Middleware {
  const router = new Router({ prefix: '/dashboard' });
  const queries = new StaffQueries(deps);

  // Our own trouble (Redis unreachable, say) gets a Chinese page or message, not the callback's plain 503.
  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      deps.logger.error({ reqId: ctx.state.requestId, path: ctx.path, err: error instanceof Error ? error.message : String(error) }, 'dashboard request failed');
      const busy = { ok: false as const, status: 503, title: '看板暂时打不开', text: '系统暂时无法读取数据，请过一两分钟再试；链接仍然有效。' };
      refuse(ctx, busy, ctx.path.startsWith('/dashboard/api/'));
    }
  });

  router.get('/', async (ctx) => {
    securePage(ctx);
    const signedIn = await authorize(deps, ctx, typeof ctx.query.t === 'string' ? ctx.query.t : undefined);
    if (!signedIn.ok) return signInOrRefuse(ctx, deps, signedIn, '/dashboard');
    // A school contact's dashboard is their school's page.
    if (!('member' in signedIn)) return ctx.redirect(`/dashboard/school/${encodeURIComponent(signedIn.school)}`);
    const access = signedIn;
    const now = deps.clock.now();
    const ctxStaff = await queries.context(access.member, { kind: 'progress' }, { now });
    const window = ctxStaff.window;
    if (ctxStaff.data.kind !== 'progress') throw new Error('progress data expected');
    const { index, schools, ytd, targets } = ctxStaff.data;
    const first = ctxStaff.firstPeriod;
    const beforeStart = first !== null && window.period < first ? beforeStartText(window.period, first, deps.cal) : null;
    const lists = beforeStart ? undefined : await overviewLists(deps, access.member, index, window.period);
    const overview = buildOverview({ member: access.member, window, index, schools, ytd, targets, now, cal: deps.cal, nudgeIntervalHours: Math.round(deps.nudgeIntervalMs / 3_600_000), beforeStart, ...(lists ? { lists } : {}) });
    overview.breakdowns = beforeStart ? null : await loadBreakdowns(deps.records, deps.form, window.period, breakdownGroups(access.member, index, overview.viewer.scope));
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = overviewPage(overview, access.token);
  });

  // The way back from WeCom's authorize page: this browser's own sign-in (state), the code
  // exchanged once for the UserID, the roster; then the session, and the page asked for.
  router.get('/auth/callback', async (ctx) => {
    securePage(ctx);
    const page = (status: number, title: string, text: string) => {
      ctx.status = status;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = refusalPage(title, text);
    };
    const now = deps.clock.now();
    const code = typeof ctx.query.code === 'string' ? ctx.query.code : '';
    const state = typeof ctx.query.state === 'string' ? ctx.query.state : '';
    const begun = endSignIn(ctx, deps.links.secret, state, now);
    if (!deps.signIn || begun === null || code === '') {
      deps.logger.warn({ reqId: ctx.state.requestId, reason: code === '' ? 'no code' : 'state does not match this browser' }, 'dashboard sign-in refused');
      return page(403, '登录请求无效', '这个登录请求不是从本浏览器发起的，或已超过 10 分钟。请在企业微信中重新打开看板。');
    }
    const exchanged = await deps.signIn.exchange(code);
    if ('misconfigured' in exchanged) {
      deps.logger.error({ reqId: ctx.state.requestId, errcode: exchanged.errcode, publicBaseUrl: deps.links.baseUrl() }, exchanged.misconfigured);
      return page(503, '看板登录尚未配置好', '企业微信拒绝了这次登录（应用的可信域名与看板地址不符）。请联系管理员：在企业微信管理后台把本应用「网页授权及JS-SDK」的可信域名设为看板的域名。');
    }
    const userId = exchanged.userId;
    if (userId === null) return page(401, '登录失败', '企业微信的登录码无效或已过期（每个只能用一次，5 分钟内有效）。请在企业微信中重新打开看板。');
    const { member } = await deps.roster.whois(userId);
    if (member === null) {
      deps.logger.info({ userId }, 'dashboard sign-in of someone not on the roster');
      return page(403, '没有查看权限', '您不在月报名单中，不能查看看板。如有疑问，请联系所在地教育局或省职成教处。');
    }
    setSession(ctx, deps.links.secret, userId, now, (deps.links.baseUrl() ?? '').startsWith('https:'));
    deps.logger.info({ userId, role: member.role }, 'dashboard sign-in');
    ctx.redirect(member.role === 'school' ? `/dashboard/school/${encodeURIComponent(member.school)}` : begun.returnTo);
  });

  router.get('/school/:code', async (ctx) => {
    securePage(ctx);
    const code = ctx.params.code!;
    const access = await authorize(deps, ctx, typeof ctx.query.t === 'string' ? ctx.query.t : undefined);
    if (!access.ok) return signInOrRefuse(ctx, deps, access, `/dashboard/school/${encodeURIComponent(code)}`);
    const school = (await deps.roster.schools([code]))[0] ?? null;
    const own = !('member' in access);
    if (own && school?.code !== access.school) {
      ctx.status = 404;
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = refusalPage('没有这所学校', '您只能查看本校的页面。', null);
      return;
    }
    if (school === null || ('member' in access && !inScope(access.member, school))) {
      ctx.status = 404;
      ctx.type = 'text/html; charset=utf-8';
      const member = 'member' in access ? access.member : null;
      ctx.body = refusalPage('没有这所学校', school ? `${school.name}不属于${member?.role === 'city' ? member.city : ''}，您只能查看本地的学校。` : `名单中没有代码为 ${code} 的学校。`, access.token);
      return;
    }
    const now = deps.clock.now();
    const window = queries.window(now);
    const [snap, entries, roster] = await Promise.all([deps.records.read(school.code, window.period), deps.records.history(school.code), deps.roster.read()]);
    const page = buildSchoolPage({
      now,
      school,
      window,
      reports: Object.values(snap.reports),
      draft: snap.draft,
      targets: targetsFor(deps.targets, parsePeriod(window.period).year),
      cal: deps.cal,
    });
    const hp = Number(typeof ctx.query.hp === 'string' ? ctx.query.hp : '1');
    const shown = historyPage(entries, Number.isInteger(hp) && hp > 0 ? hp : 1);
    const names: HistoryNames = {
      person: (id) => (roster.staff[id] ? staffName(roster.staff[id]!) : school.contacts.includes(id) || school.people?.[id] ? contactLabel(school, id) : '已不在名单中的人员'),
      cell: (id) => (deps.form.hasCell(id) ? deps.form.place(id).cell.label : id),
    };
    page.history = { lines: shown.shown.map((h) => historyLine(h, names, deps.cal)), page: shown.page, pages: shown.pages, total: entries.length };
    const current = snap.reports[window.period] ?? null;
    page.review = reviewState(current) === null ? null : { state: reviewState(current)!, words: reviewWords(current!, deps.cal), reviewable: snap.draft === null && reviewState(current) !== null };
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = schoolPageHtml(page, access.token, own);
  });

  // The nudge button: the same 催报 as in chat — scope, the window, the nudge service's interval and
  // quiet hours — confirmed first with the exact count when it reaches more than one school; the
  // staff member gets the delivery report in chat when it is done.
  router.post('/api/nudge', async (ctx) => {
    securePage(ctx);
    const access = staffOnly(await authorize(deps, ctx, ctx.get(TOKEN_HEADER) || undefined));
    if (!access.ok) return refuse(ctx, access, true);
    const body = await apiBody<{ city?: unknown; category?: unknown; confirm?: unknown; requestId?: unknown }>(ctx);
    if (body === null) return;
    const filter: SchoolFilter = {};
    if (typeof body.city === 'string' && body.city !== '') {
      const city = normalizePlace(body.city);
      if (!city) {
        ctx.status = 400;
        ctx.body = { error: `「${body.city}」不是河南的市县名。` };
        return;
      }
      filter.city = city;
    }
    if (typeof body.category === 'string' && body.category !== '') {
      if (!['A', 'B', 'C', 'D'].includes(body.category)) {
        ctx.status = 400;
        ctx.body = { error: `「${body.category}」不是学校类别（A、B、C、D）。` };
        return;
      }
      filter.category = body.category as SchoolFilter['category'];
    }
    const confirm = body.confirm === undefined ? null : Number(body.confirm);
    const requestId = requestIdOf(body.requestId);
    if (confirm !== null && (!Number.isInteger(confirm) || confirm < 1 || requestId === null)) {
      ctx.status = 400;
      ctx.body = { error: '确认催报需要学校数和请求编号。' };
      return;
    }
    const now = deps.clock.now();
    const staff = await queries.context(access.member, { kind: 'nudge', filter }, { now, pendingNudge: confirm === null ? null : { filter, count: confirm } });
    const result = stepStaff({ ...staff, command: confirm === null ? { kind: 'nudge', filter } : { kind: 'confirm' } }, deps.cal, now);
    if (result.effects.length === 0) {
      // More than one school: the page asks for a confirmation with this count (again, if it changed).
      const count = result.nudge?.count ?? null;
      if (confirm !== null && count !== null) ctx.status = 409;
      ctx.body = { text: result.text, started: false, ...(count !== null ? { confirm: count } : {}) };
      return;
    }
    // The request id makes a resent request write the same entries, once (the page sends one with every request).
    const turn = `dashboard:${access.member.userId}:${requestId ?? `${now.getTime()}`}`;
    const entries = staffEntries(turn, access.member, result.effects, now);
    await deps.outbox.enqueue(access.member.userId, entries, now.getTime());
    deps.kick(access.member.userId);
    deps.logger.info({ userId: access.member.userId, schools: result.effects[0]!.kind === 'nudge' ? result.effects[0]!.schools.length : 0 }, 'dashboard nudge');
    ctx.body = { text: result.text, started: true };
  });

  // 通过 / 退回 from a school's page: the same staff step as the chat words (scope, the report's
  // state, 退回's reason), its decision carried by the outbox like the chat's; a resent request
  // (same request id) writes the same entry once.
  router.post('/api/review', async (ctx) => {
    securePage(ctx);
    const access = staffOnly(await authorize(deps, ctx, ctx.get(TOKEN_HEADER) || undefined));
    if (!access.ok) return refuse(ctx, access, true);
    const body = await apiBody<{ school?: unknown; period?: unknown; decision?: unknown; reason?: unknown; requestId?: unknown }>(ctx);
    if (body === null) return;
    const requestId = requestIdOf(body.requestId);
    const decision: 'approve' | 'return' | null = body.decision === 'approve' || body.decision === 'return' ? body.decision : null;
    const period = typeof body.period === 'string' && /^\d{4}-\d{2}$/.test(body.period) ? body.period : null;
    if (typeof body.school !== 'string' || decision === null || period === null || requestId === null) {
      ctx.status = 400;
      ctx.body = { error: '审核需要学校、月份、通过或退回，以及请求编号。' };
      return;
    }
    const reason = typeof body.reason === 'string' ? body.reason.trim().slice(0, 200) : '';
    if (decision === 'return' && reason === '') {
      ctx.status = 400;
      ctx.body = { error: '退回请写明原因，学校会看到它。' };
      return;
    }
    const now = deps.clock.now();
    const command = { kind: 'review' as const, decision, query: body.school, period, periodText: period, reason };
    const staff = await queries.context(access.member, command, { now });
    const result = stepStaff(staff, deps.cal, now);
    const effects = result.effects.filter((e) => e.kind === 'review');
    if (effects.length > 0) {
      const turn = `dashboard:${access.member.userId}:${requestId}`;
      await deps.outbox.enqueue(access.member.userId, staffEntries(turn, access.member, effects, now), now.getTime());
      deps.kick(access.member.userId);
      deps.logger.info({ userId: access.member.userId, school: body.school, decision }, 'dashboard review');
    }
    ctx.body = { text: result.text, done: effects.length > 0 };
  });

  router.get('/assets/dashboard.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = dashboardClientScript;
  });

  router.get('/assets/echarts.min.js', (ctx) => {
    ctx.type = 'application/javascript; charset=utf-8';
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = createReadStream(echartsFile);
  });

  return router.routes() as unknown as Koa.Middleware;
}
