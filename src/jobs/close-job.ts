import type { DashboardLinks } from '../dashboard/dashboard-link';
import pLimit from 'p-limit';
import type { Form } from '../conversation/form';
import { dueDateLabel, periodLabel, windowFor, type PeriodCalendar } from '../report/period';
import { reportSchema, type Report } from '../report/records';
import { schoolSchema, type School } from '../roster/roster';
import type { Fire } from '../schedule/schedule';
import type { Store } from '../store/store';
import type { Targets } from '../targets/targets';
import type { SendReport, WeComSender } from '../wecom/sender';
import { sendOnce } from './send-once';

export interface JobDeps {
  store: Store;
  targets: Targets;
  /** Null on a dry run: nothing is sent. */
  sender: WeComSender | null;
  form: Form;
  cal: PeriodCalendar;
  now: Date;
  print: (line: string) => void;
  /** Dashboard links for the staff digest's card; none when no public base URL is configured. */
  links?: DashboardLinks | null;
}

export interface JobSummary {
  /** Schools the run found to act on. */
  due: number;
  /** Acted on by this run. */
  done: number;
  /** Already done by an earlier run (or another instance). */
  already: number;
  report: SendReport;
}

export class JobRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobRefused';
  }
}

/** Close markers outlive any re-run of the period's close. */
const CLOSE_MARKER_MS = 120 * 24 * 3_600_000;
const CONCURRENCY = 8;

/**
 * The close, right after the window: every school that has not filed gets 零申报(未报) for the period
 * (its draft, if any, is kept), and its contacts are told once. Safe to re-run and to run on several
 * instances: the zero report is only written where none exists, and each message is marked before
 * it is sent.
 */
export async function runClose(deps: JobDeps, fire: Fire, dryRun: boolean): Promise<JobSummary> {
  const { store, cal, now, print } = deps;
  const window = windowFor(fire.period, cal);
  if (now < window.closesAt) throw new JobRefused(`${periodLabel(fire.period)}月报的填报期到 ${dueDateLabel(window, cal)}结束，现在还不能关账。`);
  const codes = (await store.owingSchools(fire.period, {})).sort();
  const schools = (await store.getSchools(codes)).flatMap((json) => (json ? [schoolSchema.parse(JSON.parse(json))] : []));
  const empty: SendReport = { sent: [], invalidUsers: [], unlicensedUsers: [], failed: [], msgIds: [] };
  if (schools.length === 0) {
    print(`关账 ${periodLabel(fire.period)}：所有学校都已提交，无事可做。`);
    return { due: 0, done: 0, already: 0, report: empty };
  }
  const text = (s: School) =>
    `【月报】${s.name}：${periodLabel(fire.period)}培训月报已于 ${dueDateLabel(window, cal)}截止，贵校未提交，按规定记为零申报（未报）。如需补报，请联系市教育局或省教育厅职成教处解锁。`;
  if (dryRun) {
    print(`（试运行）关账 ${periodLabel(fire.period)}：将有 ${schools.length} 所学校记为零申报（未报）：`);
    for (const s of schools) print(`  ${s.code} ${s.name}（${s.city}）→ 通知 ${s.contacts.length ? s.contacts.join('、') : '（无填报人）'}`);
    if (schools[0]) print(`  通知内容：${text(schools[0])}`);
    return { due: schools.length, done: 0, already: 0, report: empty };
  }

  const limit = pLimit(CONCURRENCY);
  let done = 0;
  let already = 0;
  let seen = 0;
  const step = Math.max(1, Math.ceil(schools.length / 10));
  const zero = (school: School): Report => ({
    v: 1,
    school: school.code,
    period: fire.period,
    status: 'defaulted',
    values: Object.fromEntries(deps.form.cells.map((c) => [c.id, 0])),
    submittedBy: null,
    submittedAt: now.getTime(),
    firstSubmittedAt: now.getTime(),
    acceptedWarnings: [],
    zero: true,
  });
  await Promise.all(
    schools.map((school) =>
      limit(async () => {
        const history = { type: 'default', period: fire.period, by: 'system', at: String(now.getTime()), cells: '[]', status: 'defaulted' };
        if (await store.recordDefault(school.code, fire.period, JSON.stringify(zero(school)), history)) {
          done++;
          await store.setSchoolStatus(fire.period, school.code, 'defaulted');
        } else {
          // Recorded before (a re-run), or filed after the index was read: let the index say what the record says.
          already++;
          const raw = (await store.readReports(fire.period, [school.code]))[0];
          if (raw) await store.setSchoolStatus(fire.period, school.code, reportSchema.parse(JSON.parse(raw)).status);
        }
        if (++seen % step === 0 || seen === schools.length) print(`关账 ${periodLabel(fire.period)}：${seen}/${schools.length}`);
      }),
    ),
  );

  const told = deps.sender ? await sendOnce(store, deps.sender, `close:${fire.period}`, schools.map((s) => ({ key: s.code, users: s.contacts, text: text(s) })), CLOSE_MARKER_MS, (n, total) => deps.print(`关账 ${periodLabel(fire.period)}：已通知 ${n}/${total}`)) : null;
  return { due: schools.length, done, already, report: told?.report ?? empty };
}
