import { describe, expect, it } from 'vitest';
import { groupByPartition, partitionOf } from '../../src/store/partition';

describe('grouping by partition', () => {
  it('puts each item with its owner’s partition, in the order given, and every item once', () => {
    const codes = Array.from({ length: 2_000 }, (_, i) => `41${String(i).padStart(8, '0')}`);
    const items = codes.map((code, i) => ({ code, i }));
    const groups = groupByPartition(items, (item) => item.code);
    expect([...groups.values()].flat().map((item) => item.i).sort((a, b) => a - b)).toEqual(items.map((item) => item.i));
    for (const [p, group] of groups) {
      expect(group.every((item) => partitionOf(item.code) === p)).toBe(true);
      expect(group.map((item) => item.i)).toEqual([...group.map((item) => item.i)].sort((a, b) => a - b));
    }
    expect(groups.size).toBe(64);
    expect(groupByPartition([], (x: string) => x).size).toBe(0);
  });
});
