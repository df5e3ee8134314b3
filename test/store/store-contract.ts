import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EntryInit } from '../../src/outbox/entry';
import type { OutboxStore } from '../../src/outbox/outbox-store';
import { HOUR_MS, MINUTE_MS, type SchoolWrite, type Store } from '../../src/store/store';
import type { Stores } from '../../src/store/stores';
import type { TurnCommitArgs, TurnStore } from '../../src/store/turn-store';

export interface ContractSubject {
  stores: Stores;
  cleanup(): Promise<void>;
}

const LIMITS = { perMinute: 30, perHour: 1000 };
const write = (w: Partial<SchoolWrite> & { code: string; period: string }): SchoolWrite => ({ expectedRev: 0, history: [], ...w });
const message = (id: string, to: string[], text: string, due = 1_000): EntryInit => ({ id, payload: { kind: 'message', to, messages: [{ msgtype: 'text', text: { content: text } }] }, due });

/** One behaviour suite for every adapter of the storage ports (Store, TurnStore, OutboxStore). */
export function storeContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`${name} store contract`, () => {
    let subject: ContractSubject;
    let store: Store;
    let turns: TurnStore;
    let outbox: OutboxStore;
    beforeEach(async () => {
      subject = await make();
      ({ store, turns, outbox } = subject.stores);
    });
    afterEach(async () => subject.cleanup());

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('holds a lock for one owner and releases it only with the owner token', async () => {
      const token = await store.tryLock('jobs:close', 5_000);
      expect(token).not.toBeNull();
      expect(await store.tryLock('jobs:close', 5_000)).toBeNull();
      expect(await store.unlock('jobs:close', 'not-the-token')).toBe(false);
      expect(await store.tryLock('jobs:close', 5_000)).toBeNull();
      expect(await store.unlock('jobs:close', token!)).toBe(true);
      expect(await store.tryLock('jobs:close', 5_000)).not.toBeNull();
    });

    it('frees a lock whose holder died once its TTL passes', async () => {
      expect(await store.tryLock('jobs:b', 30)).not.toBeNull();
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.tryLock('jobs:b', 30)).not.toBeNull();
    });

    it('keeps roster members and schools', async () => {
      expect(await store.getSchools(['4141010001'])).toEqual([null]);
      await store.putMember('zhangsan', '{"role":"school"}');
      await store.putSchool('4141010001', '{"name":"x"}');
      expect((await store.getMemberWithSchool('zhangsan')).member).toBe('{"role":"school"}');
      expect(await store.getSchools(['4141010001', 'nope'])).toEqual(['{"name":"x"}', null]);
    });

    it('looks a school contact and their school up in one step', async () => {
      await store.putSchool('s1', '{"code":"s1"}');
      await store.putMember('c1', '{"userId":"c1","role":"school","school":"s1"}');
      await store.putMember('p1', '{"userId":"p1","role":"province"}');
      await store.putMember('orphan', '{"userId":"orphan","role":"school","school":"gone"}');
      expect(await store.getMemberWithSchool('c1')).toEqual({ member: '{"userId":"c1","role":"school","school":"s1"}', school: '{"code":"s1"}' });
      expect(await store.getMemberWithSchool('p1')).toEqual({ member: '{"userId":"p1","role":"province"}', school: null });
      expect(await store.getMemberWithSchool('orphan')).toMatchObject({ school: null });
      expect(await store.getMemberWithSchool('nobody')).toEqual({ member: null, school: null });
    });

    it('reads an empty school period as revision 0', async () => {
      expect(await store.readSchool('s1', '2026-10')).toEqual({ rev: 0, draft: null, reports: {}, reopened: false, reopenedPeriods: [], reportsRev: 0 });
    });

    it('commits draft, report, reopen flag and history together, with a revision check', async () => {
      expect(await store.commitSchool(write({ code: 's1', period: '2026-10', draft: '{"d":1}', history: [{ type: 'edit', by: 'a' }] }))).toBe(true);
      expect(await store.commitSchool(write({ code: 's1', period: '2026-10', draft: '{"d":2}' }))).toBe(false);
      expect(await store.commitSchool(write({ code: 's1', period: '2026-10', expectedRev: 1, draft: null, report: '{"r":1}', reopened: true, history: [{ type: 'submit', by: 'b' }] }))).toBe(true);
      await store.commitSchool(write({ code: 's1', period: '2026-09', report: '{"r":0}' }));
      expect(await store.readSchool('s1', '2026-10')).toEqual({ rev: 2, draft: null, reports: { '2026-09': '{"r":0}', '2026-10': '{"r":1}' }, reopened: true, reopenedPeriods: ['2026-10'], reportsRev: 2 });
      expect(await store.readSchool('s1', '2026-09')).toMatchObject({ rev: 1, reopened: false });
      expect(await store.readHistory('s1')).toEqual([{ type: 'edit', by: 'a' }, { type: 'submit', by: 'b' }]);
      expect(await store.readHistory('s2')).toEqual([]);
    });

    it('keeps the draft when a commit leaves it out, and clears the reopen flag on request', async () => {
      await store.commitSchool(write({ code: 's1', period: '2026-10', draft: '{"d":1}', reopened: true }));
      await store.commitSchool(write({ code: 's1', period: '2026-10', expectedRev: 1, reopened: false }));
      expect(await store.readSchool('s1', '2026-10')).toEqual({ rev: 2, draft: '{"d":1}', reports: {}, reopened: false, reopenedPeriods: [], reportsRev: 0 });
    });

    it('finds the schools that owe a period with set operations, by city and category', async () => {
      const school = (code: string, city: string, category: string) => JSON.stringify({ code, city, category });
      await store.replaceSchools(
        { a: school('a', '郑州', 'A'), b: school('b', '郑州', 'C'), c: school('c', '洛阳', 'A'), d: school('d', '洛阳', 'D') },
        {},
        { byCity: { 郑州: ['a', 'b'], 洛阳: ['c', 'd'] }, byCategory: { A: ['a', 'c'], C: ['b'], D: ['d'] } },
      );
      await store.commitSchool(write({ code: 'a', period: '2026-10', report: '{}', status: 'filed' }));
      await store.commitSchool(write({ code: 'c', period: '2026-10', draft: '{}', status: 'drafting' }));
      await store.commitSchool(write({ code: 'c', period: '2026-10', expectedRev: 1, report: '{}', status: 'late' }));
      await store.commitSchool(write({ code: 'd', period: '2026-10', draft: '{}', status: 'drafting' }));
      expect((await store.owingSchools('2026-10', {})).sort()).toEqual(['b', 'd']);
      expect(await store.owingSchools('2026-10', { city: '郑州' })).toEqual(['b']);
      expect(await store.owingSchools('2026-10', { category: 'A' })).toEqual([]);
      expect(await store.owingSchools('2026-10', { city: '洛阳', category: 'D' })).toEqual(['d']);
      expect((await store.owingSchools('2026-09', {})).sort()).toEqual(['a', 'b', 'c', 'd']);
      const index = await store.readPeriodIndex('2026-10');
      expect(index.all.sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(index.byCity['洛阳']!.sort()).toEqual(['c', 'd']);
      expect(index.status).toEqual({ filed: ['a'], late: ['c'], drafting: ['d'], defaulted: [] });
      // A discarded draft leaves the status sets; a change that names no status leaves them alone.
      await store.commitSchool(write({ code: 'd', period: '2026-10', expectedRev: 1, draft: null, status: null }));
      await store.commitSchool(write({ code: 'a', period: '2026-10', expectedRev: 1, draft: '{}' }));
      expect((await store.readPeriodIndex('2026-10')).status).toEqual({ filed: ['a'], late: ['c'], drafting: [], defaulted: [] });
    });

    it('keeps year-to-date sums per school, written with the records', async () => {
      await store.commitSchool(write({ code: 'a', period: '2026-09', report: '{}', ytd: { year: 2026, sums: '{"trainees":5}' } }));
      await store.commitSchool(write({ code: 'a', period: '2026-10', report: '{}', ytd: { year: 2026, sums: '{"trainees":7}' } }));
      await store.commitSchool(write({ code: 'b', period: '2025-12', report: '{}', ytd: { year: 2025, sums: '{"trainees":1}' } }));
      expect(await store.readYearToDate(2026)).toEqual({ a: '{"trainees":7}' });
      expect(await store.readYearToDate(2025)).toEqual({ b: '{"trainees":1}' });
    });

    it('refuses a report whose year sums were computed before another month’s report was written', async () => {
      await store.commitSchool(write({ code: 'y', period: '2026-09', report: '{"r":9}', ytd: { year: 2026, sums: '{"trainees":9}' } }));
      const before = await store.readSchool('y', '2026-10');
      expect(before.reportsRev).toBe(1);
      // Another contact submits a reopened month meanwhile.
      await store.commitSchool(write({ code: 'y', period: '2026-08', report: '{"r":8}', ytd: { year: 2026, sums: '{"trainees":17}' }, expectedReportsRev: 1 }));
      expect(await store.commitSchool(write({ code: 'y', period: '2026-10', report: '{"r":10}', ytd: { year: 2026, sums: '{"trainees":19}' }, expectedReportsRev: before.reportsRev }))).toBe(false);
      expect(await turns.commit(commitArgs({ home: 'y', userId: 'cy', school: write({ code: 'y', period: '2026-10', report: '{"r":10}', ytd: { year: 2026, sums: '{"trainees":19}' }, expectedReportsRev: 1 }) }))).toEqual({ kind: 'conflict', on: 'school' });
      expect(JSON.parse((await store.readYearToDate(2026)).y!)).toEqual({ trainees: 17 });
      expect(await store.commitSchool(write({ code: 'y', period: '2026-10', report: '{"r":10}', ytd: { year: 2026, sums: '{"trainees":27}' }, expectedReportsRev: 2 }))).toBe(true);
      expect((await store.readSchool('y', '2026-10')).reportsRev).toBe(3);
    });

    it('reads and replaces a partition’s derived data only at the revision it was read at', async () => {
      const { partitionOf } = await import('../../src/store/partition');
      const p = partitionOf('a');
      await store.commitSchool(write({ code: 'a', period: '2026-10', draft: '{}', status: 'drafting' }));
      const read = await store.readDerived(p, ['2026-10'], 2026);
      expect(read.status['2026-10']).toEqual({ filed: [], late: [], drafting: ['a'], defaulted: [] });
      const fixed = { ...read, status: { '2026-10': { filed: ['a'], late: [], drafting: [], defaulted: [] } }, ytd: { a: '{"trainees":3}' } };
      // A commit that changes the derived data in between makes the replacement fail.
      await store.commitSchool(write({ code: 'a', period: '2026-11', draft: '{}', status: 'drafting' }));
      expect(await store.replaceDerived(p, fixed)).toBe(false);
      const again = await store.readDerived(p, ['2026-10'], 2026);
      expect(await store.replaceDerived(p, { ...fixed, rev: again.rev })).toBe(true);
      expect((await store.readPeriodIndex('2026-10')).status.filed).toEqual(['a']);
      expect(await store.readYearToDate(2026)).toEqual({ a: '{"trainees":3}' });
    });

    it('marks members of a scope once until the marker lapses', async () => {
      expect(await store.isMarked('fire-done', 'a')).toBe(false);
      expect(await store.markOnce('fire-done', ['a'], 3_600_000)).toEqual([true]);
      expect(await store.isMarked('fire-done', 'a')).toBe(true);
      expect(await store.markOnce('fire-done', ['a', 'b'], 3_600_000)).toEqual([false, true]);
      expect(await store.markOnce('other', ['a'], 3_600_000)).toEqual([true]);
      expect(await store.markOnce('fire-done', ['c'], 30)).toEqual([true]);
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.markOnce('fire-done', ['c'], 30)).toEqual([true]);
    });

    it('keeps the calendar: the first import’s instant set once, the closed periods, the FAKE_NOW anchor', async () => {
      expect(await store.readCalendar()).toEqual({ startedAt: null, closed: [] });
      expect(await store.startCalendar(1_000)).toBe(1_000);
      expect(await store.startCalendar(2_000)).toBe(1_000);
      await store.markClosed('2026-11');
      await store.markClosed('2026-10');
      await store.markClosed('2026-11');
      expect(await store.readCalendar()).toEqual({ startedAt: 1_000, closed: ['2026-10', '2026-11'] });
      // The first process anchors FAKE_NOW; a later one with the same FAKE_NOW reads on from it; a new FAKE_NOW starts again.
      expect(await store.anchorClock(5_000, 100)).toEqual({ fakeAt: 5_000, realAt: 100 });
      expect(await store.anchorClock(5_000, 900)).toEqual({ fakeAt: 5_000, realAt: 100 });
      expect(await store.anchorClock(7_000, 950)).toEqual({ fakeAt: 7_000, realAt: 950 });
      expect(await store.anchorClock(7_000, 990)).toEqual({ fakeAt: 7_000, realAt: 950 });
    });

    it('records a zero report only where the school has none, with its history, status and notice', async () => {
      await store.commitSchool(write({ code: 's1', period: '2026-10', draft: '{}', status: 'drafting' }));
      expect(await store.recordDefault('s1', '2026-10', '{"status":"defaulted"}', { type: 'default', by: 'system' }, message('close:2026-10:s1', ['c1'], '零申报'), 5)).toBe(true);
      expect(await store.recordDefault('s1', '2026-10', '{"status":"defaulted"}', { type: 'default', by: 'system' }, message('close:2026-10:s1', ['c1'], '零申报'), 6)).toBe(false);
      await store.commitSchool(write({ code: 's2', period: '2026-10', report: '{"status":"filed"}', status: 'filed' }));
      expect(await store.recordDefault('s2', '2026-10', '{"status":"defaulted"}', { type: 'default', by: 'system' }, message('close:2026-10:s2', ['c2'], '零申报'), 5)).toBe(false);
      expect(await store.readSchool('s1', '2026-10')).toMatchObject({ rev: 2, draft: '{}', reports: { '2026-10': '{"status":"defaulted"}' } });
      expect((await store.readSchool('s2', '2026-10')).reports['2026-10']).toBe('{"status":"filed"}');
      expect(await store.readHistory('s1')).toEqual([{ type: 'default', by: 'system' }]);
      expect((await store.readPeriodIndex('2026-10')).status).toEqual({ filed: ['s2'], late: [], drafting: [], defaulted: ['s1'] });
      const [notice, none] = await outbox.get([{ owner: 's1', id: 'close:2026-10:s1' }, { owner: 's2', id: 'close:2026-10:s2' }]);
      expect(notice).toMatchObject({ state: 'pending', createdAt: 5, owner: 's1' });
      expect(none).toBeNull();
    });

    it('applies the nudge policy in one step per school', async () => {
      const policy = { sendAt: 10 * HOUR_MS, intervalMs: 4 * HOUR_MS, now: 10 * HOUR_MS };
      expect(await store.nudgeSchool('s1', '2026-10', message('nudge:a:s1', ['c1'], '提醒'), policy)).toBe('queued');
      expect(await store.nudgeSchool('s1', '2026-10', message('nudge:a:s1', ['c1'], '提醒'), policy)).toBe('already');
      // Another requester within the interval is refused; after it, not.
      expect(await store.nudgeSchool('s1', '2026-10', message('nudge:b:s1', ['c1'], '提醒'), { ...policy, sendAt: policy.sendAt + 3 * HOUR_MS })).toBe('recent');
      expect(await store.nudgeSchool('s1', '2026-10', message('nudge:c:s1', ['c1'], '提醒'), { ...policy, sendAt: policy.sendAt + 5 * HOUR_MS })).toBe('queued');
      await store.commitSchool(write({ code: 's2', period: '2026-10', report: '{}', status: 'late' }));
      expect(await store.nudgeSchool('s2', '2026-10', message('nudge:a:s2', ['c2'], '提醒'), policy)).toBe('filed');
      const [a, c] = await outbox.get([{ owner: 's1', id: 'nudge:a:s1' }, { owner: 's1', id: 'nudge:c:s1' }]);
      // A nudge is due when it is to go out (quiet hours put a staff 催报 off).
      expect([a?.due, c?.due]).toEqual([10 * HOUR_MS, 15 * HOUR_MS]);
    });

    it('reopens a school’s month once per task, with its history and the notice', async () => {
      expect(await store.reopenSchool('s1', '2026-09', 'turn:x:reopen', { type: 'reopen', by: 'x' }, message('turn:x:reopen:notice', ['c1'], '解锁'), 7)).toBe(true);
      expect(await store.reopenSchool('s1', '2026-09', 'turn:x:reopen', { type: 'reopen', by: 'x' }, message('turn:x:reopen:notice', ['c1'], '解锁'), 8)).toBe(false);
      expect(await store.readSchool('s1', '2026-09')).toMatchObject({ rev: 1, reopened: true, reopenedPeriods: ['2026-09'] });
      expect(await store.readHistory('s1')).toEqual([{ type: 'reopen', by: 'x' }]);
      expect((await outbox.get([{ owner: 's1', id: 'turn:x:reopen:notice' }]))[0]).toMatchObject({ state: 'pending', createdAt: 7 });
    });

    it('appends audit entries in order, and an entry with an id only once', async () => {
      await store.appendAudit({ action: 'import' });
      await store.appendAudit({ action: 'nudge', schools: '3' }, 'r1');
      await store.appendAudit({ action: 'nudge', schools: '3' }, 'r1');
      await store.appendAudit({ action: 'export' });
      expect(await store.readAudit()).toEqual([{ action: 'import' }, { action: 'nudge', schools: '3' }, { action: 'export' }]);
    });

    it('caches the access token and drops it only if unchanged', async () => {
      expect(await store.getAccessToken()).toBeNull();
      await store.setAccessToken({ value: 't1', expiresAt: 123 }, 60_000);
      expect(await store.getAccessToken()).toEqual({ value: 't1', expiresAt: 123 });
      await store.dropAccessToken('t0');
      expect((await store.getAccessToken())?.value).toBe('t1');
      await store.dropAccessToken('t1');
      expect(await store.getAccessToken()).toBeNull();
    });

    it('expires the cached token after its TTL', async () => {
      await store.setAccessToken({ value: 't1', expiresAt: 1 }, 30);
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.getAccessToken()).toBeNull();
    });

    it('reserves 30 sends a minute per member and says how long to wait for the 31st', async () => {
      const t0 = 1_800_000_000_000;
      for (let i = 0; i < 30; i++) expect(await store.reserveSends(['a'], t0 + i * 100, LIMITS)).toEqual([0]);
      expect(await store.reserveSends(['a', 'b'], t0 + 3_000, LIMITS)).toEqual([MINUTE_MS - 3_000, 0]);
      // The window slides: once the first send is a minute old, one more fits.
      expect(await store.reserveSends(['a'], t0 + MINUTE_MS, LIMITS)).toEqual([0]);
      expect(await store.reserveSends(['a'], t0 + MINUTE_MS, LIMITS)).toEqual([100]);
    });

    it('gives back a reservation by its tag', async () => {
      const t0 = 1_800_000_000_000;
      const one = { perMinute: 1, perHour: 10 };
      expect(await store.reserveSends(['a'], t0, one, { tag: 'e1' })).toEqual([0]);
      expect(await store.reserveSends(['a'], t0 + 1, one)).toEqual([MINUTE_MS - 1]);
      await store.releaseSends(['a'], t0, 'other');
      expect(await store.reserveSends(['a'], t0 + 1, one)).toEqual([MINUTE_MS - 1]);
      await store.releaseSends(['a'], t0, 'e1');
      expect(await store.reserveSends(['a'], t0 + 1, one)).toEqual([0]);
    });

    it('reserves at most 1000 sends an hour per member', async () => {
      const t0 = 1_800_000_000_000;
      const limits = { perMinute: 10_000, perHour: 1000 };
      for (let i = 0; i < 1000; i++) await store.reserveSends(['a'], t0 + i, limits);
      expect(await store.reserveSends(['a'], t0 + 10_000, limits)).toEqual([HOUR_MS - 10_000]);
      expect(await store.reserveSends(['a'], t0 + HOUR_MS, limits)).toEqual([0]);
    });

    // ── TurnStore ──
    const commitArgs = (over: Partial<TurnCommitArgs> = {}): TurnCommitArgs => ({
      home: 'u',
      userId: 'u',
      deliveryId: 'm:1',
      lock: 'L1',
      keepMs: 60_000,
      record: { replies: ['好的'], late: null },
      session: { data: '{"n":1}', expectedRev: 0, ttlMs: 60_000 },
      outbox: [],
      now: 100,
      ...over,
    });

    it('begins a turn: takes the lock, reads the session and a school’s records in one step', async () => {
      await store.commitSchool(write({ code: 's9', period: '2026-10', draft: '{"d":1}' }));
      expect(await turns.begin({ home: 's9', userId: 'c9', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 10_000, school: { code: 's9', period: '2026-10' } })).toEqual({
        kind: 'ready',
        session: null,
        school: { rev: 1, draft: '{"d":1}', reports: {}, reopened: false, reopenedPeriods: [], reportsRev: 0 },
      });
      expect(await turns.begin({ home: 's9', userId: 'c9', deliveryId: 'm:2', lock: 'L2', lockTtlMs: 10_000 })).toEqual({ kind: 'locked' });
      // The holder's own begin refreshes its lock (after a conflict).
      expect((await turns.begin({ home: 's9', userId: 'c9', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 10_000 })).kind).toBe('ready');
    });

    it('lets a lock whose holder died go after its TTL', async () => {
      expect((await turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 30 })).kind).toBe('ready');
      await new Promise((r) => setTimeout(r, 60));
      expect((await turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L2', lockTtlMs: 30 })).kind).toBe('ready');
    });

    it('commits a turn once: records, session, entries and the turn record together, then unlocks', async () => {
      await turns.begin({ home: 's1', userId: 'c1', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 10_000 });
      const args = commitArgs({
        home: 's1',
        userId: 'c1',
        school: write({ code: 's1', period: '2026-10', draft: '{"v":2}', history: [{ type: 'edit' }], status: 'drafting' }),
        outbox: [message('turn:c1:m:1:reply', ['c1'], '长回复', 100)],
      });
      expect(await turns.commit(args)).toEqual({ kind: 'ok' });
      expect(await turns.readSession('s1', 'c1')).toEqual({ data: '{"n":1}', rev: 1 });
      expect(await store.readSchool('s1', '2026-10')).toMatchObject({ rev: 1, draft: '{"v":2}' });
      expect(await store.readHistory('s1')).toEqual([{ type: 'edit' }]);
      expect((await store.readPeriodIndex('2026-10')).status.drafting).toEqual(['s1']);
      expect((await outbox.get([{ owner: 's1', id: 'turn:c1:m:1:reply' }]))[0]).toMatchObject({ state: 'pending', due: 100 });
      expect(await turns.record('s1', 'c1', 'm:1')).toEqual({ replies: ['好的'], late: null, replayed: false, attempt: 'L1' });
      // The lock is free, and the same delivery committed again changes nothing.
      expect((await turns.begin({ home: 's1', userId: 'c1', deliveryId: 'm:2', lock: 'L3', lockTtlMs: 10_000 })).kind).toBe('ready');
      expect(await turns.commit({ ...args, session: { ...args.session, expectedRev: 1 }, school: { ...args.school!, expectedRev: 1 } })).toEqual({ kind: 'applied', record: { replies: ['好的'], late: null, replayed: false, attempt: 'L1' } });
      expect(await store.readSchool('s1', '2026-10')).toMatchObject({ rev: 1 });
      expect(await turns.begin({ home: 's1', userId: 'c1', deliveryId: 'm:1', lock: 'L4', lockTtlMs: 10_000 })).toEqual({ kind: 'applied', record: { replies: ['好的'], late: null, replayed: false, attempt: 'L1' } });
    });

    it('refuses a turn whose session or school changed under it, writing nothing', async () => {
      await turns.commit(commitArgs({ home: 's1', userId: 'c1', deliveryId: 'm:0' }));
      const school = write({ code: 's1', period: '2026-10', draft: '{}', status: 'drafting' });
      expect(await turns.commit(commitArgs({ home: 's1', userId: 'c1', school, outbox: [message('x', ['c1'], 'x')] }))).toEqual({ kind: 'conflict', on: 'session' });
      await store.commitSchool(write({ code: 's1', period: '2026-10', draft: '{"other":1}' }));
      expect(await turns.commit(commitArgs({ home: 's1', userId: 'c1', school, session: { data: '{}', expectedRev: 1, ttlMs: 60_000 }, outbox: [message('x', ['c1'], 'x')] }))).toEqual({ kind: 'conflict', on: 'school' });
      expect(await store.readSchool('s1', '2026-10')).toMatchObject({ rev: 1, draft: '{"other":1}' });
      expect(await turns.readSession('s1', 'c1')).toEqual({ data: '{"n":1}', rev: 1 });
      expect(await turns.record('s1', 'c1', 'm:1')).toBeNull();
      expect((await outbox.get([{ owner: 's1', id: 'x' }]))[0]).toBeNull();
      expect((await store.readPeriodIndex('2026-10')).status.drafting).toEqual([]);
    });

    it('keeps a turn record for keepMs, and notes a replay', async () => {
      await turns.commit(commitArgs({ keepMs: 40 }));
      expect(await turns.markReplayed('u', 'u', 'm:1', 5)).toBe('ok');
      expect(await turns.record('u', 'u', 'm:1')).toEqual({ replies: ['好的'], late: null, replayed: true, attempt: 'L1' });
      await new Promise((r) => setTimeout(r, 80));
      expect(await turns.record('u', 'u', 'm:1')).toBeNull();
      expect(await turns.markReplayed('u', 'u', 'm:1', 5)).toBe('ok');
      expect(await turns.record('u', 'u', 'm:1')).toBeNull();
    });

    it('writes a late reply once, unless a retry was answered; a replay withdraws it, or learns it went out', async () => {
      const late = (to = 'u') => ({ id: `turn:${to}:m:1:late`, payload: { kind: 'message' as const, to: [to], messages: [{ msgtype: 'text' as const, text: { content: '好的' } }] }, due: 500 });
      expect(await turns.lateReply('u', 'u', 'm:1', late(), 10)).toBe('gone');
      await turns.commit(commitArgs());
      expect(await turns.lateReply('u', 'u', 'm:1', late(), 10)).toBe('queued');
      expect(await turns.lateReply('u', 'u', 'm:1', late(), 11)).toBe('exists');
      expect(await turns.record('u', 'u', 'm:1')).toMatchObject({ late: 'turn:u:m:1:late', replayed: false });
      // A retry is answered: the waiting entry is withdrawn.
      expect(await turns.markReplayed('u', 'u', 'm:1', 20)).toBe('ok');
      expect((await outbox.get([{ owner: 'u', id: 'turn:u:m:1:late' }]))[0]).toMatchObject({ state: 'cancelled' });
      // Another turn: its late entry is being sent when the retry comes, which must not repeat it.
      await turns.commit(commitArgs({ userId: 'v', home: 'v' }));
      expect(await turns.lateReply('v', 'v', 'm:1', late('v'), 10)).toBe('queued');
      const { partitionOf } = await import('../../src/store/partition');
      expect(await outbox.lease(partitionOf('v'), ['turn:v:m:1:late'], 600, 1_000)).toHaveLength(1);
      expect(await turns.markReplayed('v', 'v', 'm:1', 700)).toBe('late-sent');
      // And one answered by a retry first gets no late entry at all.
      await turns.commit(commitArgs({ userId: 'w', home: 'w' }));
      await turns.markReplayed('w', 'w', 'm:1', 5);
      expect(await turns.lateReply('w', 'w', 'm:1', late('w'), 10)).toBe('answered');
      expect((await outbox.get([{ owner: 'w', id: 'turn:w:m:1:late' }]))[0]).toBeNull();
    });

    it('releases a lock only with its token', async () => {
      await turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 10_000 });
      await turns.release('u', 'u', 'other');
      expect((await turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L2', lockTtlMs: 10_000 })).kind).toBe('locked');
      await turns.release('u', 'u', 'L1');
      expect((await turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L2', lockTtlMs: 10_000 })).kind).toBe('ready');
    });

    // ── OutboxStore ──
    const ref = (owner: string, id: string) => ({ owner, id });

    it('writes an entry once per id, in its owner’s partition', async () => {
      expect(await outbox.enqueue('s1', [message('a', ['u1'], '一'), message('b', ['u1'], '二')], 5)).toEqual([true, true]);
      expect(await outbox.enqueue('s1', [message('a', ['u1'], '改了')], 6)).toEqual([false]);
      const [a] = await outbox.get([ref('s1', 'a')]);
      expect(a).toEqual({
        id: 'a',
        owner: 's1',
        payload: { kind: 'message', to: ['u1'], messages: [{ msgtype: 'text', text: { content: '一' } }] },
        due: 1_000,
        state: 'pending',
        failures: 0,
        createdAt: 5,
        firstFailedAt: null,
        finishedAt: null,
        lastError: null,
        progress: 0,
        result: { msgIds: [], invalid: [], unlicensed: [] },
        media: null,
      });
      expect(await outbox.find('b')).toMatchObject({ id: 'b', owner: 's1' });
      expect(await outbox.find('nope')).toBeNull();
    });

    it('leases due entries to one holder at a time, until the lease ends', async () => {
      const { partitionOf } = await import('../../src/store/partition');
      const p = partitionOf('s1');
      await outbox.enqueue('s1', [message('a', ['u1'], '一', 100), message('later', ['u1'], '二', 5_000)], 1);
      expect(await outbox.due(p, 1_000, 10)).toEqual(['a']);
      const [first] = await outbox.lease(p, ['a', 'later'], 1_000, 500);
      expect(first).toMatchObject({ id: 'a', failures: 0, firstFailedAt: null });
      expect(await outbox.lease(p, ['a'], 1_100, 500)).toEqual([]);
      expect(await outbox.due(p, 1_400, 10)).toEqual([]);
      // The holder died: once its lease ends the entry is due again, and the old token is worthless.
      const [second] = await outbox.lease(p, await outbox.due(p, 1_600, 10), 1_600, 500);
      expect(second).toMatchObject({ id: 'a', failures: 0 });
      expect(await outbox.finish(first!, { state: 'sent', error: null, result: { msgIds: ['m1'], invalid: [], unlicensed: [] }, at: 1_700, keepMs: 60_000 })).toBe(false);
      expect(await outbox.finish(second!, { state: 'sent', error: null, result: { msgIds: ['m2'], invalid: [], unlicensed: [] }, at: 1_700, keepMs: 60_000 })).toBe(true);
      expect((await outbox.get([ref('s1', 'a')]))[0]).toMatchObject({ state: 'sent', finishedAt: 1_700, result: { msgIds: ['m2'] } });
      expect(await outbox.due(p, 10_000, 10)).toEqual(['later']);
    });

    it('keeps progress under the lease (extending it), and defers an entry for later, counting failures only', async () => {
      const { partitionOf } = await import('../../src/store/partition');
      const p = partitionOf('s1');
      await outbox.enqueue('s1', [message('a', ['u1'], '一', 0)], 0);
      const [held] = await outbox.lease(p, ['a'], 10, 1_000);
      const result = { msgIds: ['m1'], invalid: ['gone'], unlicensed: [] };
      expect(await outbox.progress(held!, { progress: 1, result, media: 'media-1' }, 5_000)).toBe(true);
      // The lease now runs to 5,000: nobody else can take the entry at 2,000.
      expect(await outbox.due(p, 2_000, 10)).toEqual([]);
      // Put off for a member's limit: not a failure.
      expect(await outbox.defer(held!, { due: 300, error: null, progress: 1, result, at: 20 })).toBe(true);
      expect((await outbox.get([ref('s1', 'a')]))[0]).toMatchObject({ failures: 0, firstFailedAt: null, due: 300 });
      const [again] = await outbox.lease(p, ['a'], 300, 1_000);
      expect(await outbox.defer(again!, { due: 500, error: 'HTTP 502', progress: 1, result, at: 310 })).toBe(true);
      expect(await outbox.defer(again!, { due: 500, error: 'again', progress: 1, result, at: 320 })).toBe(false);
      expect((await outbox.get([ref('s1', 'a')]))[0]).toMatchObject({ state: 'pending', due: 500, lastError: 'HTTP 502', progress: 1, result, media: 'media-1', failures: 1, firstFailedAt: 310 });
      expect(await outbox.due(p, 499, 10)).toEqual([]);
      expect(await outbox.due(p, 500, 10)).toEqual(['a']);
    });

    it('lists failed entries and puts them back on retry', async () => {
      const { partitionOf } = await import('../../src/store/partition');
      const p = partitionOf('s1');
      await outbox.enqueue('s1', [message('a', ['u1'], '一', 0), message('b', ['u1'], '二', 0)], 0);
      const held = await outbox.lease(p, ['a', 'b'], 10, 1_000);
      await outbox.finish(held[0]!, { state: 'failed', error: '40008 invalid message type', result: { msgIds: [], invalid: [], unlicensed: [] }, at: 20, keepMs: 60_000 });
      expect(await outbox.inspect(p)).toMatchObject({ pending: [{ id: 'b' }], failed: [{ id: 'a', lastError: '40008 invalid message type', failures: 1 }] });
      expect(await outbox.retry(ref('s1', 'b'), 30)).toBe(false);
      expect(await outbox.retry(ref('s1', 'a'), 30)).toBe(true);
      expect((await outbox.get([ref('s1', 'a')]))[0]).toMatchObject({ state: 'pending', due: 30, failures: 0, firstFailedAt: null });
      expect((await outbox.inspect(p)).failed).toEqual([]);
      expect((await outbox.due(p, 30, 10)).sort()).toEqual(['a']);
    });

    it('keeps a finished entry for keepMs', async () => {
      const { partitionOf } = await import('../../src/store/partition');
      const p = partitionOf('s1');
      await outbox.enqueue('s1', [message('a', ['u1'], '一', 0)], 0);
      const [held] = await outbox.lease(p, ['a'], 10, 1_000);
      await outbox.finish(held!, { state: 'done', error: null, result: { msgIds: [], invalid: [], unlicensed: [] }, at: 20, keepMs: 40 });
      expect((await outbox.get([ref('s1', 'a')]))[0]?.state).toBe('done');
      await new Promise((r) => setTimeout(r, 80));
      expect((await outbox.get([ref('s1', 'a')]))[0]).toBeNull();
      expect(await outbox.enqueue('s1', [message('a', ['u1'], '一', 0)], 100)).toEqual([true]);
    });
  });
}
