import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkLink, DashboardLinks, signLink } from '../../src/dashboard/dashboard-link';
import { buildOverview, buildSchoolPage } from '../../src/dashboard/dashboard-view';
import { overviewPage } from '../../src/dashboard/dashboard-pages';
import { windowFor } from '../../src/calendar/period';
import type { Report } from '../../src/report/records';
import type { School } from '../../src/roster/roster';
import type { PeriodIndex } from '../../src/report/status';
import type { YearTargets } from '../../src/targets/targets';
import { report as makeReport } from '../fixtures/records';

const SECRET = 'a'.repeat(64);
const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };

describe('dashboard links', () => {
  const now = new Date('2026-11-05T01:00:00Z');
  const token = signLink(SECRET, { userId: 'sheng', expiresAt: now.getTime() + 3_600_000 });

  it('accepts its own link until it expires, to the second', () => {
    expect(checkLink(SECRET, token, now)).toEqual({ ok: true, claims: { userId: 'sheng', expiresAt: now.getTime() + 3_600_000 } });
    expect(checkLink(SECRET, token, new Date(now.getTime() + 3_599_999)).ok).toBe(true);
    expect(checkLink(SECRET, token, new Date(now.getTime() + 3_600_000))).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('tells a missing link from a forged one', () => {
    expect(checkLink(SECRET, undefined, now)).toEqual({ ok: false, reason: 'missing' });
    expect(checkLink(SECRET, '', now)).toEqual({ ok: false, reason: 'missing' });
    expect(checkLink('b'.repeat(64), token, now)).toEqual({ ok: false, reason: 'forged' });
    const [payload, sig] = token.split('.');
    const other = Buffer.from(JSON.stringify({ u: 'zzcity', e: 2_000_000_000 })).toString('base64url');
    expect(checkLink(SECRET, `${other}.${sig}`, now).ok).toBe(false);
    expect(checkLink(SECRET, `${payload}.${sig}.x`, now).ok).toBe(false);
    expect(checkLink(SECRET, `${payload}`, now).ok).toBe(false);
    // A correctly signed body that is not ours (no user, wrong types) is still refused.
    const odd = (body: unknown) => {
      const p = Buffer.from(JSON.stringify(body)).toString('base64url');
      return `${p}.${createHmac('sha256', SECRET).update(`dashboard.${p}`).digest('base64url')}`;
    };
    // The signing matches signLink's: a proper body signed this way is accepted …
    expect(checkLink(SECRET, odd({ u: 'sheng', e: 2_000_000_000 }), now).ok).toBe(true);
    // … and a signed body without a user, or with the wrong types, is not.
    expect(checkLink(SECRET, odd({ e: 2_000_000_000 }), now).ok).toBe(false);
    expect(checkLink(SECRET, odd({ u: 1, e: '2000000000' }), now)).toEqual({ ok: false, reason: 'forged' });
  });

  it('issues links only with a public base URL, expiring after the configured hours', () => {
    expect(new DashboardLinks({ baseUrl: () => undefined, secret: SECRET, hours: 24 }).linkFor('sheng', now)).toBeNull();
    const links = new DashboardLinks({ baseUrl: () => 'https://yuebao.example.cn', secret: SECRET, hours: 24 });
    const link = links.linkFor('sheng', now)!;
    expect(link.url).toMatch(/^https:\/\/yuebao\.example\.cn\/dashboard\?t=/);
    expect(link.expiresAt.toISOString()).toBe('2026-11-06T01:00:00.000Z');
    expect(links.check(new URL(link.url).searchParams.get('t')!, now)).toMatchObject({ ok: true, claims: { userId: 'sheng' } });
  });
});

const school = (code: string, city: string, category: 'A' | 'C', pilot = false): School => ({ code, name: `${city}学校${code}`, city, level: category === 'A' ? '高职' : '中职', category, pilot, contacts: [`t${code}`] });
const targets = { province: { all: 1_000_000, subsidized: 120_000 }, pilotBonus: { 高职: 3_000, 中职: 1_000 }, categories: { A: { all: 12_000, subsidized: 1_200 }, C: { all: 6_000, subsidized: 600 } } } as unknown as YearTargets;

describe('dashboard view', () => {
  const schools = Object.fromEntries([school('1', '郑州', 'A'), school('2', '郑州', 'C'), school('3', '洛阳', 'C'), school('4', '洛阳', 'A')].map((s) => [s.code, s]));
  const index: PeriodIndex = {
    all: ['1', '2', '3', '4'],
    byCity: { 郑州: ['1', '2'], 洛阳: ['3', '4'] },
    byCategory: { A: ['1', '4'], C: ['2', '3'] },
    status: { filed: ['1'], late: [], drafting: ['3'], defaulted: [] },
  } as unknown as PeriodIndex;
  const ytd = { '1': { year: 2026, trainees: 10_000, subsidized: 1_000, poor: 5 }, '3': { year: 2026, trainees: 1_000, subsidized: 50, poor: 0 } };
  const input = { index, schools, ytd, targets, window: windowFor('2026-10', cal), now: new Date('2026-11-05T01:00:00Z'), cal, nudgeIntervalHours: 4 };

  it('counts filing by city and category and sums the year against the schools’ targets and pace', () => {
    const o = buildOverview({ ...input, member: { userId: 'sheng', role: 'province', name: '王省' } });
    expect(o.totals).toEqual({ group: '全省', total: 4, filed: 1, late: 0, drafting: 1, none: 2, defaulted: 0, approved: 0, returned: 0 });
    expect(o.byCity.map((c) => [c.group, c.filed, c.drafting, c.none])).toEqual([
      ['洛阳', 0, 1, 1],
      ['郑州', 1, 0, 1],
    ]);
    expect(o.byCategory.map((c) => c.group)).toEqual(['A 类', 'C 类']);
    // Targets: 2 × 12,000 + 2 × 6,000 = 36,000. On 11-05 October is open: school 1 has filed it and is
    // paced over 1–10月 (10,000); 2, 3 and 4 over 1–9月 (4,500 + 4,500 + 9,000): 28,000.
    expect(o.progress).toMatchObject({ trainees: 11_000, subsidized: 1_050, target: 36_000, subsidizedTarget: 3_600, pace: 28_000 });
    expect(o.paceWords).toBe('1–9月（已报10月的学校含10月）');
    expect(o.progressByCategory.map((g) => [g.group, g.trainees, g.target])).toEqual([
      ['A 类', 10_000, 24_000],
      ['C 类', 1_000, 12_000],
    ]);
    expect(o.owing.map((s) => [s.code, s.status])).toEqual([
      ['3', 'drafting'],
      ['4', 'none'],
      ['2', 'none'],
    ]);
    expect(o).toMatchObject({ open: true, deadline: '11月10日截止（还有 6 天）', provinceTargets: { all: 1_000_000 }, asOf: '2026-11-05 09:00' });
  });

  it('shows city staff their city only', () => {
    const o = buildOverview({ ...input, member: { userId: 'zz', role: 'city', city: '郑州' } });
    expect(o.totals.total).toBe(2);
    expect(o.byCity.map((c) => c.group)).toEqual(['郑州']);
    expect(o.owing.map((s) => s.code)).toEqual(['2']);
    expect(o.provinceTargets).toBeNull();
    // A staff member without a name is never shown by UserID.
    expect(o.viewer).toEqual({ name: '工作人员', scope: '郑州', role: 'city' });
  });

  it('lays out a school’s months with cumulative sums, pace and statuses', () => {
    const report = (period: string, status: Report['status'], total: number): Report =>
      makeReport('1', period, status, { trainees_students: total * 0.6, trainees_public: total * 0.4, trainees_subsidized: total / 10 }, { submittedBy: 't1', submittedAt: Date.parse(`${period}-05T02:00:00Z`), firstSubmittedAt: 0 });
    const page = buildSchoolPage({ school: schools['1']!, window: windowFor('2026-03', cal), reports: [report('2026-01', 'filed', 1000), report('2026-02', 'defaulted', 0), report('2025-12', 'filed', 5000)], draft: null, targets, cal, now: new Date('2026-04-05T01:00:00Z') });
    expect(page.months.map((m) => [m.label, m.status, m.cumulative, m.pace])).toEqual([
      ['1月', 'filed', 1_000, 1_000],
      ['2月', 'defaulted', 1_000, 2_000],
      ['3月', 'none', 1_000, 3_000],
    ]);
    // December 2025 is another year's; the defaulted February counts as 0.
    expect(page.done).toEqual({ trainees: 1_000, subsidized: 100 });
    expect(page.months[0]!.submittedAt).toBe('2026-01-05 10:00');
    expect(page.months[1]!.submittedAt).toBeNull();
    expect(page.target).toEqual({ all: 12_000, subsidized: 1_200 });
    // On 04-05 March is open and not filed: the pace covers January and February.
    expect([page.pace, page.paceWords]).toEqual([2_000, '1–2月']);
  });

  it('escapes what the roster says, in the HTML and in the embedded data, and cuts a long owing list short', () => {
    const many: Record<string, School> = {};
    for (let n = 0; n < 600; n++) many[String(n)] = school(String(n), '郑州', 'C');
    many['0'] = { ...many['0']!, name: '<img src=x onerror=alert(1)></script>' };
    const all = Object.keys(many);
    const o = buildOverview({ ...input, schools: many, index: { ...index, all, byCity: { 郑州: all }, byCategory: { C: all }, status: { filed: [], late: [], drafting: [], defaulted: [] } } as unknown as PeriodIndex, member: { userId: 'sheng', role: 'province' } });
    const html = overviewPage(o, 'tok"en');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;');
    expect(html).toContain('data-token="tok&quot;en"');
    expect(html.match(/<tr data-code=/g)).toHaveLength(500);
    expect(JSON.parse(/<script type="application\/json" id="dashboard-data">(.*?)<\/script>/s.exec(html)![1]!).owingCounts).toEqual({ '郑州|C': 600 });
    expect(html).toContain('只列出前 500 所，还有 100 所');
    // The page's data carries no school names (no owing list), so nothing there can close its <script>.
    const data = /<script type="application\/json" id="dashboard-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(data).owing).toBeUndefined();
  });
});
