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

interface Entry<T> {
  value: T;
  /** Epoch ms, or Infinity. */
  expiresAt: number;
}

/**
 * The embedded store for `npm run demo` and single-process use: the same semantics as RedisStore
 * (one contract suite checks both), nothing shared across processes, nothing kept on exit.
 */
export class MemoryStore implements Store {
  private readonly values = new Map<string, Entry<unknown>>();
  private sequence = 0;

  constructor(private readonly wallClock: () => number = Date.now) {}

  private get<T>(key: string): T | undefined {
    const entry = this.values.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.wallClock()) {
      this.values.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  private put(key: string, value: unknown, ttlMs: number | null): void {
    this.values.set(key, { value, expiresAt: ttlMs === null ? Infinity : this.wallClock() + ttlMs });
  }

  async ping(): Promise<void> {}

  // Each method runs to completion without yielding, so these compositions are atomic as in Redis.
  async beginTurn(args: BeginTurn): Promise<TurnStart> {
    const claim = await this.claimDelivery(args.userId, args.deliveryId, args.leaseMs);
    if (claim !== 'claimed') return { claim };
    const lock = await this.tryLock(userLock(args.userId), args.lockTtlMs);
    return { claim, lock, session: lock === null ? null : await this.readSession(args.userId) };
  }

  async endTurn(args: EndTurn): Promise<number | null> {
    const rev = await this.writeSession(args.userId, args.data, args.expectedRev, args.sessionTtlMs);
    if (rev === null) await this.releaseDelivery(args.userId, args.deliveryId);
    else await this.completeDelivery(args.userId, args.deliveryId, args.keepMs);
    await this.unlock(userLock(args.userId), args.lock);
    return rev;
  }

  async abortTurn(args: { userId: string; deliveryId: string; lock: string | null }): Promise<void> {
    await this.releaseDelivery(args.userId, args.deliveryId);
    if (args.lock !== null) await this.unlock(userLock(args.userId), args.lock);
  }

  async claimDelivery(userId: string, id: string, leaseMs: number): Promise<DeliveryClaim> {
    const key = `delivery:${userId}:${id}`;
    const state = this.get<string>(key);
    if (state === undefined) {
      this.put(key, 'running', leaseMs);
      return 'claimed';
    }
    return state === 'done' ? 'done' : 'running';
  }

  async completeDelivery(userId: string, id: string, keepMs: number): Promise<void> {
    this.put(`delivery:${userId}:${id}`, 'done', keepMs);
  }

  async releaseDelivery(userId: string, id: string): Promise<void> {
    if (this.get(`delivery:${userId}:${id}`) === 'running') this.values.delete(`delivery:${userId}:${id}`);
  }

  async deliveryState(userId: string, id: string): Promise<'absent' | 'running' | 'done'> {
    const state = this.get<string>(`delivery:${userId}:${id}`);
    return state === undefined ? 'absent' : state === 'done' ? 'done' : 'running';
  }

  async tryLock(name: string, ttlMs: number): Promise<string | null> {
    if (this.get(`lock:${name}`) !== undefined) return null;
    const token = `mem:${++this.sequence}`;
    this.put(`lock:${name}`, token, ttlMs);
    return token;
  }

  async unlock(name: string, token: string): Promise<boolean> {
    if (this.get(`lock:${name}`) !== token) return false;
    this.values.delete(`lock:${name}`);
    return true;
  }

  async readSession(userId: string): Promise<StoredSession | null> {
    return this.get<StoredSession>(`session:${userId}`) ?? null;
  }

  async writeSession(userId: string, data: string, expectedRev: number, ttlMs: number | null): Promise<number | null> {
    const current = this.get<StoredSession>(`session:${userId}`)?.rev ?? 0;
    if (current !== expectedRev) return null;
    this.put(`session:${userId}`, { data, rev: current + 1 }, ttlMs);
    return current + 1;
  }

  async deleteSession(userId: string): Promise<void> {
    this.values.delete(`session:${userId}`);
  }

  async getMember(userId: string): Promise<string | null> {
    return this.get<string>(`member:${userId}`) ?? null;
  }

  async getMemberWithSchool(userId: string): Promise<{ member: string | null; school: string | null }> {
    const member = this.get<string>(`member:${userId}`) ?? null;
    if (member === null) return { member: this.get<string>(`staff:${userId}`) ?? null, school: null };
    const parsed = (() => {
      try {
        return JSON.parse(member) as { role?: string; school?: string };
      } catch {
        return {};
      }
    })();
    return { member, school: parsed.role === 'school' && parsed.school ? (this.get<string>(`school:${parsed.school}`) ?? null) : null };
  }

  private entriesWith(prefix: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const key of this.values.keys()) {
      if (!key.startsWith(prefix)) continue;
      const value = this.get<string>(key);
      if (value !== undefined) out[key.slice(prefix.length)] = value;
    }
    return out;
  }

