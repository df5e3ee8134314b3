import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newSession, type Session } from '../../../src/session/session';
import { partitionOf } from '../../../src/store/partition';
import type { TurnCommitArgs } from '../../../src/store/turn-store';
import { storedSession } from '../../helpers/sessions';
import { change, draft, history, message, report, sleep, useSubject, type MakeSubject } from './fixtures';

/** A session that differs by its turn count. */
const sessionN = (turns: number): Session => ({ ...newSession(), turns });

export function turnsContract(make: MakeSubject): void {
  describe('TurnStore', () => {
    const s = useSubject(make, beforeEach, afterEach);
    // ── TurnStore ──
    const commitArgs = (over: Partial<TurnCommitArgs> = {}): TurnCommitArgs => ({
      home: 'u',
      userId: 'u',
      deliveryId: 'm:1',
      lock: 'L1',
      keepMs: 60_000,
      record: { replies: ['好的'], late: null },
      session: { session: sessionN(1), expectedRev: 0, ttlMs: 60_000 },
      outbox: [],
      now: 100,
      ...over,
    });

    it('begins a turn: takes the lock, reads the session and a school’s records in one step', async () => {
      const { turns, records } = s();
      await records.commit(change({ code: 's9', period: '2026-10', draft: draft({ d: 1 }) }));
      expect(await turns.begin({ home: 's9', userId: 'c9', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 10_000, school: { code: 's9', period: '2026-10' } })).toEqual({
        kind: 'ready',
        session: null,
        school: { rev: 1, draft: draft({ d: 1 }), reports: {}, reopened: false, reopenedPeriods: [], reportsRev: 0 },
      });
      expect(await turns.begin({ home: 's9', userId: 'c9', deliveryId: 'm:2', lock: 'L2', lockTtlMs: 10_000 })).toEqual({ kind: 'locked' });
      // The holder's own begin refreshes its lock (after a conflict).
      expect((await turns.begin({ home: 's9', userId: 'c9', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 10_000 })).kind).toBe('ready');
    });

    it('lets a lock whose holder died go after its TTL', async () => {
      const { turns } = s();
      expect((await turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 30 })).kind).toBe('ready');
      await sleep(60);
      expect((await turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L2', lockTtlMs: 30 })).kind).toBe('ready');
    });

    it('a turn that submits a report sets its review mark in the period’s index, with the report', async () => {
      const { turns, records } = s();
      await turns.begin({ home: 's1', userId: 'c1', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 10_000 });
      const submitted = report('s1', '2026-10', 'filed', { a: 1 }, { review: { state: 'pending', required: true } });
      expect(await turns.commit(commitArgs({ home: 's1', userId: 'c1', school: change({ code: 's1', period: '2026-10', report: submitted, status: 'filed' }), outbox: [message('turn:c1:m:1:cards', ['c1'], '卡片', 100)] }))).toEqual({ kind: 'ok' });
      expect(await records.reviewMarks('2026-10')).toEqual({ s1: 'pending-required' });
      // The entry after the school's arguments is still where the script reads it.
      expect(await s().outbox.get([{ owner: 's1', id: 'turn:c1:m:1:cards' }])).toMatchObject([{ state: 'pending', due: 100 }]);
    });

    it('commits a turn once: records, session, entries and the turn record together, then unlocks', async () => {
      const { turns, records, outbox } = s();
      await turns.begin({ home: 's1', userId: 'c1', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 10_000 });
      const args = commitArgs({
        home: 's1',
        userId: 'c1',
        school: change({ code: 's1', period: '2026-10', draft: draft({ v: 2 }), history: [history('edit')], status: 'drafting' }),
        outbox: [message('turn:c1:m:1:reply', ['c1'], '长回复', 100)],
      });
      expect(await turns.commit(args)).toEqual({ kind: 'ok' });
      expect(await storedSession(turns, 's1', 'c1')).toEqual({ session: sessionN(1), rev: 1, restarted: null });
      expect(await records.read('s1', '2026-10')).toMatchObject({ rev: 1, draft: draft({ v: 2 }) });
      expect(await records.history('s1')).toEqual([history('edit')]);
      expect((await records.statusSets('2026-10')).drafting).toEqual(['s1']);
      expect((await outbox.get([{ owner: 's1', id: 'turn:c1:m:1:reply' }]))[0]).toMatchObject({ state: 'pending', due: 100 });
      expect(await turns.record('s1', 'c1', 'm:1')).toEqual({ replies: ['好的'], late: null, replayed: false, attempt: 'L1' });
      // The lock is free, and the same delivery committed again changes nothing.
      expect((await turns.begin({ home: 's1', userId: 'c1', deliveryId: 'm:2', lock: 'L3', lockTtlMs: 10_000 })).kind).toBe('ready');
      expect(await turns.commit({ ...args, session: { ...args.session, expectedRev: 1 }, school: { ...args.school!, expectedRev: 1 } })).toEqual({ kind: 'applied', record: { replies: ['好的'], late: null, replayed: false, attempt: 'L1' } });
      expect(await records.read('s1', '2026-10')).toMatchObject({ rev: 1 });
      expect(await turns.begin({ home: 's1', userId: 'c1', deliveryId: 'm:1', lock: 'L4', lockTtlMs: 10_000 })).toEqual({ kind: 'applied', record: { replies: ['好的'], late: null, replayed: false, attempt: 'L1' } });
    });

    it('refuses a turn whose session or school changed under it, writing nothing', async () => {
      const { turns, records, outbox } = s();
      await turns.commit(commitArgs({ home: 's1', userId: 'c1', deliveryId: 'm:0' }));
      const school = change({ code: 's1', period: '2026-10', draft: draft(), status: 'drafting' });
      expect(await turns.commit(commitArgs({ home: 's1', userId: 'c1', school, outbox: [message('x', ['c1'], 'x')] }))).toEqual({ kind: 'conflict', on: 'session' });
      await records.commit(change({ code: 's1', period: '2026-10', draft: draft({ other: 1 }) }));
      expect(await turns.commit(commitArgs({ home: 's1', userId: 'c1', school, session: { session: sessionN(2), expectedRev: 1, ttlMs: 60_000 }, outbox: [message('x', ['c1'], 'x')] }))).toEqual({ kind: 'conflict', on: 'school' });
      expect(await records.read('s1', '2026-10')).toMatchObject({ rev: 1, draft: draft({ other: 1 }) });
      expect(await storedSession(turns, 's1', 'c1')).toEqual({ session: sessionN(1), rev: 1, restarted: null });
      expect(await turns.record('s1', 'c1', 'm:1')).toBeNull();
      expect((await outbox.get([{ owner: 's1', id: 'x' }]))[0]).toBeNull();
      expect((await records.statusSets('2026-10')).drafting).toEqual([]);
    });

    it('keeps a turn record for keepMs, and notes a replay', async () => {
      const { turns } = s();
      await turns.commit(commitArgs({ keepMs: 40 }));
      expect(await turns.markReplayed('u', 'u', 'm:1', 5)).toBe('ok');
      expect(await turns.record('u', 'u', 'm:1')).toEqual({ replies: ['好的'], late: null, replayed: true, attempt: 'L1' });
      await sleep(80);
      expect(await turns.record('u', 'u', 'm:1')).toBeNull();
      expect(await turns.markReplayed('u', 'u', 'm:1', 5)).toBe('ok');
      expect(await turns.record('u', 'u', 'm:1')).toBeNull();
    });

    it('writes a late reply once, unless a retry was answered; a replay withdraws it, or learns it went out', async () => {
      const { turns, outbox } = s();
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
            expect(await outbox.lease(partitionOf('v'), ['turn:v:m:1:late'], 600, 1_000)).toHaveLength(1);
      expect(await turns.markReplayed('v', 'v', 'm:1', 700)).toBe('late-sent');
      // And one answered by a retry first gets no late entry at all.
      await turns.commit(commitArgs({ userId: 'w', home: 'w' }));
      await turns.markReplayed('w', 'w', 'm:1', 5);
      expect(await turns.lateReply('w', 'w', 'm:1', late('w'), 10)).toBe('answered');
      expect((await outbox.get([{ owner: 'w', id: 'turn:w:m:1:late' }]))[0]).toBeNull();
    });

    it('releases a lock only with its token', async () => {
      const { turns } = s();
      await turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 10_000 });
      await turns.release('u', 'u', 'other');
      expect((await turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L2', lockTtlMs: 10_000 })).kind).toBe('locked');
      await turns.release('u', 'u', 'L1');
      expect((await turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L2', lockTtlMs: 10_000 })).kind).toBe('ready');
    });


    it('refuses a time to live of 0 at the interface, and reads a stored session through its versions', async () => {
      const { turns } = s();
      await expect(turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 0 })).rejects.toThrow(RangeError);
      await expect(turns.commit(commitArgs({ keepMs: 0 }))).rejects.toThrow(RangeError);
      await expect(turns.commit(commitArgs({ session: { session: sessionN(1), expectedRev: 0, ttlMs: -1 } }))).rejects.toThrow(RangeError);
      expect(await turns.record('u', 'u', 'm:1')).toBeNull();
      expect(await storedSession(turns, 'u', 'u')).toBeNull();
    });
  });
}
