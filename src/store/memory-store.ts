import type { ClockAnchor } from '../clock';
import type { EntryInit } from '../outbox/entry';
import { STATUSES } from './keys';
import { MemoryDb } from './memory-db';
import { ALL_PARTITIONS, partitionOf } from './partition';
import {
  HOUR_MS,
  MINUTE_MS,
  type CachedToken,
  type CalendarState,
  type DerivedData,
  type IndexedStatus,
  type NudgeVerdict,
  type PeriodIndex,
  type RosterSnapshot,
  type SchoolIndex,
  type SchoolSnapshot,
  type SchoolWrite,
  type SendLimits,
  type Store,
} from './store';

/** A send counted against a member's limits. */
interface Reservation {
  at: number;
  tag: string;
}

/**
 * The embedded store for `npm run demo` and single-process use: the same semantics as RedisStore
 * (one contract suite checks both), nothing shared across processes, nothing kept on exit.
 */
export class MemoryStore implements Store {
  readonly db: MemoryDb;

  constructor(db: MemoryDb | (() => number) = new MemoryDb()) {
    this.db = db instanceof MemoryDb ? db : new MemoryDb(db);
  }

  async ping(): Promise<void> {}

  async tryLock(name: string, ttlMs: number): Promise<string | null> {
    if (this.db.get(`lock:${name}`) !== undefined) return null;
    const token = this.db.nextToken();
    this.db.put(`lock:${name}`, token, ttlMs);
    return token;
  }

  async unlock(name: string, token: string): Promise<boolean> {
    if (this.db.get(`lock:${name}`) !== token) return false;
    this.db.delete(`lock:${name}`);
    return true;
  }

  async getMemberWithSchool(userId: string): Promise<{ member: string | null; school: string | null }> {
    const member = this.db.get<string>(`member:${userId}`) ?? null;
    if (member === null) return { member: this.db.get<string>(`staff:${userId}`) ?? null, school: null };
    let parsed: { role?: string; school?: string } = {};
    try {
      parsed = JSON.parse(member) as typeof parsed;
    } catch {
      // Not JSON: answered as a member without a school, as the Redis script does.
    }
    return { member, school: parsed.role === 'school' && parsed.school ? (this.db.get<string>(`school:${parsed.school}`) ?? null) : null };
  }

  async putMember(userId: string, json: string): Promise<void> {
    this.db.put(`member:${userId}`, json);
  }

  async putSchool(code: string, json: string): Promise<void> {
    this.db.put(`school:${code}`, json);
  }

  async getSchools(codes: readonly string[]): Promise<(string | null)[]> {
    return codes.map((c) => this.db.get<string>(`school:${c}`) ?? null);
  }

