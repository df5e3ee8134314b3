import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sleep, useSubject, type MakeSubject } from './fixtures';

export function markersContract(make: MakeSubject): void {
  describe('Markers', () => {
    const s = useSubject(make, beforeEach, afterEach);

    it('holds a lock for one owner and releases it only with the owner token', async () => {
      const { markers } = s();
      const token = await markers.tryLock('jobs:close', 5_000);
      expect(token).not.toBeNull();
      expect(await markers.tryLock('jobs:close', 5_000)).toBeNull();
      expect(await markers.unlock('jobs:close', 'not-the-token')).toBe(false);
      expect(await markers.tryLock('jobs:close', 5_000)).toBeNull();
      expect(await markers.unlock('jobs:close', token!)).toBe(true);
      expect(await markers.tryLock('jobs:close', 5_000)).not.toBeNull();
    });

    it('frees a lock whose holder died once its TTL passes', async () => {
      const { markers } = s();
      expect(await markers.tryLock('jobs:b', 30)).not.toBeNull();
      await sleep(60);
      expect(await markers.tryLock('jobs:b', 30)).not.toBeNull();
    });

    it('marks members of a scope once until the marker lapses', async () => {
      const { markers } = s();
      expect(await markers.isMarked('fire-done', 'a')).toBe(false);
      expect(await markers.markOnce('fire-done', ['a'], 3_600_000)).toEqual([true]);
      expect(await markers.isMarked('fire-done', 'a')).toBe(true);
      expect(await markers.markOnce('fire-done', ['a', 'b'], 3_600_000)).toEqual([false, true]);
      expect(await markers.markOnce('other', ['a'], 3_600_000)).toEqual([true]);
      expect(await markers.markOnce('fire-done', ['c'], 30)).toEqual([true]);
      await sleep(60);
      expect(await markers.markOnce('fire-done', ['c'], 30)).toEqual([true]);
    });

    it('refuses a time to live of 0 or less, or not a number, at the interface', async () => {
      const { markers } = s();
      for (const ttl of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(markers.tryLock('t', ttl)).rejects.toThrow(RangeError);
        await expect(markers.markOnce('t', ['a'], ttl)).rejects.toThrow(RangeError);
      }
      // Nothing was taken or marked by the refused calls.
      expect(await markers.tryLock('t', 1_000)).not.toBeNull();
      expect(await markers.isMarked('t', 'a')).toBe(false);
    });

    it('keeps the calendar: the first import’s instant set once, the closed periods, the FAKE_NOW anchor', async () => {
      const { markers } = s();
      expect(await markers.readCalendar()).toEqual({ startedAt: null, closed: [] });
      expect(await markers.startCalendar(1_000)).toBe(1_000);
      expect(await markers.startCalendar(2_000)).toBe(1_000);
      await markers.markClosed('2026-11');
      await markers.markClosed('2026-10');
      await markers.markClosed('2026-11');
      expect(await markers.readCalendar()).toEqual({ startedAt: 1_000, closed: ['2026-10', '2026-11'] });
      // The first process anchors FAKE_NOW; a later one with the same FAKE_NOW reads on from it; a new FAKE_NOW starts again.
      expect(await markers.anchorClock(5_000, 100)).toEqual({ fakeAt: 5_000, realAt: 100 });
      expect(await markers.anchorClock(5_000, 900)).toEqual({ fakeAt: 5_000, realAt: 100 });
      expect(await markers.anchorClock(7_000, 950)).toEqual({ fakeAt: 7_000, realAt: 950 });
      expect(await markers.anchorClock(7_000, 990)).toEqual({ fakeAt: 7_000, realAt: 950 });
    });
  });
}
