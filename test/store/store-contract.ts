import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS, type Store } from '../../src/store/store';

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
      expect(await store.claimDelivery('m:1', 10_000)).toBe('claimed');
      expect(await store.claimDelivery('m:1', 10_000)).toBe('running');
      expect(await store.deliveryState('m:1')).toBe('running');
      await store.completeDelivery('m:1', 60_000);
      expect(await store.claimDelivery('m:1', 10_000)).toBe('done');
      expect(await store.deliveryState('m:1')).toBe('done');
    });

    it('lets a released delivery be claimed again, but never releases a done one', async () => {
      await store.claimDelivery('m:2', 10_000);
      await store.releaseDelivery('m:2');
      expect(await store.deliveryState('m:2')).toBe('absent');
      expect(await store.claimDelivery('m:2', 10_000)).toBe('claimed');
      await store.completeDelivery('m:2', 60_000);
      await store.releaseDelivery('m:2');
      expect(await store.deliveryState('m:2')).toBe('done');
    });

    it('lets a claim lapse after its lease', async () => {
      expect(await store.claimDelivery('m:3', 30)).toBe('claimed');
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.claimDelivery('m:3', 30)).toBe('claimed');
    });

    it('holds a lock for one owner and releases it only with the owner token', async () => {
      const token = await store.tryLock('user:a', 5_000);
      expect(token).not.toBeNull();
      expect(await store.tryLock('user:a', 5_000)).toBeNull();
      expect(await store.unlock('user:a', 'not-the-token')).toBe(false);
      expect(await store.tryLock('user:a', 5_000)).toBeNull();
      expect(await store.unlock('user:a', token!)).toBe(true);
      expect(await store.tryLock('user:a', 5_000)).not.toBeNull();
    });

    it('frees a lock whose holder died once its TTL passes', async () => {
      expect(await store.tryLock('user:b', 30)).not.toBeNull();
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.tryLock('user:b', 30)).not.toBeNull();
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