  private entriesWith(prefix: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of this.db.keys()) {
      if (!key.startsWith(prefix)) continue;
      const value = this.db.get<string>(key);
      if (value !== undefined) out[key.slice(prefix.length)] = value;
    }
    return out;
  }

  async readRoster(): Promise<RosterSnapshot> {
    return { schools: this.entriesWith('school:'), members: this.entriesWith('member:'), staff: this.entriesWith('staff:') };
  }

  async replaceSchools(schools: Record<string, string>, members: Record<string, string>, index: SchoolIndex): Promise<void> {
    for (const key of this.db.keys()) if (/^(school|member|index):/.test(key)) this.db.delete(key);
    for (const [code, json] of Object.entries(schools)) this.db.put(`school:${code}`, json);
    for (const [userId, json] of Object.entries(members)) this.db.put(`member:${userId}`, json);
    this.db.put('index:all', new Set(Object.keys(schools)));
    for (const [city, codes] of Object.entries(index.byCity)) this.db.put(`index:city:${city}`, new Set(codes));
    for (const [cat, codes] of Object.entries(index.byCategory)) this.db.put(`index:category:${cat}`, new Set(codes));
  }

  async replaceStaff(staff: Record<string, string>): Promise<void> {
    for (const key of this.db.keys()) if (key.startsWith('staff:')) this.db.delete(key);
    for (const [userId, json] of Object.entries(staff)) this.db.put(`staff:${userId}`, json);
  }

  private statusSets(period: string): Record<IndexedStatus, string[]> {
    const out: Record<IndexedStatus, string[]> = { filed: [], late: [], drafting: [], defaulted: [] };
    for (const p of ALL_PARTITIONS) for (const s of STATUSES) out[s].push(...this.db.set(`status:${p}:${period}:${s}`));
    return out;
  }

  async readPeriodIndex(period: string): Promise<PeriodIndex> {
    const byCity: Record<string, string[]> = {};
    const byCategory: Record<string, string[]> = {};
    for (const key of this.db.keys()) {
      const m = /^index:(city|category):(.+)$/.exec(key);
      if (m) (m[1] === 'city' ? byCity : byCategory)[m[2]!] = [...this.db.set(key)];
    }
    return { all: [...this.db.set('index:all')], byCity, byCategory, status: this.statusSets(period) };
  }

  async owingSchools(period: string, scope: { city?: string; category?: string }): Promise<string[]> {
    let base = [...this.db.set('index:all')];
    if (scope.city) base = base.filter((c) => this.db.set(`index:city:${scope.city}`).has(c));
    if (scope.category) base = base.filter((c) => this.db.set(`index:category:${scope.category}`).has(c));
    const status = this.statusSets(period);
    const filed = new Set([...status.filed, ...status.late]);
    return base.filter((c) => !filed.has(c));
  }

  async readYearToDate(year: number): Promise<Record<string, string>> {
    return Object.assign({}, ...ALL_PARTITIONS.map((p) => this.db.get<Record<string, string>>(`ytd:${p}:${year}`) ?? {})) as Record<string, string>;
  }

  async markOnce(scope: string, members: readonly string[], ttlMs: number): Promise<boolean[]> {
    return members.map((member) => {
      if (this.db.get(`once:${scope}:${member}`) !== undefined) return false;
      this.db.put(`once:${scope}:${member}`, true, ttlMs);
      return true;
    });
  }

  async isMarked(scope: string, member: string): Promise<boolean> {
    return this.db.get(`once:${scope}:${member}`) !== undefined;
  }

  async readCalendar(): Promise<CalendarState> {
    return { startedAt: this.db.get<number>('calendar:started-at') ?? null, closed: [...this.db.set('calendar:closed')].sort() };
  }

  async startCalendar(at: number): Promise<number> {
    const previous = this.db.get<number>('calendar:started-at');
    if (previous !== undefined) return previous;
    this.db.put('calendar:started-at', at);
    return at;
  }

  async markClosed(period: string): Promise<void> {
    this.db.put('calendar:closed', new Set([...this.db.set('calendar:closed'), period]));
  }

  async anchorClock(fakeAt: number, realAt: number): Promise<ClockAnchor> {
    const stored = this.db.get<ClockAnchor>('calendar:fake-clock');
    if (stored?.fakeAt === fakeAt) return { ...stored };
    this.db.put('calendar:fake-clock', { fakeAt, realAt });
    return { fakeAt, realAt };
  }

  async readSchool(school: string, period: string): Promise<SchoolSnapshot> {
    return this.db.schoolSnapshot(school, period);
  }

  async commitSchool(write: SchoolWrite): Promise<boolean> {
    if (!this.db.schoolWriteHolds(write)) return false;
    this.db.applySchool(structuredClone(write));
    return true;
  }

  async recordDefault(school: string, period: string, report: string, history: Record<string, string>, notice: EntryInit | null, now: number): Promise<boolean> {
    const reports = this.db.get<Record<string, string>>(`reports:${school}`) ?? {};
    if (reports[period] !== undefined) return false;
    this.db.put(`reports:${school}`, { ...reports, [period]: report });
    this.db.bumpReports(school);
    this.db.put(`rev:${school}:${period}`, (this.db.get<number>(`rev:${school}:${period}`) ?? 0) + 1);
    this.db.appendHistory(school, [{ ...history }]);
    this.db.setStatus(school, period, 'defaulted');
    if (notice) this.db.enqueue(school, notice, now);
    return true;
  }

  async nudgeSchool(school: string, period: string, entry: EntryInit, policy: { sendAt: number; intervalMs: number; now: number }): Promise<NudgeVerdict> {
    const p = partitionOf(school);
    if (this.db.get(this.db.entryKey(p, entry.id)) !== undefined) return 'already';
    if (this.db.set(`status:${p}:${period}:filed`).has(school) || this.db.set(`status:${p}:${period}:late`).has(school)) return 'filed';
    const last = this.db.get<number>(`nudged:${school}`);
    if (last !== undefined && last > policy.sendAt - policy.intervalMs) return 'recent';
    this.db.put(`nudged:${school}`, policy.sendAt, Math.max(policy.intervalMs, 1) + Math.max(0, policy.sendAt - policy.now));
    this.db.enqueue(school, { ...entry, due: policy.sendAt }, policy.now);
    return 'queued';
  }

  async reopenSchool(school: string, period: string, taskId: string, history: Record<string, string>, notice: EntryInit | null, now: number): Promise<boolean> {
    if (this.db.get(`applied:${school}:${taskId}`) !== undefined) return false;
    this.db.put(`applied:${school}:${taskId}`, true, 120 * 24 * 3_600_000);
    this.db.put(`reopened:${school}`, new Set([...this.db.set(`reopened:${school}`), period]));
    this.db.appendHistory(school, [{ ...history }]);
    this.db.put(`rev:${school}:${period}`, (this.db.get<number>(`rev:${school}:${period}`) ?? 0) + 1);
    if (notice) this.db.enqueue(school, notice, now);
    return true;
  }

  async readReports(period: string, schools: readonly string[]): Promise<(string | null)[]> {
    return schools.map((code) => this.db.get<Record<string, string>>(`reports:${code}`)?.[period] ?? null);
  }

  async readDrafts(period: string, schools: readonly string[]): Promise<(string | null)[]> {
    return schools.map((code) => this.db.get<string>(`draft:${code}:${period}`) ?? null);
  }

  async readHistory(school: string): Promise<Record<string, string>[]> {
    return [...(this.db.get<Record<string, string>[]>(`history:${school}`) ?? [])];
  }

  async readDerived(partition: number, periods: readonly string[], year: number): Promise<DerivedData> {
    const status: DerivedData['status'] = {};
    for (const period of periods) status[period] = Object.fromEntries(STATUSES.map((s) => [s, [...this.db.set(`status:${partition}:${period}:${s}`)]])) as Record<IndexedStatus, string[]>;
    return { rev: this.db.get<number>(`derived-rev:${partition}`) ?? 0, status, year, ytd: { ...(this.db.get<Record<string, string>>(`ytd:${partition}:${year}`) ?? {}) } };
  }

  async replaceDerived(partition: number, data: DerivedData): Promise<boolean> {
    if ((this.db.get<number>(`derived-rev:${partition}`) ?? 0) !== data.rev) return false;
    for (const [period, sets] of Object.entries(data.status)) for (const s of STATUSES) this.db.put(`status:${partition}:${period}:${s}`, new Set(sets[s]));
    this.db.put(`ytd:${partition}:${data.year}`, { ...data.ytd });
    this.db.put(`derived-rev:${partition}`, data.rev + 1);
    return true;
  }

  async appendAudit(fields: Record<string, string>, id?: string): Promise<void> {
    const log = this.db.get<{ id: string; fields: Record<string, string> }[]>('audit') ?? [];
    if (id !== undefined && log.some((e) => e.id === id)) return;
    this.db.put('audit', [...log, { id: id ?? this.db.nextToken(), fields: { ...fields } }]);
  }

  async readAudit(): Promise<Record<string, string>[]> {
    return (this.db.get<{ fields: Record<string, string> }[]>('audit') ?? []).map((e) => ({ ...e.fields }));
  }

  async getAccessToken(): Promise<CachedToken | null> {
    return this.db.get<CachedToken>('token') ?? null;
  }

  async setAccessToken(token: CachedToken, ttlMs: number): Promise<void> {
    this.db.put('token', token, Math.max(1, ttlMs));
  }

  async dropAccessToken(ifValue: string): Promise<void> {
    if (this.db.get<CachedToken>('token')?.value === ifValue) this.db.delete('token');
  }

  async reserveSends(userIds: readonly string[], nowMs: number, limits: SendLimits, options: { tag?: string } = {}): Promise<number[]> {
    return userIds.map((userId) => this.reserveOne(userId, nowMs, limits, options.tag ?? this.db.nextToken()));
  }

  async releaseSends(userIds: readonly string[], nowMs: number, tag: string): Promise<void> {
    for (const userId of userIds) {
      const sends = this.db.get<Reservation[]>(`sends:${userId}`);
      if (sends) this.db.replace(`sends:${userId}`, sends.filter((x) => !(x.at === nowMs && x.tag === tag)));
    }
  }

  private reserveOne(userId: string, nowMs: number, limits: SendLimits, tag: string): number {
    const key = `sends:${userId}`;
    const sends = (this.db.get<Reservation[]>(key) ?? []).filter((x) => x.at > nowMs - HOUR_MS);
    const times = sends.map((x) => x.at);
    if (times.length >= limits.perHour) return Math.max(1, times[times.length - limits.perHour]! + HOUR_MS - nowMs);
    const inMinute = times.filter((t) => t > nowMs - MINUTE_MS);
    if (inMinute.length >= limits.perMinute) return Math.max(1, inMinute[inMinute.length - limits.perMinute]! + MINUTE_MS - nowMs);
    // Sorted insert: callers may pass a time earlier than one already recorded.
    const at = sends.findIndex((x) => x.at > nowMs);
    sends.splice(at < 0 ? sends.length : at, 0, { at: nowMs, tag });
    this.db.put(key, sends, HOUR_MS);
    return 0;
  }
}
