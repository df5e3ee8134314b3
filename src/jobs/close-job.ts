import pLimit from 'p-limit';
import { dueDateLabel, periodLabel, windowFor } from '../calendar/period';
import type { HistoryEntry, Report } from '../report/records';
import type { School } from '../roster/roster';
import { unlockContact } from '../roster/places';
import { owingSchools } from '../queries/period-queries';
import { nextSendingTime, type Fire } from '../calendar/schedule';
import { textMessages } from '../wecom/sender';
import { JobRefused, messageEntry, nothingToDo, type JobDeps, type JobSummary } from './job-deps';

const CONCURRENCY = 8;

/**
 * The close, right after the window: every school that has not filed gets 零申报(未报) for the period
 * (its draft, if any, is kept), and — in the same step — the notice to its contacts, due at the
 * first sending time (after quiet hours). Safe to re-run and to run on several instances: the zero
 * report, and with it the notice, is only written where no report exists.
 */
export async function runClose(deps: JobDeps, fire: Fire, dryRun: boolean): Promise<JobSummary> {
  const { records, cal, now, print } = deps;
  const window = windowFor(fire.period, cal);
  if (now < window.closesAt) throw new JobRefused(`${periodLabel(fire.period)}月报的填报期到 ${dueDateLabel(window, cal)}结束，现在还不能关账。`);
  const codes = (await owingSchools(deps, fire.period, {})).sort();
  const schools = (await deps.roster.schools(codes)).filter((s): s is School => s !== null);
  if (schools.length === 0) {
    print(`关账 ${periodLabel(fire.period)}：所有学校都已提交，无事可做。`);
    return nothingToDo();
  }
  const text = (s: School) =>
    `【月报】${s.name}：${periodLabel(fire.period)}培训月报已于 ${dueDateLabel(window, cal)}截止，贵校未提交，按规定记为零申报（未报）。如需补报，请联系${unlockContact(s.city)}解锁。`;
  if (dryRun) {
    print(`（试运行）关账 ${periodLabel(fire.period)}：将有 ${schools.length} 所学校记为零申报（未报）：`);
    for (const s of schools) print(`  ${s.code} ${s.name}（${s.city}）→ 通知 ${s.contacts.length ? s.contacts.join('、') : '（无填报人）'}`);
    if (schools[0]) print(`  通知内容：${text(schools[0])}`);
    return { ...nothingToDo(), due: schools.length };
  }
  const sendAt = nextSendingTime(now, deps.schedule, cal).getTime();
  const at = now.getTime();
  const zero = (school: School): Report => ({
    v: 1,
    form: deps.form.version,
    school: school.code,
    period: fire.period,
    status: 'defaulted',
    values: Object.fromEntries(deps.form.cells.map((c) => [c.id, 0])),
    submittedBy: null,
    submittedAt: at,
    firstSubmittedAt: at,
    acceptedWarnings: [],
    zero: true,
  });
  const history: HistoryEntry = { type: 'default', period: fire.period, by: 'system', at, cells: [], status: 'defaulted' };
  const limit = pLimit(CONCURRENCY);
  let recorded = 0;
  let seen = 0;
  const step = Math.max(1, Math.ceil(schools.length / 10));
  await Promise.all(
    schools.map((school) =>
      limit(async () => {
        const notice = school.contacts.length > 0 ? messageEntry(`close:${fire.period}:${school.code}`, school.contacts, textMessages(text(school)), sendAt) : null;
        if (await records.recordDefault(school.code, fire.period, zero(school), history, notice, at)) recorded++;
        if (++seen % step === 0 || seen === schools.length) print(`关账 ${periodLabel(fire.period)}：${seen}/${schools.length}`);
      }),
    ),
  );
  const entries = schools.filter((s) => s.contacts.length > 0).map((s) => ({ owner: s.code, id: `close:${fire.period}:${s.code}` }));
  return { due: schools.length, queued: recorded, already: schools.length - recorded, recorded, entries };
}
