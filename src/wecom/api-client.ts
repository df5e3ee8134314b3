import { sleep as realSleep, systemClock, type Clock } from '../clock/clock';
import type { Logger } from '../log/logger';
import type { Markers } from '../store/markers';
import type { TokenCache } from '../store/token-cache';
import { MEMBER_UNREADABLE, WECOM, WeComApiError, WeComNetworkError } from './api-error';
import { TokenProvider } from './token-provider';

export interface WeComClientOptions {
  apiBase: string;
  corpId: string;
  secret: string;
  agentId: number;
  /** Where the token is shared, and the lock that makes its refresh single-flight across instances. */
  tokens: TokenCache;
  markers: Markers;
  logger: Logger;
  /** Real time: token expiry and send windows. Tests pin it. */
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  /** Per HTTP call. */
  timeoutMs?: number;
}

/** A WeCom JSON answer: errcode 0 or an error, plus the API's own fields. */
export type WeComResponse = { errcode: number; errmsg: string } & Record<string, unknown>;

interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  json?: unknown;
  form?: FormData;
  /** gettoken itself carries no access_token. */
  withToken?: boolean;
}

// Retry budget per call, by kind of failure (访问频率限制, 全局错误码).
const BUSY_RETRIES = 3;
const NETWORK_RETRIES = 3;
const FREQUENCY_RETRIES = 2;
/** 45009 blocks for the limit's window: pause at least a minute before trying again. */
const FREQUENCY_PAUSE_MS = 60_000;

/**
 * The WeCom API over HTTP. Owns the token (shared through the store), the retry policy, and —
 * in WeComSender — the batching and per-recipient throttle of message sends.
 */
