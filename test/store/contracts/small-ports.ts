import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../src/store/send-budget';
import { sleep, useSubject, type MakeSubject } from './fixtures';

const LIMITS = { perMinute: 30, perHour: 1000 };

export function auditContract(make: MakeSubject): void {
  describe('AuditLog', () => {
    const s = useSubject(make, beforeEach, afterEach);

    it('appends entries in order, and an entry with an id only once', async () => {
      const { audit } = s();
      await audit.append({ action: 'import', by: 'ops', at: 1 });
      await audit.append({ action: 'nudge', by: 'sheng', at: 2, schools: 3 }, 'r1');
      await audit.append({ action: 'nudge', by: 'sheng', at: 3, schools: 3 }, 'r1');
      await audit.append({ action: 'export', by: 'ops', at: 4, period: '2026-10' });
      expect(await audit.read()).toEqual([
        { action: 'import', by: 'ops', at: 1 },
        { action: 'nudge', by: 'sheng', at: 2, schools: 3 },
        { action: 'export', by: 'ops', at: 4, period: '2026-10' },
      ]);
    });

    it('reads only the newest entries when given a limit, still oldest first', async () => {
      const { audit } = s();
      for (let i = 1; i <= 5; i++) await audit.append({ action: 'export', by: 'ops', at: i });
      expect((await audit.read(2)).map((e) => e.at)).toEqual([4, 5]);
      expect((await audit.read(9)).map((e) => e.at)).toEqual([1, 2, 3, 4, 5]);
      expect(await audit.read(0)).toEqual([]);
    });
  });
}

export function tokenContract(make: MakeSubject): void {
  describe('TokenCache', () => {
    const s = useSubject(make, beforeEach, afterEach);

    it('caches the access token and drops it only if unchanged', async () => {
      const { tokens } = s();
      expect(await tokens.get()).toBeNull();
      await tokens.set({ value: 't1', expiresAt: 123 }, 60_000);
      expect(await tokens.get()).toEqual({ value: 't1', expiresAt: 123 });
      await tokens.drop('t0');
      expect((await tokens.get())?.value).toBe('t1');
      await tokens.drop('t1');
      expect(await tokens.get()).toBeNull();
    });

    it('expires the cached token after its TTL, and refuses a TTL of 0', async () => {
      const { tokens } = s();
      await tokens.set({ value: 't1', expiresAt: 1 }, 30);
      await sleep(60);
      expect(await tokens.get()).toBeNull();
      await expect(tokens.set({ value: 't2', expiresAt: 1 }, 0)).rejects.toThrow(RangeError);
      expect(await tokens.get()).toBeNull();
    });
  });
}

export function budgetContract(make: MakeSubject): void {
  describe('SendBudget', () => {
    const s = useSubject(make, beforeEach, afterEach);

    it('reserves 30 sends a minute per member and says how long to wait for the 31st', async () => {
      const { budget } = s();
      const t0 = 1_800_000_000_000;
      for (let i = 0; i < 30; i++) expect(await budget.reserve(['a'], t0 + i * 100, LIMITS)).toEqual([0]);
      expect(await budget.reserve(['a', 'b'], t0 + 3_000, LIMITS)).toEqual([MINUTE_MS - 3_000, 0]);
      // The window slides: once the first send is a minute old, one more fits.
      expect(await budget.reserve(['a'], t0 + MINUTE_MS, LIMITS)).toEqual([0]);
      expect(await budget.reserve(['a'], t0 + MINUTE_MS, LIMITS)).toEqual([100]);
    });

    it('reserves nothing on a refusal, and gives back a reservation by its tag', async () => {
      const { budget } = s();
      const t0 = 1_800_000_000_000;
      const one = { perMinute: 1, perHour: 10 };
      expect(await budget.reserve(['a'], t0, one, { tag: 'e1' })).toEqual([0]);
      // Refused again and again: the refusals take no room of their own.
      for (let i = 1; i <= 5; i++) expect(await budget.reserve(['a'], t0 + i, one)).toEqual([MINUTE_MS - i]);
      await budget.release(['a'], t0, 'other');
      expect(await budget.reserve(['a'], t0 + 6, one)).toEqual([MINUTE_MS - 6]);
      await budget.release(['a'], t0, 'e1');
      expect(await budget.reserve(['a'], t0 + 7, one)).toEqual([0]);
    });

    it('reserves at most 1000 sends an hour per member', async () => {
      const { budget } = s();
      const t0 = 1_800_000_000_000;
      const limits = { perMinute: 10_000, perHour: 1000 };
      for (let i = 0; i < 1000; i++) await budget.reserve(['a'], t0 + i, limits);
      expect(await budget.reserve(['a'], t0 + 10_000, limits)).toEqual([HOUR_MS - 10_000]);
      expect(await budget.reserve(['a'], t0 + HOUR_MS, limits)).toEqual([0]);
    });
  });
}
