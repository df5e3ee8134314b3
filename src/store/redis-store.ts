import { randomBytes } from 'node:crypto';
import type { Redis, Cluster } from 'ioredis';
import {
  HOUR_MS,
  MINUTE_MS,
  userLock,
  type BeginTurn,
  type CachedToken,
  type DeliveryClaim,
  type EndTurn,
  type IndexedStatus,
  type PeriodIndex,
  type RosterSnapshot,
  type SchoolChange,
  type SchoolIndex,
  type SchoolSnapshot,
  type SendLimits,
  type Store,
  type StoredSession,
  type TurnStart,
} from './store';

// Lua keeps each check-and-write atomic. Every script touches keys of one hash slot only, so the
// store works on Redis Cluster: all of a user's keys share the hash tag {u:<id>}.
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const RELEASE_DELIVERY = `if redis.call('GET', KEYS[1]) == 'running' then redis.call('DEL', KEYS[1]) end`;

const SCRIPTS = {
  ybUnlock: { numberOfKeys: 1, lua: UNLOCK },
  ybReleaseDelivery: { numberOfKeys: 1, lua: RELEASE_DELIVERY },
  // KEYS: delivery, lock, session. ARGV: leaseMs, lockTtlMs, lockToken.
  ybBeginTurn: {
    numberOfKeys: 3,
    lua: `if not redis.call('SET', KEYS[1], 'running', 'PX', ARGV[1], 'NX') then
  if redis.call('GET', KEYS[1]) == 'done' then return {'done'} end
  return {'running'}
end
local locked = redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2], 'NX') and 1 or 0
if locked == 0 then return {'claimed', 0} end
local s = redis.call('HMGET', KEYS[3], 'data', 'rev')
return {'claimed', 1, s[1], s[2]}`,
  },
  // KEYS: delivery, lock, session. ARGV: lockToken, expectedRev, data, sessionTtlMs, keepMs.
  ybEndTurn: {
    numberOfKeys: 3,
    lua: `local cur = tonumber(redis.call('HGET', KEYS[3], 'rev') or '0')
local rev = -1
if cur == tonumber(ARGV[2]) then
  rev = cur + 1
  redis.call('HSET', KEYS[3], 'rev', rev, 'data', ARGV[3])
  if tonumber(ARGV[4]) > 0 then redis.call('PEXPIRE', KEYS[3], ARGV[4]) else redis.call('PERSIST', KEYS[3]) end
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[5])
else
  ${RELEASE_DELIVERY}
end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return rev`,
  },
  // KEYS: delivery, lock. ARGV: lockToken.
  ybAbortTurn: {
    numberOfKeys: 2,
    lua: `${RELEASE_DELIVERY}
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end`,
  },
  // KEYS: rev, draft, reports, reopened. ARGV: period.
  ybReadSchool: {
    numberOfKeys: 4,
    lua: `return {redis.call('GET', KEYS[1]) or '0', redis.call('GET', KEYS[2]) or false, redis.call('HGETALL', KEYS[3]), redis.call('SISMEMBER', KEYS[4], ARGV[1]), redis.call('SMEMBERS', KEYS[4])}`,
  },
  // KEYS: rev, draft, reports, reopened, history.
  // ARGV: period, expectedRev, draftOp ('keep'|'set'|'del'), draft, report ('' = keep), reopened ('keep'|'1'|'0'), n entries, then entries as JSON.
  ybCommitSchool: {
    numberOfKeys: 5,
    lua: `if tonumber(redis.call('GET', KEYS[1]) or '0') ~= tonumber(ARGV[2]) then return 0 end
redis.call('INCR', KEYS[1])
if ARGV[3] == 'set' then redis.call('SET', KEYS[2], ARGV[4]) elseif ARGV[3] == 'del' then redis.call('DEL', KEYS[2]) end
if ARGV[5] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], ARGV[5]) end
if ARGV[6] == '1' then redis.call('SADD', KEYS[4], ARGV[1]) elseif ARGV[6] == '0' then redis.call('SREM', KEYS[4], ARGV[1]) end
for i = 1, tonumber(ARGV[7]) do
  local fields = cjson.decode(ARGV[7 + i])
  local flat = {}
  for k, v in pairs(fields) do flat[#flat + 1] = k; flat[#flat + 1] = v end
  redis.call('XADD', KEYS[5], 'MAXLEN', '~', 100000, '*', unpack(flat))
end
return 1`,
  },
  // KEYS: members, schools, staff. ARGV: userId. A school contact (with their school) or else a staff member.
  ybMemberWithSchool: {
    numberOfKeys: 3,
    lua: `local m = redis.call('HGET', KEYS[1], ARGV[1])
if not m then return {redis.call('HGET', KEYS[3], ARGV[1]) or false, false} end
local ok, decoded = pcall(cjson.decode, m)
if not ok or decoded.role ~= 'school' then return {m, false} end
return {m, redis.call('HGET', KEYS[2], decoded.school) or false}`,
  },
  // KEYS: filed, late, drafting, defaulted (the period's sets). ARGV: school, status or ''.
  ybSetStatus: {
    numberOfKeys: 4,
    lua: `for i = 1, 4 do redis.call('SREM', KEYS[i], ARGV[1]) end
local target = ({filed = 1, late = 2, drafting = 3, defaulted = 4})[ARGV[2]]
if target then redis.call('SADD', KEYS[target], ARGV[1]) end`,
  },
  // KEYS: scope sets…, filed, late, a scratch key. ARGV: number of scope sets. Owing = scope − filed − late.
  ybOwing: {
    numberOfKeys: -1 as unknown as number,
    lua: `local n = tonumber(ARGV[1])
local filed, late, tmp = KEYS[n + 1], KEYS[n + 2], KEYS[n + 3]
if n == 1 then return redis.call('SDIFF', KEYS[1], filed, late) end
local scope = {}
for i = 1, n do scope[i] = KEYS[i] end
redis.call('SINTERSTORE', tmp, unpack(scope))
local out = redis.call('SDIFF', tmp, filed, late)
redis.call('DEL', tmp)
return out`,
  },
  // KEYS: rev, reports, history. ARGV: period, report, history entry (JSON). A zero report only where none is.
  ybRecordDefault: {
    numberOfKeys: 3,
    lua: `if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[1])
local fields = cjson.decode(ARGV[3])
local flat = {}
for k, v in pairs(fields) do flat[#flat + 1] = k; flat[#flat + 1] = v end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', 100000, '*', unpack(flat))
return 1`,
  },
  ybWriteSession: {
    numberOfKeys: 1,
    lua: `local cur = tonumber(redis.call('HGET', KEYS[1], 'rev') or '0')
if cur ~= tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[1], 'rev', cur + 1, 'data', ARGV[2])
if tonumber(ARGV[3]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) else redis.call('PERSIST', KEYS[1]) end
return cur + 1`,
  },
  ybDropToken: {
    numberOfKeys: 1,
    lua: `local v = redis.call('GET', KEYS[1])
if v and cjson.decode(v).value == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`,
  },
  // Sliding windows over a sorted set of send times; returns 0 (reserved) or ms to wait.
  ybReserveSend: {
    numberOfKeys: 1,
    lua: `local now = tonumber(ARGV[1])
local perMinute = tonumber(ARGV[2])
local perHour = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - ${HOUR_MS})
local inHour = redis.call('ZCARD', KEYS[1])
if inHour >= perHour then
  local oldest = redis.call('ZRANGE', KEYS[1], inHour - perHour, inHour - perHour, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + ${HOUR_MS} - now)
end
local inMinute = redis.call('ZCOUNT', KEYS[1], '(' .. (now - ${MINUTE_MS}), '+inf')
if inMinute >= perMinute then
  local edge = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - ${MINUTE_MS}), '+inf', 'WITHSCORES', 'LIMIT', inMinute - perMinute, 1)
  return math.max(1, tonumber(edge[2]) + ${MINUTE_MS} - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ${HOUR_MS})
return 0`,
  },
} as const;

