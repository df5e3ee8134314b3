import type { Form } from '../conversation/form';
import { yearToDate } from '../report/progress';
import type { Draft, Report } from '../report/records';
import type { School, StaffMember } from '../roster/roster';
import type { Stores } from '../store/stores';

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡', '郭'];

/** The demo's places and how many schools each has: several cities, 济源 and two directly governed counties. */
const PLACES: [string, number][] = [
  ['郑州', 8],
  ['洛阳', 4],
  ['开封', 3],
  ['南阳', 3],
  ['新乡', 3],
  ['周口', 2],
  ['商丘', 2],
  ['信阳', 2],
  ['济源示范区', 1],
  ['巩义', 1],
  ['兰考', 1],
];
const KINDS = ['职业技术学院', '职业学院', '中等职业学校', '职业高级中学'];
/** Monthly person-times by category, before variation. */
const SIZE: Record<School['category'], number> = { A: 900, B: 420, C: 240, D: 80 };

export interface DemoPeople {
  schools: School[];
  staff: StaffMember[];
}

/** A small deterministic random source, so that every demo run shows the same province. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    return x / 2_147_483_648;
  };
}

export function demoPeople(): DemoPeople {
  const schools: School[] = [];
  let n = 0;
  for (const [city, count] of PLACES) {
    for (let i = 0; i < count; i++, n++) {
      const category = (['A', 'B', 'C', 'D'] as const)[n % 4]!;
      const level = category < 'C' ? '高职' : '中职';
      const kind = KINDS[(category < 'C' ? 0 : 2) + (n % 2)]!;
      const code = `41${String(100 + n).padStart(4, '0')}`;
      // Each demo contact has a name and a phone, as schools.csv's contact_names / contact_phones give them.
      const person = { name: `${SURNAMES[n % SURNAMES.length]}老师`, phone: `1380000${String(n).padStart(4, '0')}` };
      schools.push({ code, name: `${city}第${i + 1}${kind}`, city, level, category, pilot: n % 5 === 0, contacts: [`t${code}`], people: { [`t${code}`]: person } });
    }
  }
  return {
    schools,
    staff: [
      { userId: 'sheng', name: '王主任（省职成教处）', role: 'province' },
      { userId: 'zhengzhou', name: '周科长（郑州市教育局）', role: 'city', city: '郑州' },
      { userId: 'luoyang', name: '刘科长（洛阳市教育局）', role: 'city', city: '洛阳' },
    ],
  };
}

/** A month's report that passes every rule: breakdowns summing exactly to the total. */
export function plausibleValues(form: Form, school: School, rnd: () => number, teachers: number): Record<string, number> {
  const total = Math.max(10, Math.round(SIZE[school.category] * (0.6 + rnd() * 0.8)));
  const students = Math.round(total * 0.6);
  const v: Record<string, number> = Object.fromEntries(form.cells.map((c) => [c.id, 0]));
  const split = (ids: string[], shares: number[]) => {
    let left = total;
    ids.forEach((id, i) => {
      const part = i === ids.length - 1 ? left : Math.floor(total * shares[i]!);
      v[id] = part;
      left -= part;
    });
  };
  Object.assign(v, {
    projects_fiscal: Math.ceil(total / 200),
    projects_nonfiscal: Math.ceil(total / 150),
    projects_public: 1,
    funds_received: Math.round(total * 0.012 * 10_000) / 10_000,
    hours_subsidized: 40 + Math.round(rnd() * 80),
    hours_unsubsidized: 80 + Math.round(rnd() * 200),
    trainees_students: students,
    trainees_public: total - students,
    trainees_subsidized: Math.round(total * 0.12),
    teachers_fulltime: teachers,
    students_fulltime: teachers * 18,
    trainers_internal: Math.min(teachers, 4 + Math.round(rnd() * 10)),
    trainers_external: 1 + Math.round(rnd() * 4),
  });
  split(['content_skills', 'content_theory', 'content_induction'], [0.6, 0.25]);
  split(['mode_onsite', 'mode_online', 'mode_blended'], [0.6, 0.2]);
  split(['industry_c', 'industry_e', 'industry_p'], [0.5, 0.2]);
  split(['group_employees', 'group_migrant', 'group_poor', 'group_other'], [0.3, 0.2, 0.05]);
  return v;
}

/**
 * Fills a store with the demo province: the roster and staff, reports for January–September of
 * 2026 for every school, and October under way (some filed, some drafting, some not started).
 */
export async function seedDemo(stores: Pick<Stores, 'roster' | 'records' | 'markers'>, form: Form, now: Date): Promise<DemoPeople> {
  const people = demoPeople();
  const rnd = random(20_260_101);
  await stores.roster.replaceSchools(people.schools);
  await stores.roster.replaceStaff(people.staff);
  // The demo's records begin with January 2026: as if its roster came while January was being filed.
  await stores.markers.startCalendar(Date.parse('2026-02-01T00:00:00+08:00'));
  const at = now.getTime();
  // Filed on a working morning or afternoon early in the following month (Beijing time), never after now.
  const filedAt = (month: number, lastDay: number) => Math.min(at, Date.UTC(2026, month, 1 + Math.floor(rnd() * lastDay), Math.floor(rnd() * 9), Math.floor(rnd() * 60)));
  for (const [i, school] of people.schools.entries()) {
    const teachers = 60 + Math.round(rnd() * 300);
    const reports: Report[] = [];
    for (let month = 1; month <= 9; month++) {
      const period = `2026-${String(month).padStart(2, '0')}`;
      const values = plausibleValues(form, school, rnd, teachers);
      const when = filedAt(month, 9);
      const report: Report = { v: 1, form: form.version, school: school.code, period, status: 'filed', values, submittedBy: school.contacts[0]!, submittedAt: when, firstSubmittedAt: when, acceptedWarnings: [], zero: false };
      reports.push(report);
      await stores.records.commit({ code: school.code, period, expectedRev: 0, report, history: [], status: 'filed', ytd: yearToDate(reports, 2026) });
    }
    // October: a third filed, a quarter drafting, the rest not started.
    if (i % 3 === 0) {
      const when = filedAt(10, 4);
      const report: Report = { v: 1, form: form.version, school: school.code, period: '2026-10', status: 'filed', values: plausibleValues(form, school, rnd, teachers), submittedBy: school.contacts[0]!, submittedAt: when, firstSubmittedAt: when, acceptedWarnings: [], zero: false };
      reports.push(report);
      await stores.records.commit({ code: school.code, period: '2026-10', expectedRev: 0, report, history: [], status: 'filed', ytd: yearToDate(reports, 2026) });
    } else if (i % 4 === 1) {
      const values = plausibleValues(form, school, rnd, teachers);
      const partial = Object.fromEntries(form.cells.slice(0, 11 + (i % 7)).map((c) => [c.id, values[c.id]!]));
      const started = filedAt(10, 4);
      const draft: Draft = { v: 1, form: form.version, values: partial, startedBy: school.contacts[0]!, startedAt: started, updatedBy: school.contacts[0]!, updatedAt: started, zero: false };
      await stores.records.commit({ code: school.code, period: '2026-10', expectedRev: 0, draft, history: [], status: 'drafting' });
    }
  }
  return people;
}
