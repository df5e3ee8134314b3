import { periodLabel, windowFor } from '../calendar/period';
import { owingSchools } from '../queries/period-queries';
import { stageLabel, type Fire } from '../calendar/schedule';
import { nudgeSchools, nudgeText } from '../nudge/nudge-service';
import { JobRefused, nothingToDo, type JobDeps, type JobSummary } from './job-deps';

/**
 * A deadline nudge (days 5, 8 and 10 by default): every school that still owes the period's report
 * is reminded through the nudge service (its interval holds against staff 催报 too); a school with
 * a draft is told where it stands, never asked to restart. Each (period, stage, school) is one
 * outbox entry, so re-runs and other instances write nothing twice.
 */
export async function runNudge(deps: JobDeps, fire: Fire, dryRun: boolean): Promise<JobSummary> {
  const { roster, records, cal, now, print, form } = deps;
  const window = windowFor(fire.period, cal);
  if (now < window.opensAt || now >= window.closesAt) throw new JobRefused(`${periodLabel(fire.period)}月报现在不在填报期内，不发催报。`);
  const owing = (await owingSchools(deps, fire.period, {})).sort();
  const label = `催报 ${periodLabel(fire.period)}（${stageLabel(fire.stage)}）`;
  if (owing.length === 0) {
    print(`${label}：所有学校都已提交，无事可做。`);
    return nothingToDo();
  }
  if (dryRun) {
    const [schools, drafts] = await Promise.all([roster.schools(owing), records.drafts(fire.period, owing)]);
    print(`（试运行）${label}：${owing.length} 所学校：`);
    owing.forEach((code, i) => {
      const school = schools[i];
      if (!school) return;
      const draft = drafts[i] ?? null;
      print(`  ${code} → ${school.contacts.length ? school.contacts.join('、') : '（无填报人）'}：${nudgeText(form, cal, deps.work, school, fire.period, draft, now)}`);
    });
    return { ...nothingToDo(), due: owing.length };
  }
  print(`${label}：${owing.length} 所学校，写入发件箱…`);
  const run = await nudgeSchools(
    { roster, records, form, cal, work: deps.work, intervalMs: deps.nudgeIntervalMs },
    { period: fire.period, codes: owing, sendAt: now.getTime(), now: now.getTime(), idOf: (code) => `nudge:${fire.period}:${fire.stage}:${code}` },
  );
  if (run.recent.length) print(`${label}：${run.recent.length} 所学校在 ${Math.round(deps.nudgeIntervalMs / 3_600_000)} 小时内已被提醒过，这次不再提醒。`);
  if (run.noContacts.length) print(`${label}：${run.noContacts.length} 所学校没有登记填报人。`);
  return { due: run.queued.length, queued: run.fresh, already: run.queued.length - run.fresh, entries: run.queued };
}