  async readRoster(): Promise<RosterSnapshot> {
    return { schools: this.entriesWith('school:'), members: this.entriesWith('member:'), staff: this.entriesWith('staff:') };
  }

  async replaceSchools(schools: Record<string, string>, members: Record<string, string>, index: SchoolIndex): Promise<void> {
    for (const key of [...this.values.keys()]) if (/^(school|member|index):/.test(key)) this.values.delete(key);
    for (const [code, json] of Object.entries(schools)) this.put(`school:${code}`, json, null);
    for (const [userId, json] of Object.entries(members)) this.put(`member:${userId}`, json, null);
    this.put('index:all', new Set(Object.keys(schools)), null);
    for (const [city, codes] of Object.entries(index.byCity)) this.put(`index:city:${city}`, new Set(codes), null);
    for (const [cat, codes] of Object.entries(index.byCategory)) this.put(`index:category:${cat}`, new Set(codes), null);
  }

  async replaceStaff(staff: Record<string, string>): Promise<void> {
    for (const key of [...this.values.keys()]) if (key.startsWith('staff:')) this.values.delete(key);
    for (const [userId, json] of Object.entries(staff)) this.put(`staff:${userId}`, json, null);
  }

  private set(key: string): Set<string> {
    return this.get<Set<string>>(key) ?? new Set();
  }

  async setSchoolStatus(period: string, school: string, status: IndexedStatus | null): Promise<void> {
    for (const s of ['filed', 'late', 'drafting', 'defaulted']) {
      const set = new Set(this.set(`status:${period}:${s}`));
      if (s === status) set.add(school);
      else set.delete(school);
      this.put(`status:${period}:${s}`, set, null);
    }
  }

  async readPeriodIndex(period: string): Promise<PeriodIndex> {
    const byCity: Record<string, string[]> = {};
    const byCategory: Record<string, string[]> = {};
    for (const key of this.values.keys()) {
      const m = /^index:(city|category):(.+)$/.exec(key);
      if (m) (m[1] === 'city' ? byCity : byCategory)[m[2]!] = [...this.set(key)];
    }
    const status = (s: string) => [...this.set(`status:${period}:${s}`)];
    return { all: [...this.set('index:all')], byCity, byCategory, status: { filed: status('filed'), late: status('late'), drafting: status('drafting'), defaulted: status('defaulted') } };
  }

  async owingSchools(period: string, scope: { city?: string; category?: string }): Promise<string[]> {
    let base = [...this.set('index:all')];
    if (scope.city) base = base.filter((c) => this.set(`index:city:${scope.city}`).has(c));
    if (scope.category) base = base.filter((c) => this.set(`index:category:${scope.category}`).has(c));
    const filed = this.set(`status:${period}:filed`);
    const late = this.set(`status:${period}:late`);
    return base.filter((c) => !filed.has(c) && !late.has(c));
  }

  async setYearToDate(year: number, school: string, json: string): Promise<void> {
    this.put(`ytd:${year}`, { ...(this.get<Record<string, string>>(`ytd:${year}`) ?? {}), [school]: json }, null);
  }

  async readYearToDate(year: number): Promise<Record<string, string>> {
    return { ...(this.get<Record<string, string>>(`ytd:${year}`) ?? {}) };
  }

  async markOnce(scope: string, members: readonly string[], ttlMs: number): Promise<boolean[]> {
    return members.map((member) => {
      if (this.get(`once:${scope}:${member}`) !== undefined) return false;
      this.put(`once:${scope}:${member}`, true, ttlMs);
      return true;
    });
  }

  async isMarked(scope: string, member: string): Promise<boolean> {
    return this.get(`once:${scope}:${member}`) !== undefined;
  }

  async recordDefault(school: string, period: string, report: string, history: Record<string, string>): Promise<boolean> {
    const reports = this.get<Record<string, string>>(`reports:${school}`) ?? {};
    if (reports[period] !== undefined) return false;
    this.put(`reports:${school}`, { ...reports, [period]: report }, null);
    this.put(`rev:${school}:${period}`, (this.get<number>(`rev:${school}:${period}`) ?? 0) + 1, null);
    this.put(`history:${school}`, [...(this.get<Record<string, string>[]>(`history:${school}`) ?? []), history], null);
    return true;
  }

