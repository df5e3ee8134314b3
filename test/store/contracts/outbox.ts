import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partitionOf } from '../../../src/store/partition';
import { message, sleep, useSubject, type MakeSubject } from './fixtures';

export function outboxContract(make: MakeSubject): void {
  describe('OutboxStore', () => {
    const s = useSubject(make, beforeEach, afterEach);
    const ref = (owner: string, id: string) => ({ owner, id });

    it('writes an entry once per id, in its owner’s partition', async () => {
      const { outbox } = s();
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
      const { outbox } = s();
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
      const { outbox } = s();
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
      const { outbox } = s();
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
      const { outbox } = s();
      const p = partitionOf('s1');
      await outbox.enqueue('s1', [message('a', ['u1'], '一', 0)], 0);
      const [held] = await outbox.lease(p, ['a'], 10, 1_000);
      await outbox.finish(held!, { state: 'done', error: null, result: { msgIds: [], invalid: [], unlicensed: [] }, at: 20, keepMs: 40 });
      expect((await outbox.get([ref('s1', 'a')]))[0]?.state).toBe('done');
      await sleep(80);
      expect((await outbox.get([ref('s1', 'a')]))[0]).toBeNull();
      expect(await outbox.enqueue('s1', [message('a', ['u1'], '一', 0)], 100)).toEqual([true]);
    });
  });
}
