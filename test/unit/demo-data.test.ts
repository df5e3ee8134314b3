import { describe, expect, it } from 'vitest';
import monthlyReport from '../../conversations/monthly-report';
import { loadForm } from '../../src/conversation/form';
import { demoPeople, plausibleValues, seedDemo } from '../../src/demo/demo-data';
import { periodIndex } from '../../src/queries/period-queries';
import { memoryStores } from '../../src/store/stores';

const form = loadForm(monthlyReport);

describe('the demo province', () => {
  it('has about 30 schools across several places and all four categories, and city and provincial staff', () => {
    const people = demoPeople();
    expect(people.schools).toHaveLength(30);
    expect(new Set(people.schools.map((s) => s.category))).toEqual(new Set(['A', 'B', 'C', 'D']));
    expect(new Set(people.schools.map((s) => s.city)).size).toBe(11);
    expect(people.staff.map((s) => s.role)).toEqual(['province', 'city', 'city']);
  });

  it('generates months that pass every rule', () => {
    let seed = 1;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (const school of demoPeople().schools) {
      const values = plausibleValues(form, school, rnd, 200);
      expect(form.findings(values, { history: [] }).filter((f) => f.level === 'error')).toEqual([]);
      expect(form.cells.every((c) => values[c.id] !== undefined)).toBe(true);
    }
  });

  it('seeds the roster, nine months of history and October under way', async () => {
    const store = memoryStores();
    await seedDemo(store, form, new Date('2026-11-05T01:00:00Z'));
    const index = await periodIndex(store, '2026-10');
    expect(index.all).toHaveLength(30);
    expect(index.status.filed).toHaveLength(10);
    expect(index.status.drafting.length).toBeGreaterThan(3);
    expect(Object.keys(await store.records.yearToDate(2026))).toHaveLength(30);
    expect((await periodIndex(store, '2026-09')).status.filed).toHaveLength(30);
  });
});
