import { mkdtempSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { onPace, yearToDate } from '../../src/report/progress';
import type { Report } from '../../src/report/records';
import { rollUp } from '../../src/report/rollup';
import type { School } from '../../src/roster/roster';
import { TargetsError, loadTargets, schoolTarget, targetsFor } from '../../src/targets/targets';
import { report as makeReport } from '../fixtures/records';

const targets = loadTargets('config/targets.json');
const y2026 = targetsFor(targets, 2026);

const school = (code: string, city: string, category: School['category'], pilot = false): School => ({
  code,
  name: code,
  city,
  level: category < 'C' ? '高职' : '中职',
  category,
  pilot,
  contacts: [],
});

const report = (period: string, status: Report['status'], students: number, publicN: number, subsidized: number, poor = 0): Report =>
  makeReport('s', period, status, { trainees_students: students, trainees_public: publicN, trainees_subsidized: subsidized, group_poor: poor });

describe('targets', () => {
  it('carries the notice’s figures forward to years the file does not list', () => {
    expect(targetsFor(targets, 2026)).toBe(targets.years['2020']);
    expect(y2026.categories).toEqual({ A: { all: 10000, subsidized: 1200 }, B: { all: 5000, subsidized: 800 }, C: { all: 3000, subsidized: 300 }, D: { all: 1000, subsidized: 100 } });
    expect(y2026.province).toEqual({ all: 1000000, subsidized: 120000 });
    expect(y2026.workPlan).toEqual({ allVocationalTraining: 3000000, poorHouseholdTrainees: 5000 });
  });

  it('adds the pilot bonus by level to “all training” only', () => {
    expect(schoolTarget(y2026, school('a', '郑州', 'A', true))).toEqual({ all: 10500, subsidized: 1200 });
    expect(schoolTarget(y2026, school('b', '郑州', 'B'))).toEqual({ all: 5000, subsidized: 800 });
    expect(schoolTarget(y2026, school('c', '郑州', 'C', true))).toEqual({ all: 3200, subsidized: 300 });
    expect(schoolTarget(y2026, school('d', '郑州', 'D'))).toEqual({ all: 1000, subsidized: 100 });
  });

  it('sums a year’s reports, a defaulted month counting 0 and other years ignored', () => {
    const reports = [report('2026-01', 'filed', 100, 50, 20, 3), report('2026-02', 'late', 10, 0, 0), report('2026-03', 'defaulted', 999, 999, 999), report('2025-12', 'filed', 500, 0, 0)];
    expect(yearToDate(reports, 2026)).toEqual({ year: 2026, trainees: 160, subsidized: 20, poor: 3 });
  });

  it('paces the target by months elapsed, rounding up', () => {
    expect(onPace(10500, 10)).toBe(8750);
    expect(onPace(1000, 10)).toBe(834);
    expect(onPace(1000, 0)).toBe(0);
    expect(onPace(1000, 14)).toBe(1000);
  });

  it('rolls schools up by city, by category and for the province', () => {
    const schools = [school('a', '郑州', 'A', true), school('b', '郑州', 'C'), school('c', '洛阳', 'A'), school('d', '洛阳', 'D')];
    const ytd = { a: { year: 2026, trainees: 4000, subsidized: 500, poor: 10 }, c: { year: 2026, trainees: 9000, subsidized: 900, poor: 0 } };
    const months = (closed: number, filedOpen: string[] = []) => ({ year: 2026, closed, open: filedOpen.length ? closed + 1 : null, filedOpen: new Set(filedOpen) });
    // A group's pace is its schools' paces added up: ⌈10000×10/12⌉ + ⌈1000×10/12⌉ = 8334 + 834.
    expect(rollUp(schools, ytd, y2026, months(10), (s) => s.city)).toEqual([
      { group: '洛阳', schools: 2, trainees: 9000, subsidized: 900, poor: 0, target: 11000, subsidizedTarget: 1300, pace: 9168 },
      { group: '郑州', schools: 2, trainees: 4000, subsidized: 500, poor: 10, target: 13500, subsidizedTarget: 1500, pace: 11250 },
    ]);
    expect(rollUp(schools, ytd, y2026, months(10), (s) => s.category).map((g) => [g.group, g.trainees, g.target])).toEqual([
      ['A', 13000, 20500],
      ['C', 0, 3000],
      ['D', 0, 1000],
    ]);
    expect(rollUp(schools, ytd, y2026, months(6), () => '全省')).toEqual([{ group: '全省', schools: 4, trainees: 13000, subsidized: 1400, poor: 10, target: 24500, subsidizedTarget: 2800, pace: 12250 }]);
    // Month 7 open, filed by a (10500) and c (10000) only: they count 7 months (6125 + 5834), b and d 6 (1500 + 500).
    expect(rollUp(schools, ytd, y2026, months(6, ['a', 'c']), () => '全省')[0]!.pace).toBe(6125 + 5834 + 1500 + 500);
  });

  it('names the file and the place when the targets file is wrong', () => {
    const dir = mkdtempSync('/tmp/yb-targets-');
    writeFileSync(`${dir}/t.json`, JSON.stringify({ years: { 2026: { categories: { A: { all: -1, subsidized: 0 } } } } }));
    expect(() => loadTargets(`${dir}/t.json`)).toThrow(TargetsError);
    expect(() => loadTargets(`${dir}/t.json`)).toThrow(/Targets file .*t\.json is invalid: years\.2026\.categories\.A\.all: /);
    expect(() => loadTargets(`${dir}/missing.json`)).toThrow(/Targets file .*missing\.json is invalid/);
  });
});
