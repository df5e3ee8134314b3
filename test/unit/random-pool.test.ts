import { describe, expect, it } from 'vitest';
import { RandomPool } from '../../src/wecom/random-pool';

describe('RandomPool', () => {
  it('hands out fresh bytes across refills, never the same slice twice', () => {
    const pool = new RandomPool();
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(pool.bytes(16).toString('hex'));
    expect(seen.size).toBe(1000);
  });
  it('gives copies that a refill does not change', () => {
    const pool = new RandomPool();
    const first = pool.bytes(16);
    const copy = Buffer.from(first);
    for (let i = 0; i < 300; i++) pool.bytes(16);
    expect(first.equals(copy)).toBe(true);
  });
  it('makes decimal nonces', () => {
    expect(new RandomPool().digits(10)).toMatch(/^\d{10}$/);
  });
});
