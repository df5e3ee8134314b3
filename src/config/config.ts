import { createHmac } from 'node:crypto';
import { z } from 'zod';

/** host:port[,host:port…] (REDIS_CLUSTER_NODES, REDIS_SENTINELS). */
const hostPortList = z
  .string()
  .regex(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, 'must be host:port[,host:port…]')
  .transform((v) => v.split(',').map((n) => ({ host: n.slice(0, n.lastIndexOf(':')), port: Number(n.slice(n.lastIndexOf(':') + 1)) })))
  .optional();

/** Everything the process needs from its environment, parsed once at start-up. */
export interface Config {
  wecom: {
    corpId: string;
    agentId: number;
    secret: string;
    token: string;
    encodingAesKey: string;
    apiBase: string;
    /** WECOM_OAUTH_BASE: where 网页授权 (the dashboard's sign-in) sends the browser. */
    oauthBase: string;
  };
  /** REDIS_URL: a single Redis (or the one the demo uses); unset with REDIS_CLUSTER_NODES. */
  redisUrl: string | undefined;
  /** REDIS_CLUSTER_NODES: some masters of a Redis Cluster, which then takes the place of REDIS_URL. */
  redisClusterNodes: { host: string; port: number }[] | undefined;
  /** REDIS_SENTINELS: some Sentinels watching the master named redisSentinelName; they then take the place of REDIS_URL. */
  redisSentinels: { host: string; port: number }[] | undefined;
  redisSentinelName: string | undefined;
  /** REDIS_PASSWORD / REDIS_USERNAME: the data nodes' credentials (requirepass, or an ACL user): every Cluster node, the master and replicas under Sentinel, a single Redis whose URL carries none. */
  redisPassword: string | undefined;
  redisUsername: string | undefined;
  /** REDIS_SENTINEL_PASSWORD: the Sentinels' own password (requirepass in sentinel.conf), when they have one. */
  redisSentinelPassword: string | undefined;
  /** REDIS_WAIT_REPLICAS: an acknowledged write is on this many replicas (WAIT) before anyone is told it is done; 0: no wait. */
  redisWaitReplicas: number;
  redisWaitTimeoutMs: number;
  /** Every key this deployment writes starts with it: several deployments (or a test run) can share one Redis. */
  redisKeyPrefix: string;
  port: number;
  host: string;
  timezone: string;
  dueDay: number;
  /** The first month this deployment collects (YYYY-MM); else the month the first roster import made the first. */
  firstPeriod: string | undefined;
  fakeNow: Date | undefined;
  logLevel: LogLevel;
  production: boolean;
  /** The annual targets file (config/targets.json unless TARGETS_FILE says otherwise). */
  targetsFile: string;
  /** Changes to the default job schedule (JSON), if any. */
  scheduleFile: string | undefined;
  /** Where people reach this server from their phones (links in messages); no dashboard links when unset. */
  publicBaseUrl: string | undefined;
  /** Signs dashboard links; derived from the app secret when not set. */
  dashboardLinkSecret: string;
  dashboardLinkHours: number;
  /** A school is nudged at most once within this many hours, whoever asks (scheduled nudge, 催报). */
  nudgeIntervalHours: number;
  /** REVIEW_REQUIRED: a submitted report counts in the figures only once its city approves it. */
  reviewRequired: boolean;
  /** WORKBENCH: keep each person's workbench tile (工作台自定义展示) up to date. */
  workbench: boolean;
  /** How long one instance holds an outbox entry it is sending; one that died lets another take it after this. */
  outboxLeaseSeconds: number;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ConfigProblem {
  key: string;
  problem: string;
  fix: string;
}

/** Thrown by loadConfig with every problem found, so an operator fixes them all in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
  }
}

export function formatProblems(problems: ConfigProblem[]): string {
  const lines = problems.map((p) => `  - ${p.key}: ${p.problem}. ${p.fix}`);
  return `Configuration has ${problems.length} problem(s):\n${lines.join('\n')}\nSee .env.example for every key.`;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** A whole number from min to max, written in the environment as digits. */
const intBetween = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be ${min}–${max}`).max(max, `must be ${min}–${max}`))
    .default(fallback);

const required = (schema: z.ZodType<string, string>) => z.string({ error: 'is not set' }).pipe(schema);

/** One entry per environment key: its schema, its default and what the operator should do when it is wrong. */
const fields = {
  WECOM_CORP_ID: {
    schema: required(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be letters and digits')),
    fix: 'Copy 企业ID from the WeCom admin console (我的企业 → 企业信息).',
  },
  WECOM_AGENT_ID: {
    schema: required(z.string().regex(/^\d{1,10}$/, 'must be a whole number')).transform(Number),
    fix: "Copy the self-built app's AgentId (应用管理 → the app).",
  },
  WECOM_SECRET: {
    schema: required(z.string()),
    fix: "Copy the app's Secret (应用管理 → the app → Secret).",
  },
  WECOM_TOKEN: {
    schema: required(z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1–32 letters or digits')),
    fix: "Copy the Token from the app's 接收消息 → API接收 settings.",
  },
  WECOM_ENCODING_AES_KEY: {
    schema: required(z.string().regex(/^[A-Za-z0-9]{43}$/, 'must be exactly 43 letters or digits')),
    fix: "Copy the EncodingAESKey from the app's 接收消息 → API接收 settings (it is 43 characters long).",
  },
  WECOM_API_BASE: {
    schema: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://qyapi.weixin.qq.com'),
    fix: 'Leave it unset in production (https://qyapi.weixin.qq.com).',
  },
  WECOM_OAUTH_BASE: {
    schema: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('https://open.weixin.qq.com'),
    fix: 'Leave it unset in production (https://open.weixin.qq.com); the demo and the tests point it at the stand-in.',
  },
  REDIS_URL: {
    schema: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'must start with redis:// or rediss://')
      .optional(),
    fix: 'Use the form redis://[:password@]host:port[/db].',
  },
  REDIS_CLUSTER_NODES: {
    schema: hostPortList,
    fix: 'List some of the Cluster\'s masters as host:port separated by commas, e.g. 10.0.0.1:6379,10.0.0.2:6379 (leave it unset for a single Redis at REDIS_URL).',
  },
  REDIS_SENTINELS: {
    schema: hostPortList,
    fix: 'List some of the Sentinels as host:port separated by commas, e.g. 10.0.0.1:26379,10.0.0.2:26379, and name the master in REDIS_SENTINEL_NAME (leave both unset for a single Redis at REDIS_URL).',
  },
  REDIS_SENTINEL_NAME: {
    schema: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits or _ . -').optional(),
    fix: 'The master\'s name as the Sentinels know it (`sentinel monitor <name> …` in sentinel.conf), e.g. mymaster.',
  },
  REDIS_PASSWORD: {
    schema: z.string().optional(),
    fix: 'The data nodes\' password (requirepass, or the ACL user\'s with REDIS_USERNAME): the same on every Cluster node, and on the master and replicas under Sentinel.',
  },
  REDIS_USERNAME: {
    schema: z.string().regex(/^\S{1,128}$/, 'must be one word').optional(),
    fix: 'The ACL user to sign in as (Redis 6 and later), with its password in REDIS_PASSWORD; leave it unset for requirepass (the default user).',
  },
  REDIS_SENTINEL_PASSWORD: {
    schema: z.string().optional(),
    fix: 'The Sentinels\' own password (requirepass in sentinel.conf), when they have one; the master\'s and replicas\' is REDIS_PASSWORD.',
  },
  REDIS_WAIT_REPLICAS: {
    schema: intBetween(0, 5, 0),
    fix: 'How many replicas must hold a write before the bot answers (Redis WAIT): 1 with a master and a replica under Sentinel; 0 (the default) does not wait.',
  },
  REDIS_WAIT_TIMEOUT_MS: {
    schema: intBetween(10, 1_500, 500),
    fix: 'How long to wait for the replicas (10–1500 ms; 500 by default), well inside WeCom\'s 5 s: past it the answer is 503 and WeCom retries.',
  },

  REDIS_KEY_PREFIX: {
    // No braces: keys carry their own {hash tags} for Redis Cluster.
    schema: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1–64 letters, digits or _ . : -').default('yb:'),
    fix: 'Leave it unset (yb:) unless several deployments share one Redis; then give each its own, e.g. yb-kaifeng:.',
  },
  PORT: {
    schema: intBetween(1, 65535, 3000),
    fix: 'Pick a free TCP port, e.g. 3000.',
  },
  HOST: { schema: z.string().min(1).default('0.0.0.0'), fix: 'Use 0.0.0.0 to listen on every interface.' },
  REPORT_TIMEZONE: {
    schema: z.string().refine(isTimeZone, 'is not a known IANA time zone').default('Asia/Shanghai'),
    fix: 'Use an IANA zone name such as Asia/Shanghai.',
  },
  REPORT_DUE_DAY: {
    schema: intBetween(1, 28, 10),
    fix: 'The notice asks for reports before the 10th: use 10 unless the province changes it.',
  },
  FIRST_PERIOD: {
    schema: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM').optional(),
    fix: 'Leave it unset (the first roster import decides), or give the first month to collect, e.g. 2026-11.',
  },
  FAKE_NOW: {
    schema: z.iso
      .datetime({ offset: true, error: 'must be an ISO-8601 instant such as 2026-11-05T09:00:00+08:00' })
      .transform((s) => new Date(s))
      .optional(),
    fix: 'Unset it, or give an instant with its offset.',
  },
  TARGETS_FILE: {
    schema: z.string().min(1).default('config/targets.json'),
    fix: 'Point it at a JSON file shaped like config/targets.json.',
  },
  SCHEDULE_FILE: {
    schema: z.string().min(1).optional(),
    fix: 'Point it at a JSON file with the schedule keys to change (see README, Scheduled work).',
  },
  PUBLIC_BASE_URL: {
    schema: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    fix: 'Give the address staff open from WeCom, e.g. https://yuebao.example.gov.cn (no path needed).',
  },
  DASHBOARD_LINK_SECRET: {
    schema: z.string().min(32, 'must be at least 32 characters').optional(),
    fix: 'Leave it unset (derived from WECOM_SECRET), or use a long random string, e.g. `openssl rand -hex 32`.',
  },
  DASHBOARD_LINK_HOURS: {
    schema: intBetween(1, 168, 24),
    fix: 'How long a dashboard link stays valid, in hours (1–168); 24 by default.',
  },
  NUDGE_INTERVAL_HOURS: {
    schema: intBetween(1, 72, 4),
    fix: 'At most one nudge per school within this many hours, whoever asks (1–72); 4 by default.',
  },
  WORKBENCH: {
    schema: z.enum(['on', 'off']).default('off'),
    fix: 'on: each person\'s app tile on the WeCom workbench shows their state (needs the app\'s 工作台展示 permission); off (the default): nothing is set.',
  },
  REVIEW_REQUIRED: {
    schema: z.enum(['on', 'off']).default('off'),
    fix: 'on: a submitted report counts in the figures once its city staff approve it (通过); off (the default): at once, review is optional.',
  },
  OUTBOX_LEASE_SECONDS: {
    schema: intBetween(15, 600, 30),
    fix: 'How long an instance holds a message it is sending (15–600 s, longer than a WeCom call takes); 30 by default.',
  },
  LOG_LEVEL: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    fix: 'Use one of fatal, error, warn, info, debug, trace, silent.',
  },
} as const;

type Fields = typeof fields;
type Parsed = { [K in keyof Fields]: z.output<Fields[K]['schema']> };

/** Keys whose value is used exactly as given (a password's end spaces are part of it). */
const UNTRIMMED_KEYS: ReadonlySet<string> = new Set(['REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD']);

/** Redis keys that only make sense together, or not together. */
function redisProblems(out: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const cluster = out.REDIS_CLUSTER_NODES !== undefined;
  const sentinels = out.REDIS_SENTINELS !== undefined;
  if (cluster && sentinels) problems.push({ key: 'REDIS_SENTINELS', problem: 'is set together with REDIS_CLUSTER_NODES', fix: 'Use one: REDIS_CLUSTER_NODES for a Redis Cluster, or REDIS_SENTINELS with REDIS_SENTINEL_NAME for a master and replicas under Sentinel.' });
  if (sentinels && out.REDIS_SENTINEL_NAME === undefined) problems.push({ key: 'REDIS_SENTINEL_NAME', problem: 'is not set while REDIS_SENTINELS is', fix: fields.REDIS_SENTINEL_NAME.fix });
  if (!sentinels && out.REDIS_SENTINEL_NAME !== undefined) problems.push({ key: 'REDIS_SENTINELS', problem: 'is not set while REDIS_SENTINEL_NAME is', fix: fields.REDIS_SENTINELS.fix });
  const urlPassword = typeof out.REDIS_URL === 'string' && /^rediss?:\/\/[^/@]*:[^/@]+@/.test(out.REDIS_URL);
  if (urlPassword && out.REDIS_PASSWORD !== undefined) problems.push({ key: 'REDIS_PASSWORD', problem: 'is set while REDIS_URL carries a password too', fix: 'Keep one: the password in REDIS_URL (redis://:password@host:port) or in REDIS_PASSWORD, not both.' });
  if (out.REDIS_USERNAME !== undefined && out.REDIS_PASSWORD === undefined) problems.push({ key: 'REDIS_PASSWORD', problem: 'is not set while REDIS_USERNAME is', fix: fields.REDIS_PASSWORD.fix });
  if (out.REDIS_SENTINEL_PASSWORD !== undefined && !sentinels) problems.push({ key: 'REDIS_SENTINEL_PASSWORD', problem: 'is set without REDIS_SENTINELS', fix: 'It is the Sentinels\' own password: leave it unset unless REDIS_SENTINELS is set (a single Redis or a Cluster takes REDIS_PASSWORD).' });
  // WAIT counts the replicas of the node the connection is on; a Cluster client spreads one
  // process's writes over many nodes, so a WAIT would vouch for some other node's writes.
  if (cluster && Number(out.REDIS_WAIT_REPLICAS ?? 0) > 0) problems.push({ key: 'REDIS_WAIT_REPLICAS', problem: 'is set with REDIS_CLUSTER_NODES', fix: 'Leave it at 0 on a Cluster (a WAIT there vouches for one node only); use REDIS_SENTINELS for acknowledged writes on a replica.' });
  return problems;
}

/**
 * Parses the environment (the only reader of process.env in the project).
 * Throws ConfigError listing every problem; empty strings count as unset for keys with a default.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: ConfigProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(fields) as [keyof Fields, Fields[keyof Fields]][]) {
    const raw = env[key];
    const value = raw === undefined || raw.trim() === '' ? undefined : UNTRIMMED_KEYS.has(key) ? raw : raw.trim();
    const result = (field.schema as z.ZodType).safeParse(value);
    if (result.success) out[key] = result.data;
    else problems.push({ key, problem: result.error.issues[0]?.message ?? 'is invalid', fix: field.fix });
  }
  const production = env.NODE_ENV === 'production';
  if (production && out.FAKE_NOW !== undefined) {
    problems.push({ key: 'FAKE_NOW', problem: 'is set while NODE_ENV=production', fix: 'Remove FAKE_NOW: a production clock must be real.' });
  }
  problems.push(...redisProblems(out));
  if (problems.length > 0) throw new ConfigError(problems);
  const p = out as Parsed;
  return {
    wecom: {
      corpId: p.WECOM_CORP_ID,
      agentId: p.WECOM_AGENT_ID,
      secret: p.WECOM_SECRET,
      token: p.WECOM_TOKEN,
      encodingAesKey: p.WECOM_ENCODING_AES_KEY,
      apiBase: p.WECOM_API_BASE.replace(/\/+$/, ''),
      oauthBase: p.WECOM_OAUTH_BASE.replace(/\/+$/, ''),
    },
    redisUrl: p.REDIS_URL,
    redisClusterNodes: p.REDIS_CLUSTER_NODES,
    redisSentinels: p.REDIS_SENTINELS,
    redisSentinelName: p.REDIS_SENTINEL_NAME,
    redisPassword: p.REDIS_PASSWORD,
    redisUsername: p.REDIS_USERNAME,
    redisSentinelPassword: p.REDIS_SENTINEL_PASSWORD,
    redisWaitReplicas: p.REDIS_WAIT_REPLICAS,
    redisWaitTimeoutMs: p.REDIS_WAIT_TIMEOUT_MS,
    redisKeyPrefix: p.REDIS_KEY_PREFIX,
    port: p.PORT,
    host: p.HOST,
    timezone: p.REPORT_TIMEZONE,
    dueDay: p.REPORT_DUE_DAY,
    firstPeriod: p.FIRST_PERIOD,
    fakeNow: p.FAKE_NOW,
    logLevel: p.LOG_LEVEL,
    production,
    targetsFile: p.TARGETS_FILE,
    scheduleFile: p.SCHEDULE_FILE,
    publicBaseUrl: p.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    // A separate key for links, so that a leaked link secret says nothing about the app's secret.
    dashboardLinkSecret: p.DASHBOARD_LINK_SECRET ?? createHmac('sha256', p.WECOM_SECRET).update('yuebao dashboard links').digest('hex'),
    dashboardLinkHours: p.DASHBOARD_LINK_HOURS,
    nudgeIntervalHours: p.NUDGE_INTERVAL_HOURS,
    reviewRequired: p.REVIEW_REQUIRED === 'on',
    workbench: p.WORKBENCH === 'on',
    outboxLeaseSeconds: p.OUTBOX_LEASE_SECONDS,
  };
}