export class WeComClient {
  readonly tokens: TokenProvider;
  readonly clock: Clock;
  readonly sleep: (ms: number) => Promise<void>;
  readonly agentId: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: WeComClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.sleep = options.sleep ?? realSleep;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.agentId = options.agentId;
    this.tokens = new TokenProvider(options.tokens, options.markers, () => this.fetchToken(), this.clock);
  }

  /** Fetches a new access token (gettoken) without caching it: the token provider's source, and a credentials check. */
  async fetchToken(): Promise<{ token: string; expiresIn: number }> {
    const res = await this.request({
      method: 'GET',
      path: '/cgi-bin/gettoken',
      query: { corpid: this.options.corpId, corpsecret: this.options.secret },
      withToken: false,
    });
    const token = res.access_token;
    if (typeof token !== 'string' || token.length === 0) throw new WeComApiError('gettoken', res.errcode, 'no access_token in answer');
    return { token, expiresIn: typeof res.expires_in === 'number' ? res.expires_in : 7200 };
  }

  /**
   * Calls an API with the retry policy; resolves with errcode 0 or one the caller handles (`accept`).
   * With `once`, a failure is thrown at once (the token is still refreshed once): the outbox
   * retries on its own schedule, holding a lease that a 60 s pause would outlast.
   */
  async request(spec: RequestSpec, accept: readonly number[] = [], options: { once?: boolean } = {}): Promise<WeComResponse> {
    const retries = options.once ? { busy: 0, network: 0, frequency: 0 } : { busy: BUSY_RETRIES, network: NETWORK_RETRIES, frequency: FREQUENCY_RETRIES };
    const api = spec.path.replace('/cgi-bin/', '');
    let busy = 0;
    let network = 0;
    let frequency = 0;
    let refreshed = false;
    for (;;) {
      const token = spec.withToken === false ? null : await this.tokens.get();
      let res: WeComResponse;
      try {
        res = await this.send(spec, token);
      } catch (cause) {
        if (network++ < retries.network) {
          this.options.logger.warn({ api, attempt: network }, 'WeCom API unreachable, retrying');
          await this.sleep(250 * 2 ** network);
          continue;
        }
        throw new WeComNetworkError(api, cause);
      }
      const code = res.errcode;
      if (code === 0 || accept.includes(code)) return res;
      if ((code === WECOM.INVALID_TOKEN || code === WECOM.TOKEN_EXPIRED) && token !== null && !refreshed) {
        refreshed = true;
        await this.tokens.invalidate(token);
        continue;
      }
      if (code === WECOM.BUSY && busy++ < retries.busy) {
        await this.sleep(200 * 2 ** busy);
        continue;
      }
      if (code === WECOM.FREQUENCY_LIMIT && frequency++ < retries.frequency) {
        this.options.logger.warn({ api, pauseMs: FREQUENCY_PAUSE_MS }, 'WeCom frequency limit (45009), pausing');
        await this.sleep(FREQUENCY_PAUSE_MS);
        continue;
      }
      if (code === WECOM.CONCURRENCY_LIMIT && busy++ < retries.busy) {
        await this.sleep(1_000 * busy);
        continue;
      }
      const error = new WeComApiError(api, code, res.errmsg);
      if (error.isConfiguration) this.options.logger.error({ api, errcode: code }, error.message);
      throw error;
    }
  }

  private async send(spec: RequestSpec, token: string | null): Promise<WeComResponse> {
    const url = new URL(this.options.apiBase + spec.path);
    for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
    if (token !== null) url.searchParams.set('access_token', token);
    const init: RequestInit = { method: spec.method, signal: AbortSignal.timeout(this.timeoutMs) };
    if (spec.json !== undefined) {
      init.body = JSON.stringify(spec.json);
      init.headers = { 'content-type': 'application/json' };
    } else if (spec.form !== undefined) {
      init.body = spec.form;
    }
    const response = await fetch(url, init);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const body = (await response.json()) as Partial<WeComResponse>;
    if (typeof body.errcode !== 'number') return { ...body, errcode: 0, errmsg: 'ok' } as WeComResponse;
    return body as WeComResponse;
  }

  /** Pushes the app menu (创建菜单). */
  async createMenu(menu: unknown): Promise<void> {
    await this.request({ method: 'POST', path: '/cgi-bin/menu/create', query: { agentid: String(this.agentId) }, json: menu });
  }

  /**
   * 读取成员: a member's name and departments (what a self-built app may read, within its 可见范围),
   * or the errcode that says the UserID cannot be read.
   */
  async getMember(userId: string): Promise<{ name: string; department: number[] } | { missing: number }> {
    const res = await this.request({ method: 'GET', path: '/cgi-bin/user/get', query: { userid: userId } }, MEMBER_UNREADABLE);
    if (res.errcode !== 0) return { missing: res.errcode };
    const department = Array.isArray(res.department) ? res.department.filter((d): d is number => typeof d === 'number') : [];
    return { name: typeof res.name === 'string' ? res.name : '', department };
  }

  /**
   * 获取访问用户身份: the UserID a 网页授权 code stands for; null for a code WeCom refuses (40029:
   * invalid, used or older than 5 minutes) or one of someone outside the corp (no userid). 50001
   * (the redirect not on the app's 可信域名) is a configuration error, thrown and logged with its fix.
   */
  async userIdFromCode(code: string): Promise<string | null> {
    const res = await this.request({ method: 'GET', path: '/cgi-bin/auth/getuserinfo', query: { code } }, [40029]);
    return res.errcode === 0 && typeof res.userid === 'string' && res.userid !== '' ? res.userid : null;
  }

  /** Uploads a file as temporary media (valid 3 days); returns its media_id. */
  async uploadFile(filename: string, data: Uint8Array, options: { once?: boolean } = {}): Promise<string> {
    const form = new FormData();
    form.append('media', new Blob([data]), filename);
    const res = await this.request({ method: 'POST', path: '/cgi-bin/media/upload', query: { type: 'file' }, form }, [], options);
    if (typeof res.media_id !== 'string') throw new WeComApiError('media/upload', res.errcode, 'no media_id in answer');
    return res.media_id;
  }
}