type ScriptName = keyof typeof SCRIPTS;
type ScriptClient = { [K in ScriptName]: (...args: (string | number)[]) => Promise<unknown> };

/** Key layout; exported so tests and operators can find records. */
export function redisKeys(prefix: string) {
  const user = (userId: string) => `${prefix}{u:${userId}}`;
  return {
    delivery: (userId: string, id: string) => `${user(userId)}:delivery:${id}`,
    lock: (name: string) => `${prefix}{${name}}:lock`,
    session: (userId: string) => `${user(userId)}:session`,
    sends: (userId: string) => `${user(userId)}:sends`,
    token: `${prefix}{wecom}:token`,
    // One hash tag for the roster, so a member and their school are read in one script.
    members: `${prefix}{roster}:members`,
    schools: `${prefix}{roster}:schools`,
    staff: `${prefix}{roster}:staff`,
    allSchools: `${prefix}{roster}:index:all`,
    indexPrefix: `${prefix}{roster}:index:`,
    audit: `${prefix}{audit}:log`,
    status: (period: string, status: string) => `${prefix}{roster}:period:${period}:${status}`,
    ytd: (year: number) => `${prefix}{roster}:ytd:${year}`,
    once: (scope: string, member: string) => `${prefix}{roster}:once:${scope}:${member}`,
    scratch: `${prefix}{roster}:scratch`,
    schoolRev: (school: string, period: string) => `${prefix}{s:${school}}:rev:${period}`,
    draft: (school: string, period: string) => `${prefix}{s:${school}}:draft:${period}`,
    reports: (school: string) => `${prefix}{s:${school}}:reports`,
    reopened: (school: string) => `${prefix}{s:${school}}:reopened`,
    history: (school: string) => `${prefix}{s:${school}}:history`,
  };
}

