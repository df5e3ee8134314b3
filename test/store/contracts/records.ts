import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newSession } from '../../../src/session/session';
import { owingSchools, periodIndex } from '../../../src/queries/period-queries';
import { partitionOf } from '../../../src/store/partition';
import { HOUR_MS } from '../../../src/store/send-budget';
import type { Report } from '../../../src/report/records';
import { change, draft, history, message, report, school, useSubject, ytd, type MakeSubject } from './fixtures';

export function recordsContract(make: MakeSubject): void {
  describe('RecordsStore', () => {
    const s = useSubject(make, beforeEach, afterEach);

    it('reads an empty school period as revision 0', async () => {
      expect(await s().records.read('s1', '2026-10')).toEqual({ rev: 0, draft: null, reports: {}, reopened: false, reopenedPeriods: [], reportsRev: 0 });
    });

    it('commits draft, report, reopen flag and history together, with a revision check', async () => {
      const { records } = s();
      expect(await records.commit(change({ code: 's1', period: '2026-10', draft: draft({ a: 1 }), history: [history('edit', 'a')] }))).toBe(true);
      expect(await records.commit(change({ code: 's1', period: '2026-10', draft: draft({ a: 2 }) }))).toBe(false);
      expect(await records.commit(change({ code: 's1', period: '2026-10', expectedRev: 1, draft: null, report: report('s1', '2026-10'), reopened: true, history: [history('submit', 'b')] }))).toBe(true);
      await records.commit(change({ code: 's1', period: '2026-09', report: report('s1', '2026-09') }));
      expect(await records.read('s1', '2026-10')).toEqual({ rev: 2, draft: null, reports: { '2026-09': report('s1', '2026-09'), '2026-10': report('s1', '2026-10') }, reopened: true, reopenedPeriods: ['2026-10'], reportsRev: 2 });
      expect(await records.read('s1', '2026-09')).toMatchObject({ rev: 1, reopened: false });
      expect(await records.history('s1')).toEqual([history('edit', 'a'), history('submit', 'b')]);
      expect(await records.history('s2')).toEqual([]);
      expect(await records.history('s1', 1)).toEqual([history('submit', 'b')]);
      expect(await records.history('s1', 5)).toEqual([history('edit', 'a'), history('submit', 'b')]);
      expect(await records.history('s1', 0)).toEqual([]);
      expect(await records.reports('2026-10', ['s1', 's2'])).toEqual([report('s1', '2026-10'), null]);
      await records.commit(change({ code: 's1', period: '2025-12', report: report('s1', '2025-12') }));
      // The year's months only: December of the year before stays out.
      expect(await records.reportsOfYear(2026, ['s1', 's2'])).toEqual([{ '2026-09': report('s1', '2026-09'), '2026-10': report('s1', '2026-10') }, {}]);
      expect(await records.reportsOfYear(2025, ['s1'])).toEqual([{ '2025-12': report('s1', '2025-12') }]);
    });

    it('keeps each filed report’s review mark in the period’s index, written with the report', async () => {
      const { records } = s();
      const filed = (code: string, review?: Report['review']) => report(code, '2026-10', 'filed', {}, review ? { review } : {});
      await records.commit(change({ code: 'a', period: '2026-10', report: filed('a'), status: 'filed' }));
      await records.commit(change({ code: 'b', period: '2026-10', report: filed('b', { state: 'pending', required: true }), status: 'filed' }));
      await records.commit(change({ code: 'c', period: '2026-10', report: filed('c', { state: 'pending', required: false }), status: 'filed' }));
      await records.commit(change({ code: 'a', period: '2026-09', report: report('a', '2026-09', 'late'), status: 'late' }));
      expect(await records.reviewMarks('2026-10')).toEqual({ a: 'pending', b: 'pending-required', c: 'pending' });
      expect(await records.reviewMarks('2026-09')).toEqual({ a: 'pending' });
      // A decision rewrites the report and its mark; a change without a report leaves the mark.
      await records.commit(change({ code: 'b', period: '2026-10', expectedRev: 1, report: filed('b', { state: 'approved', required: true, by: 'u', byName: '王', at: 2, id: 'r1' }) }));
      await records.commit(change({ code: 'c', period: '2026-10', expectedRev: 1, report: filed('c', { state: 'returned', required: false, by: 'u', byName: '王', at: 2, id: 'r2', reason: '数字有误' }) }));
      await records.commit(change({ code: 'a', period: '2026-10', expectedRev: 1, draft: draft({ x: 1 }) }));
      expect(await records.reviewMarks('2026-10')).toEqual({ a: 'pending', b: 'approved', c: 'returned' });
      // A report that is not filed has no mark.
      await records.commit(change({ code: 'a', period: '2026-10', expectedRev: 2, report: report('a', '2026-10', 'defaulted'), status: 'defaulted' }));
      expect(await records.reviewMarks('2026-10')).toEqual({ b: 'approved', c: 'returned' });
      expect(await records.reviewMarks('2026-08')).toEqual({});
      // Set by reindex only while none of the school's reports changed since it read them.
      const { reportsRev } = await records.read('b', '2026-10');
      expect(await records.setReviewMarks('b', reportsRev - 1, { '2026-10': 'pending' })).toBe(false);
      expect(await records.reviewMarks('2026-10')).toEqual({ b: 'approved', c: 'returned' });
      expect(await records.setReviewMarks('b', reportsRev, { '2026-10': null, '2026-09': 'returned' })).toBe(true);
      expect(await records.reviewMarks('2026-10')).toEqual({ c: 'returned' });
      expect(await records.reviewMarks('2026-09')).toEqual({ a: 'pending', b: 'returned' });
    });

    it('keeps the draft when a commit leaves it out, and clears the reopen flag on request', async () => {
      const { records } = s();
      await records.commit(change({ code: 's1', period: '2026-10', draft: draft({ a: 1 }), reopened: true }));
      await records.commit(change({ code: 's1', period: '2026-10', expectedRev: 1, reopened: false }));
      expect(await records.read('s1', '2026-10')).toEqual({ rev: 2, draft: draft({ a: 1 }), reports: {}, reopened: false, reopenedPeriods: [], reportsRev: 0 });
      expect(await records.drafts('2026-10', ['s1', 's2'])).toEqual([draft({ a: 1 }), null]);
    });

    it('reads many schools’ drafts and last nudges in the order asked, across partitions and past one batch of a partition', async () => {
      const { records } = s();
      // 520 schools of one partition (more than one read batch of 500), 40 of others, interleaved.
      const one: string[] = [];
      const others: string[] = [];
      for (let n = 0; one.length < 520 || others.length < 40; n++) {
        const code = `41${String(n).padStart(8, '0')}`;
        if (partitionOf(code) === partitionOf('4100000000')) one.push(code);
        else if (others.length < 40) others.push(code);
      }
      const codes = [...one.slice(0, 300), ...others.slice(0, 20), ...one.slice(300), ...others.slice(20)];
      // Positions 499 and 500 of the partition's list (codes 519, 520) are the last of its first batch and the first of the next.
      const drafted = [0, 299, 300, 320, 519, 520, 539, 559];
      for (const i of drafted) await records.commit(change({ code: codes[i]!, period: '2026-10', draft: draft({ a: i }) }));
      const policy = { sendAt: 10 * HOUR_MS, intervalMs: 4 * HOUR_MS, now: 10 * HOUR_MS };
      const nudgedAt = [1, 319, 519, 520, 558];
      for (const i of nudgedAt) await records.nudge(codes[i]!, '2026-10', message(`nudge:${i}`, ['c'], '提醒'), { ...policy, sendAt: policy.sendAt + i });
      expect(await records.drafts('2026-10', codes)).toEqual(codes.map((_, i) => (drafted.includes(i) ? draft({ a: i }) : null)));
      expect(await records.lastNudged(codes)).toEqual(codes.map((_, i) => (nudgedAt.includes(i) ? 10 * HOUR_MS + i : null)));
      expect(await records.drafts('2026-10', [])).toEqual([]);
    });

    it('keeps a period’s status sets with the records; the schools owing are the roster less those filed', async () => {
      const stores = s();
      const { records } = stores;
      await stores.roster.replaceSchools([school('a', '郑州', 'A'), school('b', '郑州', 'C'), school('c', '洛阳', 'A'), school('d', '洛阳', 'D')]);
      await records.commit(change({ code: 'a', period: '2026-10', report: report('a', '2026-10'), status: 'filed' }));
      await records.commit(change({ code: 'c', period: '2026-10', draft: draft(), status: 'drafting' }));
      await records.commit(change({ code: 'c', period: '2026-10', expectedRev: 1, report: report('c', '2026-10', 'late'), status: 'late' }));
      await records.commit(change({ code: 'd', period: '2026-10', draft: draft(), status: 'drafting' }));
      expect((await owingSchools(stores, '2026-10', {})).sort()).toEqual(['b', 'd']);
      expect(await owingSchools(stores, '2026-10', { city: '郑州' })).toEqual(['b']);
      expect(await owingSchools(stores, '2026-10', { category: 'A' })).toEqual([]);
      expect(await owingSchools(stores, '2026-10', { city: '洛阳', category: 'D' })).toEqual(['d']);
      expect((await owingSchools(stores, '2026-09', {})).sort()).toEqual(['a', 'b', 'c', 'd']);
      const index = await periodIndex(stores, '2026-10');
      expect(index.all.sort()).toEqual(['a', 'b', 'c', 'd']);
      expect(index.byCity['洛阳']!.sort()).toEqual(['c', 'd']);
      expect(index.status).toEqual({ filed: ['a'], late: ['c'], drafting: ['d'], defaulted: [] });
      expect(await records.statusSets('2026-10', ['filed'])).toEqual({ filed: ['a'], late: [], drafting: [], defaulted: [] });
      // A discarded draft leaves the status sets; a change that names no status leaves them alone.
      await records.commit(change({ code: 'd', period: '2026-10', expectedRev: 1, draft: null, status: null }));
      await records.commit(change({ code: 'a', period: '2026-10', expectedRev: 1, draft: draft() }));
      expect(await records.statusSets('2026-10')).toEqual({ filed: ['a'], late: ['c'], drafting: [], defaulted: [] });
    });

    it('keeps year-to-date sums per school, written with the records', async () => {
      const { records } = s();
      await records.commit(change({ code: 'a', period: '2026-09', report: report('a', '2026-09'), ytd: ytd(5) }));
      await records.commit(change({ code: 'a', period: '2026-10', report: report('a', '2026-10'), ytd: ytd(7) }));
      await records.commit(change({ code: 'b', period: '2025-12', report: report('b', '2025-12'), ytd: ytd(1, 2025) }));
      expect(await records.yearToDate(2026)).toEqual({ a: ytd(7) });
      expect(await records.yearToDate(2025)).toEqual({ b: ytd(1, 2025) });
    });

    it('refuses a report whose year sums were computed before another month’s report was written', async () => {
      const { records, turns } = s();
      await records.commit(change({ code: 'y', period: '2026-09', report: report('y', '2026-09'), ytd: ytd(9) }));
      const before = await records.read('y', '2026-10');
      expect(before.reportsRev).toBe(1);
      // Another contact submits a reopened month meanwhile.
      await records.commit(change({ code: 'y', period: '2026-08', report: report('y', '2026-08'), ytd: ytd(17), expectedReportsRev: 1 }));
      expect(await records.commit(change({ code: 'y', period: '2026-10', report: report('y', '2026-10'), ytd: ytd(19), expectedReportsRev: before.reportsRev }))).toBe(false);
      const session = { session: newSession(), expectedRev: 0, ttlMs: 60_000 };
      expect(await turns.commit({ home: 'y', userId: 'cy', deliveryId: 'm:1', lock: 'L', keepMs: 60_000, record: { replies: [], late: null }, session, school: change({ code: 'y', period: '2026-10', report: report('y', '2026-10'), ytd: ytd(19), expectedReportsRev: 1 }), outbox: [], now: 1 })).toEqual({ kind: 'conflict', on: 'school' });
      expect((await records.yearToDate(2026)).y).toEqual(ytd(17));
      expect(await records.commit(change({ code: 'y', period: '2026-10', report: report('y', '2026-10'), ytd: ytd(27), expectedReportsRev: 2 }))).toBe(true);
      expect((await records.read('y', '2026-10')).reportsRev).toBe(3);
    });

    it('reads and replaces a partition’s derived data only at the revision it was read at', async () => {
      const { records } = s();
      const p = partitionOf('a');
      await records.commit(change({ code: 'a', period: '2026-10', draft: draft(), status: 'drafting' }));
      const read = await records.readDerived(p, ['2026-10'], 2026);
      expect(read.status['2026-10']).toEqual({ filed: [], late: [], drafting: ['a'], defaulted: [] });
      const fixed = { ...read, status: { '2026-10': { filed: ['a'], late: [], drafting: [], defaulted: [] } }, ytd: { a: ytd(3) } };
      // A commit that changes the derived data in between makes the replacement fail.
      await records.commit(change({ code: 'a', period: '2026-11', draft: draft(), status: 'drafting' }));
      expect(await records.replaceDerived(p, fixed)).toBe(false);
      const again = await records.readDerived(p, ['2026-10'], 2026);
      expect(await records.replaceDerived(p, { ...fixed, rev: again.rev })).toBe(true);
      expect((await records.statusSets('2026-10')).filed).toEqual(['a']);
      expect(await records.yearToDate(2026)).toEqual({ a: ytd(3) });
    });

    it('records a zero report only where the school has none, with its history, status and notice', async () => {
      const { records, outbox } = s();
      const zero = report('s1', '2026-10', 'defaulted');
      const entry = history('default', 'system');
      await records.commit(change({ code: 's1', period: '2026-10', draft: draft(), status: 'drafting' }));
      expect(await records.recordDefault('s1', '2026-10', zero, entry, message('close:2026-10:s1', ['c1'], '零申报'), 5)).toBe(true);
      expect(await records.recordDefault('s1', '2026-10', zero, entry, message('close:2026-10:s1', ['c1'], '零申报'), 6)).toBe(false);
      await records.commit(change({ code: 's2', period: '2026-10', report: report('s2', '2026-10'), status: 'filed' }));
      expect(await records.recordDefault('s2', '2026-10', report('s2', '2026-10', 'defaulted'), entry, message('close:2026-10:s2', ['c2'], '零申报'), 5)).toBe(false);
      expect(await records.read('s1', '2026-10')).toMatchObject({ rev: 2, draft: draft(), reports: { '2026-10': zero }, reportsRev: 1 });
      expect((await records.read('s2', '2026-10')).reports['2026-10']?.status).toBe('filed');
      expect(await records.history('s1')).toEqual([entry]);
      expect(await records.statusSets('2026-10')).toEqual({ filed: ['s2'], late: [], drafting: [], defaulted: ['s1'] });
      const [notice, none] = await outbox.get([{ owner: 's1', id: 'close:2026-10:s1' }, { owner: 's2', id: 'close:2026-10:s2' }]);
      expect(notice).toMatchObject({ state: 'pending', createdAt: 5, owner: 's1' });
      expect(none).toBeNull();
    });

    it('applies the nudge policy in one step per school', async () => {
      const { records, outbox } = s();
      const policy = { sendAt: 10 * HOUR_MS, intervalMs: 4 * HOUR_MS, now: 10 * HOUR_MS };
      expect(await records.nudge('s1', '2026-10', message('nudge:a:s1', ['c1'], '提醒'), policy)).toBe('queued');
      expect(await records.nudge('s1', '2026-10', message('nudge:a:s1', ['c1'], '提醒'), policy)).toBe('already');
      // Another requester within the interval is refused; after it, not.
      expect(await records.nudge('s1', '2026-10', message('nudge:b:s1', ['c1'], '提醒'), { ...policy, sendAt: policy.sendAt + 3 * HOUR_MS })).toBe('recent');
      expect(await records.nudge('s1', '2026-10', message('nudge:c:s1', ['c1'], '提醒'), { ...policy, sendAt: policy.sendAt + 5 * HOUR_MS })).toBe('queued');
      await records.commit(change({ code: 's2', period: '2026-10', report: report('s2', '2026-10', 'late'), status: 'late' }));
      expect(await records.nudge('s2', '2026-10', message('nudge:a:s2', ['c2'], '提醒'), policy)).toBe('filed');
      const [a, c] = await outbox.get([{ owner: 's1', id: 'nudge:a:s1' }, { owner: 's1', id: 'nudge:c:s1' }]);
      // A nudge is due when it is to go out (quiet hours put a staff 催报 off).
      expect([a?.due, c?.due]).toEqual([10 * HOUR_MS, 15 * HOUR_MS]);
      // The last nudge stays known after the interval's marker has gone (the dashboard's 最近催报).
      expect(await records.lastNudged(['s1', 's2'])).toEqual([15 * HOUR_MS, null]);
    });

    it('reopens a school’s month once per task, with its history and the notice', async () => {
      const { records, outbox } = s();
      const entry = history('reopen', 'x', '2026-09');
      expect(await records.reopen('s1', '2026-09', 'turn:x:reopen', entry, message('turn:x:reopen:notice', ['c1'], '解锁'), 7)).toBe(true);
      expect(await records.reopen('s1', '2026-09', 'turn:x:reopen', entry, message('turn:x:reopen:notice', ['c1'], '解锁'), 8)).toBe(false);
      expect(await records.read('s1', '2026-09')).toMatchObject({ rev: 1, reopened: true, reopenedPeriods: ['2026-09'] });
      expect(await records.history('s1')).toEqual([entry]);
      expect((await outbox.get([{ owner: 's1', id: 'turn:x:reopen:notice' }]))[0]).toMatchObject({ state: 'pending', createdAt: 7 });
    });

    it('keeps a school’s newest history entries up to the cap, dropping the oldest, whichever step writes them', async () => {
      const { stores, cleanup } = await make({ historyMax: 3 });
      try {
        const { records } = stores;
        for (let i = 0; i < 3; i++) await records.commit(change({ code: 'h', period: '2026-10', expectedRev: i, history: [history('edit', `a${i}`)] }));
        await records.reopen('h', '2026-10', 'task', history('reopen', 'x'), null, 1);
        await records.recordDefault('h', '2026-10', report('h', '2026-10', 'defaulted'), history('default', 'system'), null, 1);
        expect((await records.history('h')).map((e) => e.by)).toEqual(['a2', 'x', 'system']);
      } finally {
        await cleanup();
      }
    });

    it('refuses a record that does not read, rather than misread it', async () => {
      const { records } = s();
      // A report without its school and status (written by hand, or by a broken version) is not taken for one.
      await expect(records.commit(change({ code: 'x', period: '2026-10', report: { v: 1 } as never }))).resolves.toBe(true);
      await expect(records.read('x', '2026-10')).rejects.toThrow(/stored report does not read/);
    });
  });
}
