import { describe, expect, it } from 'vitest';
import { KeyedQueue } from '../../src/dispatch/keyed-queue';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedQueue', () => {
  it('runs one key’s tasks one at a time in order, other keys alongside', async () => {
    const q = new KeyedQueue();
    const log: string[] = [];
    const task = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await wait(ms);
      log.push(`end ${name}`);
    };
    await Promise.all([q.run('a', task('a1', 30)), q.run('a', task('a2', 1)), q.run('b', task('b1', 5))]);
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start a2', 'end a2']);
  });

  it('goes on with the next task after one fails', async () => {
    const q = new KeyedQueue();
    const first = q.run('a', async () => {
      throw new Error('boom');
    });
    const second = q.run('a', async () => 'second ran');
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('second ran');
  });
});