/** The production store. Takes an ioredis client (standalone, Sentinel or Cluster) it does not own. */
export class RedisStore implements Store {
  private readonly keys: ReturnType<typeof redisKeys>;
  private readonly scripts: ScriptClient;
  private sequence = 0;
  private readonly instance = randomBytes(4).toString('hex');

  constructor(
    private readonly redis: Redis | Cluster,
    prefix = 'yb:',
  ) {
    this.keys = redisKeys(prefix);
    for (const [name, script] of Object.entries(SCRIPTS)) {
      // numberOfKeys -1: the caller passes the key count first (scripts over a variable number of sets).
      if (!(name in redis)) redis.defineCommand(name, script.numberOfKeys < 0 ? { lua: script.lua } : { numberOfKeys: script.numberOfKeys, lua: script.lua });
    }
    this.scripts = redis as unknown as ScriptClient;
  }

  private token(): string {
    return `${this.instance}:${++this.sequence}`;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async beginTurn(args: BeginTurn): Promise<TurnStart> {
    const lockToken = this.token();
    const [claim, locked, data, rev] = (await this.scripts.ybBeginTurn(
      this.keys.delivery(args.userId, args.deliveryId),
      this.keys.lock(userLock(args.userId)),
      this.keys.session(args.userId),
      args.leaseMs,
      args.lockTtlMs,
      lockToken,
    )) as [DeliveryClaim, number?, string?, string?];
    if (claim !== 'claimed') return { claim };
    const session = typeof data === 'string' && typeof rev === 'string' ? { data, rev: Number(rev) } : null;
    return { claim, lock: locked === 1 ? lockToken : null, session };
  }

  async endTurn(args: EndTurn): Promise<number | null> {
    const rev = Number(
      await this.scripts.ybEndTurn(
        this.keys.delivery(args.userId, args.deliveryId),
        this.keys.lock(userLock(args.userId)),
        this.keys.session(args.userId),
        args.lock,
        args.expectedRev,
        args.data,
        args.sessionTtlMs ?? 0,
        args.keepMs,
      ),
    );
    return rev < 0 ? null : rev;
  }

  async abortTurn(args: { userId: string; deliveryId: string; lock: string | null }): Promise<void> {
    await this.scripts.ybAbortTurn(this.keys.delivery(args.userId, args.deliveryId), this.keys.lock(userLock(args.userId)), args.lock ?? '');
  }

  async claimDelivery(userId: string, id: string, leaseMs: number): Promise<DeliveryClaim> {
    const key = this.keys.delivery(userId, id);
    const set = await this.redis.set(key, 'running', 'PX', leaseMs, 'NX');
    if (set === 'OK') return 'claimed';
    const state = await this.redis.get(key);
    // The marker may have expired between the two calls: claim again rather than drop the delivery.
    if (state === null) return this.claimDelivery(userId, id, leaseMs);
    return state === 'done' ? 'done' : 'running';
  }

  async completeDelivery(userId: string, id: string, keepMs: number): Promise<void> {
    await this.redis.set(this.keys.delivery(userId, id), 'done', 'PX', keepMs);
  }

  async releaseDelivery(userId: string, id: string): Promise<void> {
    await this.scripts.ybReleaseDelivery(this.keys.delivery(userId, id));
  }

  async deliveryState(userId: string, id: string): Promise<'absent' | 'running' | 'done'> {
    const state = await this.redis.get(this.keys.delivery(userId, id));
    return state === null ? 'absent' : state === 'done' ? 'done' : 'running';
  }

  async tryLock(name: string, ttlMs: number): Promise<string | null> {
    const token = this.token();
    const set = await this.redis.set(this.keys.lock(name), token, 'PX', ttlMs, 'NX');
    return set === 'OK' ? token : null;
  }

  async unlock(name: string, token: string): Promise<boolean> {
    return Number(await this.scripts.ybUnlock(this.keys.lock(name), token)) === 1;
  }

  async readSession(userId: string): Promise<StoredSession | null> {
    const [data, rev] = await this.redis.hmget(this.keys.session(userId), 'data', 'rev');
    if (data === null || data === undefined || rev === null || rev === undefined) return null;
    return { data, rev: Number(rev) };
  }

  async writeSession(userId: string, data: string, expectedRev: number, ttlMs: number | null): Promise<number | null> {
    const rev = Number(await this.scripts.ybWriteSession(this.keys.session(userId), expectedRev, data, ttlMs ?? 0));
    return rev < 0 ? null : rev;
  }

  async deleteSession(userId: string): Promise<void> {
    await this.redis.del(this.keys.session(userId));
  }

  async getMember(userId: string): Promise<string | null> {
    return this.redis.hget(this.keys.members, userId);
  }

  async getMemberWithSchool(userId: string): Promise<{ member: string | null; school: string | null }> {
    const [member, school] = (await this.scripts.ybMemberWithSchool(this.keys.members, this.keys.schools, this.keys.staff, userId)) as [string | null, string | null];
    return { member: member ?? null, school: school ?? null };
  }

  async readRoster(): Promise<RosterSnapshot> {
    const [schools, members, staff] = await Promise.all([this.redis.hgetall(this.keys.schools), this.redis.hgetall(this.keys.members), this.redis.hgetall(this.keys.staff)]);
    return { schools, members, staff };
  }

  async replaceSchools(schools: Record<string, string>, members: Record<string, string>, index: SchoolIndex): Promise<void> {
    const k = this.keys;
    const oldIndex = await this.redis.smembers(`${k.indexPrefix}keys`);
    // One transaction in the roster's hash slot: nobody sees half a roster.
    const tx = this.redis.multi().del(k.schools, k.members, k.allSchools, `${k.indexPrefix}keys`, ...oldIndex);
    if (Object.keys(schools).length > 0) tx.hset(k.schools, schools).sadd(k.allSchools, ...Object.keys(schools));
    if (Object.keys(members).length > 0) tx.hset(k.members, members);
    const sets: [string, string[]][] = [
      ...Object.entries(index.byCity).map(([city, codes]) => [`${k.indexPrefix}city:${city}`, codes] as [string, string[]]),
      ...Object.entries(index.byCategory).map(([cat, codes]) => [`${k.indexPrefix}category:${cat}`, codes] as [string, string[]]),
    ];
    for (const [key, codes] of sets) if (codes.length > 0) tx.sadd(key, ...codes).sadd(`${k.indexPrefix}keys`, key);
    await tx.exec();
  }

  async replaceStaff(staff: Record<string, string>): Promise<void> {
    const tx = this.redis.multi().del(this.keys.staff);
    if (Object.keys(staff).length > 0) tx.hset(this.keys.staff, staff);
    await tx.exec();
  }

  private statusKeys(period: string): string[] {
    return (['filed', 'late', 'drafting', 'defaulted'] as const).map((s) => this.keys.status(period, s));
  }

  async setSchoolStatus(period: string, school: string, status: IndexedStatus | null): Promise<void> {
    await this.scripts.ybSetStatus(...this.statusKeys(period), school, status ?? '');
  }

  async readPeriodIndex(period: string): Promise<PeriodIndex> {
    const k = this.keys;
    const indexKeys = await this.redis.smembers(`${k.indexPrefix}keys`);
    const pipeline = this.redis.pipeline().smembers(k.allSchools);
    for (const key of indexKeys) pipeline.smembers(key);
    for (const key of this.statusKeys(period)) pipeline.smembers(key);
    const results = ((await pipeline.exec()) ?? []).map(([error, value]) => {
      if (error) throw error;
      return value as string[];
    });
    const index: PeriodIndex = { all: results[0]!, byCity: {}, byCategory: {}, status: { filed: [], late: [], drafting: [], defaulted: [] } };
    indexKeys.forEach((key, i) => {
      const [kind, name] = key.slice(k.indexPrefix.length).split(':') as [string, string];
      if (kind === 'city') index.byCity[name] = results[i + 1]!;
      else if (kind === 'category') index.byCategory[name] = results[i + 1]!;
    });
    const statuses = results.slice(indexKeys.length + 1);
    index.status = { filed: statuses[0]!, late: statuses[1]!, drafting: statuses[2]!, defaulted: statuses[3]! };
    return index;
  }

  async owingSchools(period: string, scope: { city?: string; category?: string }): Promise<string[]> {
    const k = this.keys;
    const sets = [...(scope.city ? [`${k.indexPrefix}city:${scope.city}`] : []), ...(scope.category ? [`${k.indexPrefix}category:${scope.category}`] : [])];
    const scopeKeys = sets.length > 0 ? sets : [k.allSchools];
    const keys = [...scopeKeys, k.status(period, 'filed'), k.status(period, 'late'), k.scratch];
    return (await this.scripts.ybOwing(keys.length, ...keys, scopeKeys.length)) as string[];
  }

  async setYearToDate(year: number, school: string, json: string): Promise<void> {
    await this.redis.hset(this.keys.ytd(year), school, json);
  }

  async readYearToDate(year: number): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.ytd(year));
  }

  async markOnce(scope: string, members: readonly string[], ttlMs: number): Promise<boolean[]> {
    if (members.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const member of members) pipeline.set(this.keys.once(scope, member), '1', 'PX', ttlMs, 'NX');
    return ((await pipeline.exec()) ?? []).map(([error, ok]) => {
      if (error) throw error;
      return ok === 'OK';
    });
  }

  async appendAudit(fields: Record<string, string>): Promise<void> {
    await this.redis.xadd(this.keys.audit, 'MAXLEN', '~', '100000', '*', ...Object.entries(fields).flat());
  }

  async readAudit(): Promise<Record<string, string>[]> {
    const entries = await this.redis.xrange(this.keys.audit, '-', '+');
    return entries.map(([, flat]) => {
      const out: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
      return out;
    });
  }

  async putMember(userId: string, json: string): Promise<void> {
    await this.redis.hset(this.keys.members, userId, json);
  }

  async deleteMember(userId: string): Promise<void> {
    await this.redis.hdel(this.keys.members, userId);
  }

  async getSchool(code: string): Promise<string | null> {
    return this.redis.hget(this.keys.schools, code);
  }

  async getSchools(codes: readonly string[]): Promise<(string | null)[]> {
    return codes.length === 0 ? [] : this.redis.hmget(this.keys.schools, ...codes);
  }

  async putSchool(code: string, json: string): Promise<void> {
    await this.redis.hset(this.keys.schools, code, json);
  }

  private schoolKeys(school: string, period: string): string[] {
    const k = this.keys;
    return [k.schoolRev(school, period), k.draft(school, period), k.reports(school), k.reopened(school), k.history(school)];
  }

  async readSchool(school: string, period: string): Promise<SchoolSnapshot> {
    const [rev, draft, flat, reopened, reopenedPeriods] = (await this.scripts.ybReadSchool(...this.schoolKeys(school, period).slice(0, 4), period)) as [string, string | null, string[], number, string[]];
    const reports: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) reports[flat[i]!] = flat[i + 1]!;
    return { rev: Number(rev), draft: draft ?? null, reports, reopened: reopened === 1, reopenedPeriods: reopenedPeriods.sort() };
  }

  async commitSchool(school: string, period: string, change: SchoolChange): Promise<boolean> {
    const entries = (change.history ?? []).map((e) => JSON.stringify(e));
    const draftOp = change.draft === undefined ? 'keep' : change.draft === null ? 'del' : 'set';
    const reopened = change.reopened === undefined ? 'keep' : change.reopened ? '1' : '0';
    const ok = await this.scripts.ybCommitSchool(
      ...this.schoolKeys(school, period),
      period,
      change.expectedRev,
      draftOp,
      change.draft ?? '',
      change.report ?? '',
      reopened,
      entries.length,
      ...entries,
    );
    return Number(ok) === 1;
  }

  async readReports(period: string, schools: readonly string[]): Promise<(string | null)[]> {
    // Each school's hash lives in its own slot: auto-pipelining sends these in a few writes, and
    // on a Cluster groups them by node.
    return Promise.all(schools.map((code) => this.redis.hget(this.keys.reports(code), period)));
  }

  async isMarked(scope: string, member: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.once(scope, member))) === 1;
  }

  async recordDefault(school: string, period: string, report: string, history: Record<string, string>): Promise<boolean> {
    const k = this.keys;
    return Number(await this.scripts.ybRecordDefault(k.schoolRev(school, period), k.reports(school), k.history(school), period, report, JSON.stringify(history))) === 1;
  }

  async readDrafts(period: string, schools: readonly string[]): Promise<(string | null)[]> {
    return Promise.all(schools.map((code) => this.redis.get(this.keys.draft(code, period))));
  }

  async readHistory(school: string): Promise<Record<string, string>[]> {
    const entries = await this.redis.xrange(this.keys.history(school), '-', '+');
    return entries.map(([, flat]) => {
      const out: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
      return out;
    });
  }

  async getAccessToken(): Promise<CachedToken | null> {
    const raw = await this.redis.get(this.keys.token);
    if (raw === null) return null;
    const token = JSON.parse(raw) as CachedToken;
    return typeof token.value === 'string' && typeof token.expiresAt === 'number' ? token : null;
  }

  async setAccessToken(token: CachedToken, ttlMs: number): Promise<void> {
    await this.redis.set(this.keys.token, JSON.stringify(token), 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async dropAccessToken(ifValue: string): Promise<void> {
    await this.scripts.ybDropToken(this.keys.token, ifValue);
  }

  async reserveSends(userIds: readonly string[], nowMs: number, limits: SendLimits): Promise<number[]> {
    // One script per recipient, each in its own hash slot: issued together, auto-pipelining sends
    // them in a few writes (per node on a Cluster, where one cross-slot pipeline would be refused).
    return Promise.all(
      userIds.map(async (userId) => Number(await this.scripts.ybReserveSend(this.keys.sends(userId), nowMs, limits.perMinute, limits.perHour, `${nowMs}:${this.token()}`))),
    );
  }
}
