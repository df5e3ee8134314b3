import { describe, expect, it } from 'vitest';
import { DIRECTORY_MAX_AGE_MS, schoolWithDirectory, staleEntries, unnamedPeople } from '../../src/roster/directory';
import type { School } from '../../src/roster/roster';

const school: School = { code: '1', name: '一校', city: '郑州', level: '中职', category: 'C', pilot: false, contacts: ['a', 'b', 'c'], people: { a: { name: '甲' }, b: { phone: '13800000000' } } };

describe('the WeCom directory as a fallback for names', () => {
  it('asks only for people whose roster line has no name', () => {
    expect(unnamedPeople([school], [{ userId: 's', role: 'province', name: '省' }, { userId: 't', role: 'city', city: '郑州' }])).toEqual(['b', 'c', 't']);
  });

  it('reads an entry again once it is 20 hours old, not before', () => {
    const now = 1_000_000_000_000;
    const dir = { a: { name: 'x', fetchedAt: now - DIRECTORY_MAX_AGE_MS + 1 }, b: { missing: 60111, fetchedAt: now - DIRECTORY_MAX_AGE_MS } };
    expect(DIRECTORY_MAX_AGE_MS).toBe(20 * 3_600_000);
    expect(staleEntries(['a', 'b', 'c'], dir, now)).toEqual(['b', 'c']);
  });

  it('fills a gap, never writes over a roster name, and drops a name WeCom no longer gives', () => {
    const filled = schoolWithDirectory(school, { a: { name: '甲X', fetchedAt: 0 }, b: { name: '乙', fetchedAt: 0 }, c: { missing: 60011, fetchedAt: 0 }, z: { name: '外校', fetchedAt: 0 } });
    expect(filled.people).toEqual({ a: { name: '甲' }, b: { phone: '13800000000', directoryName: '乙' } });
    expect(schoolWithDirectory(filled, {}).people).toEqual(school.people);
    const bare = { ...school, people: undefined };
    delete bare.people;
    expect(schoolWithDirectory(bare, {})).toEqual(bare);
  });
});
