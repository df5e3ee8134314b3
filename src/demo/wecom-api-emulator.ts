import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The WeCom API (for tests and the demo), served over loopback HTTP, answering the way WeCom does: errcodes, partial
 * failures (invaliduser, unlicenseduser), 81013, and the per-member limit that silently drops
 * sends past 30 a minute / 1000 an hour. Scripted faults let a test make it busy (-1), rate-limit
 * (45009), expire a token (42001) or drop the connection.
 */
export interface StubOptions {
  corpId: string;
  secret: string;
  agentId: number;
  /** Members the app can reach; everyone when omitted. */
  members?: Iterable<string>;
  unlicensed?: Iterable<string>;
  /**
   * The corp's address book for 读取成员 (user/get): UserID → name and departments. A member not
   * in it is unknown (60111); one in it but outside `members` (the app's 可见范围) is 60011.
   */
  directory?: Record<string, { name: string; department?: number[] }>;
  /**
   * The app's 可信域名 (网页授权): a code issued for a redirect elsewhere is refused with 50001 when
   * exchanged. Any host when omitted.
   */
  trustedDomain?: string;
  /** Delay before every answer. */
  latencyMs?: number;
  /** The stand-in's own clock for the per-member window (defaults to Date.now). */
  now?: () => number;
}

export interface Delivered {
  userId: string;
  msgtype: string;
  body: Record<string, unknown>;
}

/** A button card as the stand-in holds it: who got it, and each user's button replaced after a click. */
interface HeldCard {
  taskId: string;
  users: Set<string>;
  card: { main_title?: { title?: string; desc?: string }; button_list: { text: string; key: string }[] };
  /** Per user: the text that replaced the buttons (the card is no longer clickable for them). */
  replaced: Map<string, string>;
}

/** A single-use code for update_template_card: from a send (for all its users) or from a click (for its user). */
interface ResponseCode {
  taskId: string;
  issuedAt: number;
  used: boolean;
}

/** response_code is valid this long (72 hours). */
export const RESPONSE_CODE_TTL_MS = 72 * 3_600_000;
const TASK_ID = /^[A-Za-z0-9_@-]{1,128}$/u;

type Fault = { api: string; errcode: number; errmsg?: string } | { api: string; drop: true } | { api: string; swallow: true };

export interface ApiCall {
  api: string;
  query: URLSearchParams;
  json?: Record<string, unknown>;
}

export class WeComApiStub {
  server!: Server;
  url = '';
  readonly calls: ApiCall[] = [];
  readonly delivered: Delivered[] = [];
  /** Sends WeCom accepted but silently dropped because a member's limit was exceeded. */
  readonly dropped: Delivered[] = [];
  /** Requests WeCom dropped as duplicates (enable_duplicate_check: the same request within the interval). */
  readonly duplicates: Record<string, unknown>[] = [];
  private readonly recentRequests = new Map<string, { at: number; msgid: string }>();
  private readonly swallowed = new WeakSet<ServerResponse>();
  readonly uploads: { filename: string; size: number; mediaId: string }[] = [];
  /** Uploaded files by media_id, so that the demo page can offer them for download. */
  readonly files = new Map<string, { filename: string; data: Buffer }>();
  menu: unknown = null;
  /** 工作台自定义展示: the app's template, and each person's tile as last set (with the times it was set). */
  workbenchTemplate: { key: string; data: string }[] | null = null;
  readonly tiles = new Map<string, { items: { key: string; data: string }[]; times: number[] }>();
  /** Who is signed in to WeCom in the browser that opens the authorize page (the client knows; the stand-in is told). */
  webUser: string | null = null;
  /** 网页授权 codes: single use, valid 5 minutes, bound to the user and the redirect's host. */
  private readonly oauthCodes = new Map<string, { userId: string; issuedAt: number; used: boolean; host: string }>();
  /** Each message/send's msgid: when it was sent, to whom, and whether it was recalled (message/recall). */
  readonly messages = new Map<string, { at: number; users: string[]; recalled: boolean }>();
  /** Button cards by task_id (unique per app, as WeCom requires). */
  readonly cards = new Map<string, HeldCard>();
  private readonly responseCodes = new Map<string, ResponseCode>();
  private codeSeq = 0;
  tokensIssued = 0;
  private readonly validTokens = new Set<string>();
  private readonly faults: Fault[] = [];
  private readonly sendTimes = new Map<string, number[]>();
  private readonly members: Set<string> | null;
  private readonly unlicensed: Set<string>;

