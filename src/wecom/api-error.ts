/** WeCom error codes this client treats specially (全局错误码). */
export const WECOM = {
  BUSY: -1,
  INVALID_SECRET: 40001,
  INVALID_CORP_ID: 40013,
  INVALID_TOKEN: 40014,
  TOKEN_EXPIRED: 42001,
  FREQUENCY_LIMIT: 45009,
  CONCURRENCY_LIMIT: 45033,
  INVALID_AGENT_ID: 40056,
  IP_NOT_TRUSTED: 60020,
  NO_RECIPIENT: 81013,
} as const;

/** 读取成员 answers for a UserID the app cannot read: invalid, outside the app's 可见范围, not found, no access. */
export const MEMBER_UNREADABLE = [40003, 60011, 60111, 301002] as const;

/** Errors an operator must fix: retrying cannot help. */
const CONFIG_HINTS: Record<number, string> = {
  [WECOM.INVALID_SECRET]: 'WECOM_SECRET is wrong or was reset: copy the Secret of the app again',
  [WECOM.INVALID_CORP_ID]: 'WECOM_CORP_ID is wrong: copy 企业ID from 我的企业 → 企业信息',
  [WECOM.INVALID_AGENT_ID]: 'WECOM_AGENT_ID is wrong: copy the AgentId of the self-built app',
  [WECOM.IP_NOT_TRUSTED]: "this server's public IP is not in the app's 企业可信IP list",
  50001: "the sign-in's redirect is not on the app's 可信域名: set 网页授权及JS-SDK → 可信域名 to PUBLIC_BASE_URL's host",
};

export class WeComApiError extends Error {
  constructor(
    readonly api: string,
    readonly errcode: number,
    readonly errmsg: string,
  ) {
    const hint = CONFIG_HINTS[errcode];
    super(`WeCom ${api} answered ${errcode} ${errmsg}${hint ? ` — ${hint}` : ''}`);
    this.name = 'WeComApiError';
  }

  /** True for configuration errors, which no retry can cure. */
  get isConfiguration(): boolean {
    return this.errcode in CONFIG_HINTS;
  }
}

/** The WeCom API could not be reached (timeout, refused, reset) after the allowed retries. */
export class WeComNetworkError extends Error {
  constructor(
    readonly api: string,
    override readonly cause: unknown,
  ) {
    super(`WeCom ${api} unreachable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'WeComNetworkError';
  }
}

/**
 * How the outbox treats a failed call: `transient` is retried with back-off (busy, timeouts,
 * 5xx, a dropped connection); `frequency` (45009) pauses the worker a minute; `config` waits for
 * an operator (retried slowly, loudly logged); `permanent` gives the entry up with the reason.
 */
export type FailureKind = 'transient' | 'frequency' | 'config' | 'permanent';

export function classifyFailure(error: unknown): { kind: FailureKind; reason: string } {
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof WeComNetworkError) return { kind: 'transient', reason };
  if (error instanceof WeComApiError) {
    if (error.isConfiguration) return { kind: 'config', reason };
    if (error.errcode === WECOM.FREQUENCY_LIMIT) return { kind: 'frequency', reason };
    if (error.errcode === WECOM.BUSY || error.errcode === WECOM.CONCURRENCY_LIMIT || error.errcode === WECOM.INVALID_TOKEN || error.errcode === WECOM.TOKEN_EXPIRED) return { kind: 'transient', reason };
    return { kind: 'permanent', reason };
  }
  // Our own trouble (the store unreachable mid-delivery, say): try again later.
  return { kind: 'transient', reason };
}