  async appendAudit(fields: Record<string, string>): Promise<void> {
    this.put('audit', [...(this.get<Record<string, string>[]>('audit') ?? []), fields], null);
  }

  async readAudit(): Promise<Record<string, string>[]> {
    return [...(this.get<Record<string, string>[]>('audit') ?? [])];
  }

  async putMember(userId: string, json: string): Promise<void> {
    this.put(`member:${userId}`, json, null);
  }

  async deleteMember(userId: string): Promise<void> {
    this.values.delete(`member:${userId}`);
  }

  async getSchool(code: string): Promise<string | null> {
    return this.get<string>(`school:${code}`) ?? null;
  }

  async getSchools(codes: readonly string[]): Promise<(string | null)[]> {
    return codes.map((c) => this.get<string>(`school:${c}`) ?? null);
  }

  async putSchool(code: string, json: string): Promise<void> {
    this.put(`school:${code}`, json, null);
  }

  async readSchool(school: string, period: string): Promise<SchoolSnapshot> {
    return {
      rev: this.get<number>(`rev:${school}:${period}`) ?? 0,
      draft: this.get<string>(`draft:${school}:${period}`) ?? null,
      reports: { ...(this.get<Record<string, string>>(`reports:${school}`) ?? {}) },
      reopened: (this.get<Set<string>>(`reopened:${school}`) ?? new Set()).has(period),
      reopenedPeriods: [...(this.get<Set<string>>(`reopened:${school}`) ?? new Set<string>())].sort(),
    };
  }

  async commitSchool(school: string, period: string, change: SchoolChange): Promise<boolean> {
    const rev = this.get<number>(`rev:${school}:${period}`) ?? 0;
    if (rev !== change.expectedRev) return false;
    this.put(`rev:${school}:${period}`, rev + 1, null);
    if (change.draft === null) this.values.delete(`draft:${school}:${period}`);
    else if (change.draft !== undefined) this.put(`draft:${school}:${period}`, change.draft, null);
    if (change.report !== undefined) this.put(`reports:${school}`, { ...(this.get<Record<string, string>>(`reports:${school}`) ?? {}), [period]: change.report }, null);
    if (change.reopened !== undefined) {
      const set = new Set(this.get<Set<string>>(`reopened:${school}`) ?? []);
      if (change.reopened) set.add(period);
      else set.delete(period);
      this.put(`reopened:${school}`, set, null);
    }
    if (change.history?.length) this.put(`history:${school}`, [...(this.get<Record<string, string>[]>(`history:${school}`) ?? []), ...change.history], null);
    return true;
  }

  async readReports(period: string, schools: readonly string[]): Promise<(string | null)[]> {
    return schools.map((code) => this.get<Record<string, string>>(`reports:${code}`)?.[period] ?? null);
  }

  async readDrafts(period: string, schools: readonly string[]): Promise<(string | null)[]> {
    return schools.map((code) => this.get<string>(`draft:${code}:${period}`) ?? null);
  }

  async readHistory(school: string): Promise<Record<string, string>[]> {
    return [...(this.get<Record<string, string>[]>(`history:${school}`) ?? [])];
  }

  async getAccessToken(): Promise<CachedToken | null> {
    return this.get<CachedToken>('token') ?? null;
  }

  async setAccessToken(token: CachedToken, ttlMs: number): Promise<void> {
    this.put('token', token, Math.max(1, ttlMs));
  }

  async dropAccessToken(ifValue: string): Promise<void> {
    if (this.get<CachedToken>('token')?.value === ifValue) this.values.delete('token');
  }

  async reserveSends(userIds: readonly string[], nowMs: number, limits: SendLimits): Promise<number[]> {
    return userIds.map((userId) => this.reserveOne(userId, nowMs, limits));
  }

  private reserveOne(userId: string, nowMs: number, limits: SendLimits): number {
    const key = `sends:${userId}`;
    const times = (this.get<number[]>(key) ?? []).filter((t) => t > nowMs - HOUR_MS);
    this.put(key, times, HOUR_MS);
    if (times.length >= limits.perHour) {
      return Math.max(1, times[times.length - limits.perHour]! + HOUR_MS - nowMs);
    }
    const inMinute = times.filter((t) => t > nowMs - MINUTE_MS);
    if (inMinute.length >= limits.perMinute) {
      return Math.max(1, inMinute[inMinute.length - limits.perMinute]! + MINUTE_MS - nowMs);
    }
    // Sorted insert: callers may pass a time earlier than one already recorded.
    const at = times.findIndex((t) => t > nowMs);
    times.splice(at < 0 ? times.length : at, 0, nowMs);
    return 0;
  }
}