  constructor(readonly options: StubOptions) {
    this.members = options.members ? new Set(options.members) : null;
    this.unlicensed = new Set(options.unlicensed ?? []);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next call to `api` (e.g. 'message/send') answers this errcode instead. Queue several for several calls. */
  failNext(api: string, errcode: number, errmsg = 'scripted'): void {
    this.faults.push({ api, errcode, errmsg });
  }

  /** The next call to `api` gets its connection dropped. */
  dropNext(api: string): void {
    this.faults.push({ api, drop: true });
  }

  /** The next call to `api` is carried out, but its answer never comes (the connection drops after). */
  swallowNext(api: string): void {
    this.faults.push({ api, swallow: true });
  }

  /** Makes every token issued so far expired (42001). */
  expireTokens(): void {
    this.validTokens.clear();
  }

  callsTo(api: string): ApiCall[] {
    return this.calls.filter((c) => c.api === api);
  }

  textsTo(userId: string): string[] {
    return this.delivered
      .filter((d) => d.userId === userId && d.msgtype === 'text')
      .map((d) => (d.body.text as { content: string }).content);
  }

  /** The button cards a user got, oldest first, with what they show now. */
  cardsTo(userId: string): { taskId: string; title: string; desc: string; buttons: { key: string; text: string }[]; replaced: string | null }[] {
    return this.delivered
      .filter((d) => d.userId === userId && d.msgtype === 'template_card')
      .map((d) => {
        const held = this.cards.get((d.body.template_card as { task_id: string }).task_id)!;
        return { taskId: held.taskId, title: held.card.main_title?.title ?? '', desc: held.card.main_title?.desc ?? '', buttons: held.card.button_list.map((b) => ({ key: b.key, text: b.text })), replaced: held.replaced.get(userId) ?? null };
      });
  }

  /**
   * A user clicks a button, as WeCom's client would: only on a card they got, whose buttons were
   * not replaced for them, and only a button the card has. Returns the fields of the
   * template_card_event callback WeCom then sends (with a fresh single-use ResponseCode), or why
   * the click cannot happen.
   */
  click(userId: string, taskId: string, key: string): { taskId: string; key: string; cardType: string; responseCode: string } | { refused: string } {
    const held = this.cards.get(taskId);
    if (!held || !held.users.has(userId)) return { refused: 'no such card for this user' };
    if (held.replaced.has(userId)) return { refused: `the card shows 「${held.replaced.get(userId)}」 and has no buttons` };
    if (!held.card.button_list.some((b) => b.key === key)) return { refused: `the card has no button ${key}` };
    return { taskId, key, cardType: 'button_interaction', responseCode: this.issueCode(taskId) };
  }

  /** Ages every response code issued so far by `ms` (to try one past its 72 hours). */
  ageResponseCodes(ms: number): void {
    for (const c of this.responseCodes.values()) c.issuedAt -= ms;
  }

  private issueCode(taskId: string): string {
    const code = `rc-${++this.codeSeq}-${Math.random().toString(36).slice(2, 10)}`;
    this.responseCodes.set(code, { taskId, issuedAt: this.options.now?.() ?? Date.now(), used: false });
    return code;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stub');
    const api = url.pathname.replace(/^\/cgi-bin\//, '');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const call: ApiCall = { api, query: url.searchParams };
    if ((req.headers['content-type'] ?? '').includes('application/json')) call.json = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    this.calls.push(call);
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));

    const faultAt = this.faults.findIndex((f) => f.api === api);
    let swallow = false;
    if (faultAt >= 0) {
      const [fault] = this.faults.splice(faultAt, 1);
      if (fault && 'drop' in fault) {
        req.socket.destroy();
        return;
      }
      if (fault && 'swallow' in fault) swallow = true;
      else if (fault) return this.answer(res, { errcode: fault.errcode, errmsg: fault.errmsg });
    }
    if (swallow) this.swallowed.add(res);
    if (url.pathname === '/connect/oauth2/authorize') return this.authorize(url.searchParams, res);
    if (api === 'gettoken') return this.answer(res, this.gettoken(url.searchParams));
    const token = url.searchParams.get('access_token');
    if (!token) return this.answer(res, { errcode: 41001, errmsg: 'access_token missing' });
    if (!this.validTokens.has(token)) {
      return this.answer(res, token.startsWith('tok-') ? { errcode: 42001, errmsg: 'access_token expired' } : { errcode: 40014, errmsg: 'invalid access_token' });
    }
    if (api === 'message/send') return this.answer(res, this.messageSend(call.json ?? {}));
    if (api === 'media/upload') return this.answer(res, await this.upload(req, raw));
    if (api === 'message/update_template_card') return this.answer(res, this.updateTemplateCard(call.json ?? {}));
    if (api === 'menu/create') return this.answer(res, this.menuCreate(url.searchParams, call.json));
    if (api === 'user/get') return this.answer(res, this.userGet(url.searchParams));
    if (api === 'message/recall') return this.answer(res, this.recall(call.json ?? {}));
    if (api === 'auth/getuserinfo') return this.answer(res, this.userInfo(url.searchParams));
    if (api === 'agent/set_workbench_template') return this.answer(res, this.setWorkbenchTemplate(call.json ?? {}));
    if (api === 'agent/set_workbench_data') return this.answer(res, this.setWorkbenchData(call.json ?? {}));
    return this.answer(res, { errcode: 40058, errmsg: `unknown api ${api}` }, 404);
  }

