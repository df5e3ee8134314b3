import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS, userLock, type Store } from '../../src/store/store';

export interface ContractSubject {
  store: Store;
  cleanup(): Promise<void>;
}

const LIMITS = { perMinute: 30, perHour: 1000 };

/** One behaviour suite for every Store adapter. */
export function storeContract(name: string, make: () => Promise<ContractSubject>): void {
  describe(`${name} store contract`, () => {
    let subject: ContractSubject;
    let store: Store;
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
    });
    afterEach(async () => subject.cleanup());

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('claims a delivery once; later claims see it running, then done', async () => {
      expect(await store.claimDelivery('u', 'm:1', 10_000)).toBe('claimed');
      expect(await store.claimDelivery('u', 'm:1', 10_000)).toBe('running');
      expect(await store.deliveryState('u', 'm:1')).toBe('running');
      await store.completeDelivery('u', 'm:1', 60_000);
      expect(await store.claimDelivery('u', 'm:1', 10_000)).toBe('done');
      expect(await store.deliveryState('u', 'm:1')).toBe('done');
      expect(await store.deliveryState('other', 'm:1')).toBe('absent');
    });

    it('lets a released delivery be claimed again, but never releases a done one', async () => {
      await store.claimDelivery('u', 'm:2', 10_000);
      await store.releaseDelivery('u', 'm:2');
      expect(await store.deliveryState('u', 'm:2')).toBe('absent');
      expect(await store.claimDelivery('u', 'm:2', 10_000)).toBe('claimed');
      await store.completeDelivery('u', 'm:2', 60_000);
      await store.releaseDelivery('u', 'm:2');
      expect(await store.deliveryState('u', 'm:2')).toBe('done');
    });

    it('lets a claim lapse after its lease', async () => {
      expect(await store.claimDelivery('u', 'm:3', 30)).toBe('claimed');
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.claimDelivery('u', 'm:3', 30)).toBe('claimed');
    });

    const turn = { userId: 'u', deliveryId: 'm:9', leaseMs: 10_000, lockTtlMs: 10_000 };
    const end = { userId: 'u', deliveryId: 'm:9', sessionTtlMs: null, keepMs: 60_000 };

    it('begins a turn: claims, locks and reads the session in one step', async () => {
      await store.writeSession('u', 'before', 0, null);
      const start = await store.beginTurn(turn);
      expect(start).toEqual({ claim: 'claimed', lock: expect.any(String), session: { data: 'before', rev: 1 } });
      expect(await store.tryLock(userLock('u'), 1_000)).toBeNull();
      expect(await store.beginTurn(turn)).toEqual({ claim: 'running' });
    });

    it('begins a turn without the lock when another holder has it, still claiming', async () => {
      const held = await store.tryLock(userLock('u'), 10_000);
      expect(held).not.toBeNull();
      expect(await store.beginTurn(turn)).toEqual({ claim: 'claimed', lock: null, session: null });
      expect(await store.deliveryState('u', 'm:9')).toBe('running');
    });

    it('ends a turn: saves the session, marks the delivery done, unlocks', async () => {
      const start = await store.beginTurn(turn);
      if (start.claim !== 'claimed' || start.lock === null) throw new Error('expected a claimed, locked turn');
      expect(await store.endTurn({ ...end, lock: start.lock, data: 'after', expectedRev: 0 })).toBe(1);
      expect(await store.readSession('u')).toEqual({ data: 'after', rev: 1 });
      expect(await store.deliveryState('u', 'm:9')).toBe('done');
      expect(await store.tryLock(userLock('u'), 1_000)).not.toBeNull();
      expect(await store.beginTurn(turn)).toEqual({ claim: 'done' });
    });

    it('ends a turn on a revision conflict by writing nothing and releasing claim and lock', async () => {
      const start = await store.beginTurn(turn);
      if (start.claim !== 'claimed' || start.lock === null) throw new Error('expected a claimed, locked turn');
      await store.writeSession('u', 'someone else', 0, null);
      expect(await store.endTurn({ ...end, lock: start.lock, data: 'mine', expectedRev: 0 })).toBeNull();
      expect(await store.readSession('u')).toEqual({ data: 'someone else', rev: 1 });
      expect(await store.deliveryState('u', 'm:9')).toBe('absent');
      expect(await store.tryLock(userLock('u'), 1_000)).not.toBeNull();
    });

    it('aborts a turn: the delivery can be claimed again and the lock is free', async () => {
      const start = await store.beginTurn(turn);
      if (start.claim !== 'claimed') throw new Error('expected a claim');
      await store.abortTurn({ userId: 'u', deliveryId: 'm:9', lock: start.lock });
      expect(await store.deliveryState('u', 'm:9')).toBe('absent');
      expect(await store.readSession('u')).toBeNull();
      expect((await store.beginTurn(turn)).claim).toBe('claimed');
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

    it('writes sessions with a revision check', async () => {
      expect(await store.readSession('u1')).toBeNull();
      expect(await store.writeSession('u1', '{"a":1}', 0, null)).toBe(1);
      expect(await store.readSession('u1')).toEqual({ data: '{"a":1}', rev: 1 });
      expect(await store.writeSession('u1', '{"a":2}', 0, null)).toBeNull();
      expect(await store.writeSession('u1', '{"a":2}', 1, 60_000)).toBe(2);
      expect(await store.readSession('u1')).toEqual({ data: '{"a":2}', rev: 2 });
      await store.deleteSession('u1');
      expect(await store.readSession('u1')).toBeNull();
    });

    it('keeps one session per user', async () => {
      await store.writeSession('u1', 'one', 0, null);
      await store.writeSession('u2', 'two', 0, null);
      expect((await store.readSession('u1'))?.data).toBe('one');
      expect((await store.readSession('u2'))?.data).toBe('two');
    });

    it('keeps roster members and schools', async () => {
      expect(await store.getMember('zhangsan')).toBeNull();
      await store.putMember('zhangsan', '{"role":"school"}');
      await store.putSchool('4141010001', '{"name":"x"}');
      expect(await store.getMember('zhangsan')).toBe('{"role":"school"}');
      expect(await store.getSchool('4141010001')).toBe('{"name":"x"}');
      await store.deleteMember('zhangsan');
      expect(await store.getMember('zhangsan')).toBeNull();
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
      expect(await store.readSchool('s1', '2026-10')).toEqual({ rev: 0, draft: null, reports: {}, reopened: false, reopenedPeriods: [] });
    });

    it('commits draft, report, reopen flag and history together, with a revision check', async () => {
      expect(await store.commitSchool('s1', '2026-10', { expectedRev: 0, draft: '{"d":1}', history: [{ type: 'edit', by: 'a' }] })).toBe(true);
      expect(await store.commitSchool('s1', '2026-10', { expectedRev: 0, draft: '{"d":2}' })).toBe(false);
      expect(await store.commitSchool('s1', '2026-10', { expectedRev: 1, draft: null, report: '{"r":1}', reopened: true, history: [{ type: 'submit', by: 'b' }] })).toBe(true);
      await store.commitSchool('s1', '2026-09', { expectedRev: 0, report: '{"r":0}' });
      expect(await store.readSchool('s1', '2026-10')).toEqual({ rev: 2, draft: null, reports: { '2026-09': '{"r":0}', '2026-10': '{"r":1}' }, reopened: true, reopenedPeriods: ['2026-10'] });
      expect(await store.readSchool('s1', '2026-09')).toMatchObject({ rev: 1, reopened: false });
      expect(await store.readHistory('s1')).toEqual([{ type: 'edit', by: 'a' }, { type: 'submit', by: 'b' }]);
      expect(await store.readHistory('s2')).toEqual([]);
    });

    it('keeps the draft when a commit leaves it out, and clears the reopen flag on request', async () => {
      await store.commitSchool('s1', '2026-10', { expectedRev: 0, draft: '{"d":1}', reopened: true });
      await store.commitSchool('s1', '2026-10', { expectedRev: 1, reopened: false });
      expect(await store.readSchool('s1', '2026-10')).toEqual({ rev: 2, draft: '{"d":1}', reports: {}, reopened: false, reopenedPeriods: [] });
    });

    it('finds the schools that owe a period with set operations, by city and category', async () => {
      const school = (code: string, city: string, category: string) => JSON.stringify({ code, city, category });
      await store.replaceSchools(
        { a: school('a', '郑州', 'A'), b: school('b', '郑州', 'C'), c: school('c', '洛阳', 'A'), d: school('d', '洛阳', 'D') },
        {},
        { byCity: { 郑州: ['a', 'b'], 洛阳: ['c', 'd'] }, byCategory: { A: ['a', 'c'], C: ['b'], D: ['d'] } },
      );
      await store.setSchoolStatus('2026-10', 'a', 'filed');
      await store.setSchoolStatus('2026-10', 'c', 'drafting');
      await store.setSchoolStatus('2026-10', 'c', 'late');
      await store.setSchoolStatus('2026-10', 'd', 'drafting');
      expect((await store.owingSchools('2026-10', {})).sort()).toEqual(['b', 'd']);
      expect(await store.owingSchools('2026-10', { city: '郑州' })).toEqual(['b']);
      expect(await store.owingSchools('2026-10', { category: 'A' })).toEqual([]);
      expect(await store.owingSchools('2026-10', { city: '洛阳', category: 'D' })).toEqual(['d']);
      expect((await store.owingSchools('2026-09', {})).sort()).toEqual(['a', 'b', 'c', 'd']);
      const index = await store.readPeriodIndex('2026-10');
      expect(index.all.sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(index.byCity['洛阳']!.sort()).toEqual(['c', 'd']);
      expect(index.status).toEqual({ filed: ['a'], late: ['c'], drafting: ['d'], defaulted: [] });
      await store.setSchoolStatus('2026-10', 'd', null);
      expect((await store.readPeriodIndex('2026-10')).status.drafting).toEqual([]);
    });

    it('keeps year-to-date sums per school', async () => {
      await store.setYearToDate(2026, 'a', '{"trainees":5}');
      await store.setYearToDate(2026, 'a', '{"trainees":7}');
      await store.setYearToDate(2025, 'b', '{"trainees":1}');
      expect(await store.readYearToDate(2026)).toEqual({ a: '{"trainees":7}' });
    });

    it('marks members of a scope once until the marker lapses', async () => {
      expect(await store.isMarked('nudge:2026-10', 'a')).toBe(false);
      expect(await store.markOnce('nudge:2026-10', ['a'], 3_600_000)).toEqual([true]);
      expect(await store.isMarked('nudge:2026-10', 'a')).toBe(true);
      expect(await store.markOnce('nudge:2026-10', ['a', 'b'], 3_600_000)).toEqual([false, true]);
      expect(await store.markOnce('nudge:2026-11', ['a'], 3_600_000)).toEqual([true]);
      expect(await store.markOnce('nudge:2026-10', ['c'], 30)).toEqual([true]);
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.markOnce('nudge:2026-10', ['c'], 30)).toEqual([true]);
    });

    it('records a zero report only where the school has none, with its history', async () => {
      expect(await store.recordDefault('s1', '2026-10', '{"status":"defaulted"}', { type: 'default', by: 'system' })).toBe(true);
      expect(await store.recordDefault('s1', '2026-10', '{"status":"defaulted"}', { type: 'default', by: 'system' })).toBe(false);
      await store.commitSchool('s2', '2026-10', { expectedRev: 0, report: '{"status":"filed"}' });
      expect(await store.recordDefault('s2', '2026-10', '{"status":"defaulted"}', { type: 'default', by: 'system' })).toBe(false);
      expect(await store.readSchool('s1', '2026-10')).toMatchObject({ rev: 1, reports: { '2026-10': '{"status":"defaulted"}' } });
      expect((await store.readSchool('s2', '2026-10')).reports['2026-10']).toBe('{"status":"filed"}');
      expect(await store.readHistory('s1')).toEqual([{ type: 'default', by: 'system' }]);
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

    it('reserves at most 1000 sends an hour per member', async () => {
      const t0 = 1_800_000_000_000;
      const limits = { perMinute: 10_000, perHour: 1000 };
      for (let i = 0; i < 1000; i++) await store.reserveSends(['a'], t0 + i, limits);
      expect(await store.reserveSends(['a'], t0 + 10_000, limits)).toEqual([HOUR_MS - 10_000]);
      expect(await store.reserveSends(['a'], t0 + HOUR_MS, limits)).toEqual([0]);
    });
  });
}
