import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { ClockAnchor } from '../clock';
import type { EntryInit } from '../outbox/entry';
import { redisKeys, STATUSES, type RedisKeys } from './keys';
import { ALL_PARTITIONS, partitionOf } from './partition';
import { pairsToRecord, scriptClient, type ScriptClient } from './redis-scripts';
import type {
  CachedToken,
  CalendarState,
  DerivedData,
  IndexedStatus,
  NudgeVerdict,
  PeriodIndex,
  RosterSnapshot,
  SchoolIndex,
  SchoolSnapshot,
  SchoolWrite,
  SendLimits,
  Store,
} from './store';

/** The arguments an outbox entry takes in a script: id, owner, due, kind, payload. */
export function entryArgs(owner: string, entry: EntryInit): (string | number)[] {
  return [entry.id, owner, entry.due, entry.payload.kind, JSON.stringify(entry.payload)];
}

/** The keys and arguments of a school change, as APPLY_SCHOOL takes them. */
export function schoolWriteArgs(k: RedisKeys, w: SchoolWrite): { keys: string[]; args: (string | number)[] } {
  const partition = partitionOf(w.code);
  const year = w.ytd?.year ?? Number(w.period.slice(0, 4));
  const keys = [
    k.schoolRev(w.code, w.period),
    k.draft(w.code, w.period),
    k.reports(w.code),
    k.reopened(w.code),
    k.history(w.code),
    ...k.statusOf(w.code, w.period),
    k.ytd(partition, year),
    k.derivedRev(partition),
    k.reportsRev(w.code),
  ];
  const draftOp = w.draft === undefined ? 'keep' : w.draft === null ? 'del' : 'set';
  const reopened = w.reopened === undefined ? 'keep' : w.reopened ? '1' : '0';
  const status = w.status === undefined ? 'keep' : (w.status ?? '');
  const args = [w.expectedRev, w.period, w.code, draftOp, w.draft ?? '', w.report ?? '', reopened, status, w.ytd?.sums ?? '', JSON.stringify(w.history), w.expectedReportsRev ?? -1];
  return { keys, args };
}

/** The production store. Takes an ioredis client (standalone, Sentinel or Cluster) it does not own. */
export class RedisStore implements Store {
  readonly keys: RedisKeys;
  private readonly scripts: ScriptClient;
  private sequence = 0;
  private readonly instance = randomBytes(4).toString('hex');

  constructor(
    private readonly redis: Redis | Cluster,
    prefix = 'yb:',
  ) {
    this.keys = redisKeys(prefix);
    this.scripts = scriptClient(redis);
  }

  private token(): string {
    return `${this.instance}:${++this.sequence}`;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async tryLock(name: string, ttlMs: number): Promise<string | null> {
    const token = this.token();
    const set = await this.redis.set(this.keys.lockNamed(name), token, 'PX', ttlMs, 'NX');
    return set === 'OK' ? token : null;
  }

  async unlock(name: string, token: string): Promise<boolean> {
    return Number(await this.scripts.ybUnlock(this.keys.lockNamed(name), token)) === 1;
  }

  async getMemberWithSchool(userId: string): Promise<{ member: string | null; school: string | null }> {
    const [member, school] = (await this.scripts.ybMemberWithSchool(this.keys.members, this.keys.schools, this.keys.staff, userId)) as [string | null, string | null];
    return { member: member ?? null, school: school ?? null };
  }

  async putMember(userId: string, json: string): Promise<void> {
    await this.redis.hset(this.keys.members, userId, json);
  }

  async putSchool(code: string, json: string): Promise<void> {
    await this.redis.hset(this.keys.schools, code, json);
  }

  async getSchools(codes: readonly string[]): Promise<(string | null)[]> {
    return codes.length === 0 ? [] : this.redis.hmget(this.keys.schools, ...codes);
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

  /** A period's status sets, merged over the partitions (each answered in its own slot, issued together). */
  private async statusSets(period: string, statuses: readonly IndexedStatus[]): Promise<Record<IndexedStatus, string[]>> {
    const out: Record<IndexedStatus, string[]> = { filed: [], late: [], drafting: [], defaulted: [] };
    const parts = await Promise.all(ALL_PARTITIONS.map((p) => Promise.all(statuses.map((s) => this.redis.smembers(this.keys.status(p, period, s))))));
    for (const sets of parts) sets.forEach((codes, i) => out[statuses[i]!].push(...codes));
    return out;
  }

  async readPeriodIndex(period: string): Promise<PeriodIndex> {
    const k = this.keys;
    const indexKeys = await this.redis.smembers(`${k.indexPrefix}keys`);
    const [all, sets, status] = await Promise.all([this.redis.smembers(k.allSchools), Promise.all(indexKeys.map((key) => this.redis.smembers(key))), this.statusSets(period, STATUSES)]);
    const index: PeriodIndex = { all, byCity: {}, byCategory: {}, status };
    indexKeys.forEach((key, i) => {
      const [kind, name] = key.slice(k.indexPrefix.length).split(':') as [string, string];
      if (kind === 'city') index.byCity[name] = sets[i]!;
      else if (kind === 'category') index.byCategory[name] = sets[i]!;
    });
    return index;
  }

  async owingSchools(period: string, scope: { city?: string; category?: string }): Promise<string[]> {
    const k = this.keys;
    const sets = [...(scope.city ? [`${k.indexPrefix}city:${scope.city}`] : []), ...(scope.category ? [`${k.indexPrefix}category:${scope.category}`] : [])];
    const [inScope, status] = await Promise.all([sets.length === 0 ? this.redis.smembers(k.allSchools) : this.redis.sinter(...sets), this.statusSets(period, ['filed', 'late'])]);
    const filed = new Set([...status.filed, ...status.late]);
    return inScope.filter((code) => !filed.has(code));
  }

  async readYearToDate(year: number): Promise<Record<string, string>> {
    const parts = await Promise.all(ALL_PARTITIONS.map((p) => this.redis.hgetall(this.keys.ytd(p, year))));
    return Object.assign({}, ...parts) as Record<string, string>;
  }

  async markOnce(scope: string, members: readonly string[], ttlMs: number): Promise<boolean[]> {
    return Promise.all(members.map(async (member) => (await this.redis.set(this.keys.once(scope, member), '1', 'PX', ttlMs, 'NX')) === 'OK'));
  }

  async isMarked(scope: string, member: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.once(scope, member))) === 1;
  }