  private answer(res: ServerResponse, body: Record<string, unknown>, status = 200): void {
    // The call was carried out, but its answer is lost on the way: the caller cannot know.
    if (this.swallowed.has(res)) return void res.socket?.destroy();
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ errmsg: 'ok', ...body }));
  }

  private gettoken(q: URLSearchParams): Record<string, unknown> {
    if (q.get('corpid') !== this.options.corpId) return { errcode: 40013, errmsg: 'invalid corpid' };
    if (q.get('corpsecret') !== this.options.secret) return { errcode: 40001, errmsg: 'invalid credential' };
    const token = `tok-${++this.tokensIssued}`;
    this.validTokens.add(token);
    return { errcode: 0, access_token: token, expires_in: 7200 };
  }

  private messageSend(json: Record<string, unknown>): Record<string, unknown> {
    if (json.agentid !== this.options.agentId) return { errcode: 40056, errmsg: 'invalid agentid' };
    // 重复消息检查: the same request (its JSON) within duplicate_check_interval (default 1800 s, at most 4 h) is not delivered again.
    const interval = Number(json.duplicate_check_interval ?? 1800);
    if (json.enable_duplicate_check === 1 && (!Number.isInteger(interval) || interval < 0 || interval > 14_400)) return { errcode: 40058, errmsg: 'duplicate_check_interval exceeds 4 hours' };
    const key = JSON.stringify(json);
    const now0 = this.options.now?.() ?? Date.now();
    const seen = this.recentRequests.get(key);
    if (json.enable_duplicate_check === 1 && seen && now0 - seen.at < interval * 1000) {
      this.duplicates.push(json);
      return { errcode: 0, invaliduser: '', unlicenseduser: '', msgid: seen.msgid };
    }
    const users = typeof json.touser === 'string' ? json.touser.split('|').filter(Boolean) : [];
    if (users.length === 0) return { errcode: 40035, errmsg: 'touser empty' };
    if (users.length > 1000) return { errcode: 40058, errmsg: 'touser exceeds 1000' };
    const msgtype = String(json.msgtype);
    if (msgtype === 'text' && Buffer.byteLength(String((json.text as { content?: string })?.content ?? '')) > 2048) {
      return { errcode: 45002, errmsg: 'content size out of limit' };
    }
    let card: HeldCard | null = null;
    if (msgtype === 'template_card') {
      const checked = this.checkCard(json.template_card);
      if (typeof checked === 'string') return { errcode: 40058, errmsg: `invalid template_card: ${checked}` };
      card = { taskId: checked.task_id, users: new Set(), card: checked, replaced: new Map() };
    }
    const invalid = users.filter((u) => this.members !== null && !this.members.has(u));
    const unlicensed = users.filter((u) => !invalid.includes(u) && this.unlicensed.has(u));
    const reachable = users.filter((u) => !invalid.includes(u) && !unlicensed.includes(u));
    if (reachable.length === 0) return { errcode: 81013, errmsg: 'user & party & tag all invalid', invaliduser: invalid.join('|') };
    const now = this.options.now?.() ?? Date.now();
    for (const userId of reachable) {
      const times = (this.sendTimes.get(userId) ?? []).filter((t) => t > now - 3_600_000);
      const item = { userId, msgtype, body: json };
      const overMinute = times.filter((t) => t > now - 60_000).length >= 30;
      if (overMinute || times.length >= 1000) this.dropped.push(item);
      else {
        times.push(now);
        this.delivered.push(item);
      }
      this.sendTimes.set(userId, times);
    }
    const msgid = `msg-${this.calls.length}`;
    this.messages.set(msgid, { at: now, users: reachable, recalled: false });
    if (json.enable_duplicate_check === 1) this.recentRequests.set(key, { at: now0, msgid });
    if (card) {
      for (const u of reachable) card.users.add(u);
      this.cards.set(card.taskId, card);
      // The send's own code (usable once, for every recipient of the card).
      return { errcode: 0, invaliduser: invalid.join('|'), unlicenseduser: unlicensed.join('|'), msgid, response_code: this.issueCode(card.taskId) };
    }
    return { errcode: 0, invaliduser: invalid.join('|'), unlicenseduser: unlicensed.join('|'), msgid };
  }

  /** A template_card of type button_interaction checked against the documented limits; a string says what is wrong. */
  private checkCard(raw: unknown): HeldCard['card'] & { task_id: string } | string {
    const c = (raw ?? {}) as Record<string, unknown>;
    if (c.card_type !== 'button_interaction') return `card_type ${String(c.card_type)} is not button_interaction`;
    const title = c.main_title as { title?: unknown; desc?: unknown } | undefined;
    if (!title || (typeof title.title !== 'string' && typeof title.desc !== 'string')) return 'main_title needs a title or desc';
    const taskId = c.task_id;
    if (typeof taskId !== 'string' || !TASK_ID.test(taskId) || Buffer.byteLength(taskId) > 128) return 'task_id must be 1–128 bytes of [A-Za-z0-9_@-]';
    if (this.cards.has(taskId)) return `task_id ${taskId} was used before (unique per app)`;
    const buttons = c.button_list;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 6) return 'button_list takes 1–6 buttons';
    const keys = new Set<string>();
    for (const b of buttons as Record<string, unknown>[]) {
      if (typeof b.text !== 'string' || b.text === '') return 'a button needs its text';
      if (b.style !== undefined && (!Number.isInteger(b.style) || (b.style as number) < 1 || (b.style as number) > 4)) return 'button style is 1–4';
      if ((b.type ?? 0) === 0 && (typeof b.key !== 'string' || b.key === '' || Buffer.byteLength(b.key) > 1024)) return 'a callback button needs a key of at most 1024 bytes';
      if (keys.has(b.key as string)) return `button key ${String(b.key)} twice`;
      keys.add(b.key as string);
    }
    return { ...(c as object), task_id: taskId, button_list: buttons as { text: string; key: string }[] } as HeldCard['card'] & { task_id: string };
  }

  /** message/update_template_card, the button form: spends a response_code (once, within 72 hours). */
  private updateTemplateCard(json: Record<string, unknown>): Record<string, unknown> {
    if (json.agentid !== this.options.agentId) return { errcode: 40056, errmsg: 'invalid agentid' };
    const code = typeof json.response_code === 'string' ? this.responseCodes.get(json.response_code) : undefined;
    const now = this.options.now?.() ?? Date.now();
    if (!code) return { errcode: 40058, errmsg: 'invalid response_code' };
    if (code.used) return { errcode: 40058, errmsg: 'response_code has been used' };
    if (now - code.issuedAt > RESPONSE_CODE_TTL_MS) return { errcode: 40058, errmsg: 'response_code expired' };
    const replace = (json.button as { replace_name?: unknown } | undefined)?.replace_name;
    if (typeof replace !== 'string' || replace === '') return { errcode: 40058, errmsg: 'button.replace_name missing' };
    const held = this.cards.get(code.taskId)!;
    const users = Array.isArray(json.userids) ? (json.userids as string[]) : json.atall === 1 ? [...held.users] : [];
    if (users.length === 0 || users.length > 1000) return { errcode: 40058, errmsg: 'userids takes 1–1000 members' };
    code.used = true;
    for (const u of users) if (held.users.has(u)) held.replaced.set(u, replace);
    return { errcode: 0, invaliduser: users.filter((u) => !held.users.has(u)).join('|') };
  }

  private async upload(req: IncomingMessage, raw: Buffer): Promise<Record<string, unknown>> {
    const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData().catch(() => null);
    const media = form?.get('media');
    if (!media || typeof media === 'string') return { errcode: 41004, errmsg: 'media missing' };
    if (media.size > 20 * 1024 * 1024) return { errcode: 40058, errmsg: 'media too large' };
    const mediaId = `media-${this.uploads.length + 1}`;
    this.uploads.push({ filename: media.name, size: media.size, mediaId });
    this.files.set(mediaId, { filename: media.name, data: Buffer.from(await media.arrayBuffer()) });
    return { errcode: 0, type: 'file', media_id: mediaId, created_at: String(Math.floor(Date.now() / 1000)) };
  }

  /**
   * 构造网页授权链接, as WeCom's browser follows it: the parameters checked, then a redirect to
   * redirect_uri with a fresh code and the state, for the user signed in to the client.
   */
  private authorize(q: URLSearchParams, res: ServerResponse): void {
    const page = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><meta charset="utf-8"><title>企业微信</title><p id="wecom-error">${text}</p>`);
    };
    if (q.get('appid') !== this.options.corpId) return page(400, `appid 错误（40013 invalid corpid）`);
    if (q.get('response_type') !== 'code' || q.get('scope') !== 'snsapi_base') return page(400, 'response_type 或 scope 参数错误');
    if (q.get('agentid') !== String(this.options.agentId)) return page(400, 'agentid 错误（40056）');
    const state = q.get('state') ?? '';
    if (Buffer.byteLength(state) > 128) return page(400, 'state 超过 128 字节');
    let redirect: URL;
    try {
      redirect = new URL(q.get('redirect_uri') ?? '');
    } catch {
      return page(400, 'redirect_uri 参数错误');
    }
    if (this.webUser === null) return page(200, '请在企业微信客户端中打开此链接');
    const code = `oc-${++this.codeSeq}-${Math.random().toString(36).slice(2, 12)}`;
    this.oauthCodes.set(code, { userId: this.webUser, issuedAt: this.options.now?.() ?? Date.now(), used: false, host: redirect.host });
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('state', state);
    res.writeHead(302, { location: redirect.toString() });
    res.end();
  }

  /** 获取访问用户身份 (auth/getuserinfo): a code once, within 5 minutes, for a redirect to the trusted domain. */
  private userInfo(q: URLSearchParams): Record<string, unknown> {
    const code = this.oauthCodes.get(q.get('code') ?? '');
    const now = this.options.now?.() ?? Date.now();
    if (!code || code.used || now - code.issuedAt > 5 * 60_000) return { errcode: 40029, errmsg: 'invalid code' };
    code.used = true;
    if (this.options.trustedDomain && code.host !== this.options.trustedDomain) return { errcode: 50001, errmsg: 'redirect_url not authorised' };
    return { errcode: 0, userid: code.userId };
  }

  /** Ages every 网页授权 code issued so far by `ms` (to try one past its 5 minutes). */
  ageOAuthCodes(ms: number): void {
    for (const c of this.oauthCodes.values()) c.issuedAt -= ms;
  }

  /** keydata items as WeCom takes them: 1–4 of them, each a key and its data. */
  private keydata(json: Record<string, unknown>): { key: string; data: string }[] | string {
    if (json.type !== 'keydata') return `type ${String(json.type)} is not keydata`;
    const items = (json.keydata as { items?: unknown } | undefined)?.items;
    if (!Array.isArray(items) || items.length < 1 || items.length > 4) return 'keydata.items takes 1–4 items';
    for (const i of items as Record<string, unknown>[]) if (typeof i.key !== 'string' || typeof i.data !== 'string') return 'each item needs key and data';
    return items as { key: string; data: string }[];
  }

  private setWorkbenchTemplate(json: Record<string, unknown>): Record<string, unknown> {
    if (json.agentid !== this.options.agentId) return { errcode: 40056, errmsg: 'invalid agentid' };
    const items = this.keydata(json);
    if (typeof items === 'string') return { errcode: 40058, errmsg: items };
    this.workbenchTemplate = items;
    return { errcode: 0 };
  }

  /** One person's tile: within the app's 可见范围, at most 10 times a minute (WeCom's limit per user per app). */
  private setWorkbenchData(json: Record<string, unknown>): Record<string, unknown> {
    if (json.agentid !== this.options.agentId) return { errcode: 40056, errmsg: 'invalid agentid' };
    if (this.workbenchTemplate === null) return { errcode: 40058, errmsg: 'workbench template not set' };
    const userId = typeof json.userid === 'string' ? json.userid : '';
    if (this.members !== null && !this.members.has(userId)) return { errcode: 60011, errmsg: 'no privilege to access/modify contact/party/agent' };
    const items = this.keydata(json);
    if (typeof items === 'string') return { errcode: 40058, errmsg: items };
    const now = this.options.now?.() ?? Date.now();
    const tile = this.tiles.get(userId) ?? { items, times: [] };
    if (tile.times.filter((t) => t > now - 60_000).length >= 10) return { errcode: 45009, errmsg: 'api freq out of limit' };
    tile.times.push(now);
    tile.items = items;
    this.tiles.set(userId, tile);
    return { errcode: 0 };
  }

  /** 撤回应用消息: a message sent within 24 hours, once. */
  private recall(json: Record<string, unknown>): Record<string, unknown> {
    const sent = typeof json.msgid === 'string' ? this.messages.get(json.msgid) : undefined;
    if (!sent) return { errcode: 40058, errmsg: 'invalid msgid' };
    if (sent.recalled) return { errcode: 40058, errmsg: 'msg has been recalled' };
    if ((this.options.now?.() ?? Date.now()) - sent.at > 24 * 3_600_000) return { errcode: 40058, errmsg: 'msg sent more than 24 hours ago' };
    sent.recalled = true;
    return { errcode: 0 };
  }

  /** Ages every message sent so far by `ms` (to try a recall past its 24 hours). */
  ageMessages(ms: number): void {
    for (const m of this.messages.values()) m.at -= ms;
  }

  /** 读取成员, as a self-built app sees it: name and departments only (no mobile, email or avatar since 2022-06-20). */
  private userGet(q: URLSearchParams): Record<string, unknown> {
    const userId = q.get('userid') ?? '';
    if (userId === '') return { errcode: 41009, errmsg: 'missing userid' };
    const entry = this.options.directory?.[userId];
    if (!entry) return { errcode: 60111, errmsg: 'userid not found' };
    if (this.members !== null && !this.members.has(userId)) return { errcode: 60011, errmsg: 'no privilege to access/modify contact/party/agent' };
    return { errcode: 0, userid: userId, name: entry.name, department: entry.department ?? [1], status: 1 };
  }

  private menuCreate(q: URLSearchParams, json: unknown): Record<string, unknown> {
    if (q.get('agentid') !== String(this.options.agentId)) return { errcode: 40056, errmsg: 'invalid agentid' };
    const buttons = (json as { button?: { sub_button?: unknown[] }[] } | undefined)?.button;
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3 || buttons.some((b) => (b.sub_button?.length ?? 0) > 5)) {
      return { errcode: 40058, errmsg: 'invalid menu' };
    }
    this.menu = json;
    return { errcode: 0 };
  }
}