  async readCalendar(): Promise<CalendarState> {
    const [startedAt, closed] = await Promise.all([this.redis.get(this.keys.calendarStart), this.redis.smembers(this.keys.closedPeriods)]);
    return { startedAt: startedAt === null ? null : Number(startedAt), closed: closed.sort() };
  }

  async startCalendar(at: number): Promise<number> {
    const previous = await this.redis.set(this.keys.calendarStart, String(at), 'NX', 'GET');
    return previous === null ? at : Number(previous);
  }

  async markClosed(period: string): Promise<void> {
    await this.redis.sadd(this.keys.closedPeriods, period);
  }

  async anchorClock(fakeAt: number, realAt: number): Promise<ClockAnchor> {
    const mine = `${fakeAt}:${realAt}`;
    const stored = await this.redis.set(this.keys.clockAnchor, mine, 'NX', 'GET');
    const [storedFake, storedReal] = (stored ?? mine).split(':').map(Number);
    if (storedFake === fakeAt) return { fakeAt, realAt: storedReal! };
    await this.redis.set(this.keys.clockAnchor, mine);
    return { fakeAt, realAt };
  }

  async readSchool(school: string, period: string): Promise<SchoolSnapshot> {
    const k = this.keys;
    const raw = (await this.scripts.ybReadSchool(k.schoolRev(school, period), k.draft(school, period), k.reports(school), k.reopened(school), k.reportsRev(school), period)) as [string, string | null, string[], number, string[], string];
    return schoolSnapshot(raw);
  }

  async commitSchool(write: SchoolWrite): Promise<boolean> {
    const { keys, args } = schoolWriteArgs(this.keys, write);
    return Number(await this.scripts.ybCommitSchool(...keys, ...args)) === 1;
  }

  async recordDefault(school: string, period: string, report: string, history: Record<string, string>, notice: EntryInit | null, now: number): Promise<boolean> {
    const k = this.keys;
    const p = partitionOf(school);
    const keys = [k.schoolRev(school, period), k.reports(school), k.history(school), ...k.statusOf(school, period), k.derivedRev(p), k.reportsRev(school), k.outboxDue(p), ...(notice ? [k.outboxEntry(p, notice.id)] : [])];
    const args = [period, school, report, JSON.stringify(history), now, ...(notice ? entryArgs(school, notice) : [])];
    return Number(await this.scripts.ybRecordDefault(keys.length, ...keys, ...args)) === 1;
  }

  async nudgeSchool(school: string, period: string, entry: EntryInit, policy: { sendAt: number; intervalMs: number; now: number }): Promise<NudgeVerdict> {
    const k = this.keys;
    const p = partitionOf(school);
    const [filed, late] = k.statusOf(school, period);
    const [id, owner, , kind, payload] = entryArgs(school, entry);
    return (await this.scripts.ybNudgeSchool(k.nudged(school), filed!, late!, k.outboxDue(p), k.outboxEntry(p, entry.id), school, policy.sendAt, policy.intervalMs, policy.now, id!, owner!, kind!, payload!)) as NudgeVerdict;
  }

  async reopenSchool(school: string, period: string, taskId: string, history: Record<string, string>, notice: EntryInit | null, now: number): Promise<boolean> {
    const k = this.keys;
    const p = partitionOf(school);
    const keys = [k.applied(school, taskId), k.reopened(school), k.history(school), k.schoolRev(school, period), k.outboxDue(p), ...(notice ? [k.outboxEntry(p, notice.id)] : [])];
    const args = [period, JSON.stringify(history), 120 * 24 * 3_600_000, now, ...(notice ? entryArgs(school, notice) : [])];
    return Number(await this.scripts.ybReopenSchool(keys.length, ...keys, ...args)) === 1;
  }

  async readReports(period: string, schools: readonly string[]): Promise<(string | null)[]> {
    // Each school's hash lives in its partition's slot: auto-pipelining sends these in a few
    // writes, and on a Cluster groups them by node.
    return Promise.all(schools.map((code) => this.redis.hget(this.keys.reports(code), period)));
  }

  async readDrafts(period: string, schools: readonly string[]): Promise<(string | null)[]> {
    return Promise.all(schools.map((code) => this.redis.get(this.keys.draft(code, period))));
  }

  async readHistory(school: string): Promise<Record<string, string>[]> {
    const entries = await this.redis.xrange(this.keys.history(school), '-', '+');
    return entries.map(([, flat]) => pairsToRecord(flat));
  }

  async readDerived(partition: number, periods: readonly string[], year: number): Promise<DerivedData> {
    const k = this.keys;
    const [rev, sets, ytd] = await Promise.all([
      this.redis.get(k.derivedRev(partition)),
      Promise.all(periods.map((period) => Promise.all(STATUSES.map((s) => this.redis.smembers(k.status(partition, period, s)))))),
      this.redis.hgetall(k.ytd(partition, year)),
    ]);
    const status: DerivedData['status'] = {};
    periods.forEach((period, i) => {
      status[period] = Object.fromEntries(STATUSES.map((s, j) => [s, sets[i]![j]!])) as Record<IndexedStatus, string[]>;
    });
    return { rev: Number(rev ?? 0), status, year, ytd };
  }

  async replaceDerived(partition: number, data: DerivedData): Promise<boolean> {
    const k = this.keys;
    const periods = Object.keys(data.status);
    const keys = [k.derivedRev(partition), ...periods.flatMap((period) => STATUSES.map((s) => k.status(partition, period, s))), k.ytd(partition, data.year)];
    const body = { status: periods.flatMap((period) => STATUSES.map((s) => data.status[period]![s])), ytd: Object.entries(data.ytd).flat() };
    return Number(await this.scripts.ybReplaceDerived(keys.length, ...keys, data.rev, JSON.stringify(body))) === 1;
  }

  async appendAudit(fields: Record<string, string>, id?: string): Promise<void> {
    const k = this.keys;
    await this.scripts.ybAudit(k.auditEntries, k.auditOrder, k.auditSeq, id ?? `a:${Date.now()}:${this.token()}`, JSON.stringify(fields));
  }

  async readAudit(): Promise<Record<string, string>[]> {
    const ids = await this.redis.zrange(this.keys.auditOrder, 0, -1);
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(this.keys.auditEntries, ...ids);
    return values.flatMap((json) => (json ? [JSON.parse(json) as Record<string, string>] : []));
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

  async reserveSends(userIds: readonly string[], nowMs: number, limits: SendLimits, options: { tag?: string } = {}): Promise<number[]> {
    // One script per recipient, each in its own hash slot: issued together, auto-pipelining sends
    // them in a few writes (per node on a Cluster, where one cross-slot pipeline would be refused).
    return Promise.all(
      userIds.map(async (userId) =>
        Number(await this.scripts.ybReserveSend(this.keys.sends(userId), nowMs, limits.perMinute, limits.perHour, `${nowMs}:${options.tag ?? this.token()}`)),
      ),
    );
  }

  async releaseSends(userIds: readonly string[], nowMs: number, tag: string): Promise<void> {
    await Promise.all(userIds.map((userId) => this.redis.zrem(this.keys.sends(userId), `${nowMs}:${tag}`)));
  }
}

/** The answer of ybReadSchool (or the school part of ybTurnBegin) as a snapshot. */
export function schoolSnapshot([rev, draft, flat, reopened, reopenedPeriods, reportsRev]: [string, string | null | false, string[], number, string[], string]): SchoolSnapshot {
  return { rev: Number(rev), draft: draft || null, reports: pairsToRecord(flat), reopened: reopened === 1, reopenedPeriods: [...reopenedPeriods].sort(), reportsRev: Number(reportsRev) };
}
