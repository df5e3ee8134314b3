import { answeredCount } from '../conversation/report-texts';
import { daysLeft, dueDateLabel, periodLabel, windowFor } from '../report/period';
import { draftSchema, filedAmong } from '../report/records';
import { schoolSchema, type School } from '../roster/roster';
import type { Fire } from '../schedule/schedule';
import type { SendReport } from '../wecom/sender';
import { JobRefused, type JobDeps, type JobSummary } from './close-job';
import { sendOnce } from './send-once';

/** Nudge markers outlive the period's window. */
const NUDGE_MARKER_MS = 60 * 24 * 3_600_000;

/**
 * A deadline nudge (days 5, 8 and 10 by default): every school that still owes the period's report
 * is reminded; one with a draft is told where it stands, never asked to restart. Each (period,
 * stage, school) is marked before it is sent, so re-runs and other instances send nothing twice.
 */
export async function runNudge(deps: JobDeps, fire: Fire, dryRun: boolean): Promise<JobSummary> {
  const { store, cal, now, print, form } = deps;
  const window = windowFor(fire.period, cal);
  if (now < window.opensAt || now >= window.closesAt) throw new JobRefused(`${periodLabel(fire.period)}月报现在不在填报期内，不发催报。`);
  const owing = (await store.owingSchools(fire.period, {})).sort();
  const [schools, drafts, reports] = await Promise.all([store.getSchools(owing), store.readDrafts(fire.period, owing), store.readReports(fire.period, owing)]);
  // The index is written just after a school's records: one that filed in that gap (a crash
  // between the two) is not nudged, and the index is put right.
  const filed = await repairIndex(deps, fire.period, owing, reports);
  const empty: SendReport = { sent: [], invalidUsers: [], unlicensedUsers: [], failed: [], msgIds: [] };
  const left = daysLeft(now, window, cal);
  const due = dueDateLabel(window, cal);
  // The last call may fall the day before the due day (a due day on a holiday moves it): say which.
  const when = left <= 1 ? `今天（${due}）截止` : left === 2 ? `明天（${due}）截止` : `${due}截止，还有 ${left} 天`;
  const holiday = fire.dueDayIsHoliday ? `${due}是休息日，请提前提交。` : '';
  const messages = owing.flatMap((code, i) => {
    if (!schools[i] || filed.has(code)) return [];
    const school: School = schoolSchema.parse(JSON.parse(schools[i]!));
    const draft = drafts[i] ? draftSchema.parse(JSON.parse(drafts[i]!)) : null;
    const where = draft ? `已完成 ${answeredCount(form, draft.values)}/${form.cells.length}，回复「继续」接着填` : '还没有开始，回复「填报」开始';
    return [{ key: code, users: school.contacts, text: `【月报提醒】${school.name}：${periodLabel(fire.period)}培训月报${where}。${when}。${holiday}`, school }];
  });
  if (messages.length === 0) {
    print(`催报 ${periodLabel(fire.period)}（${fire.stage}）：所有学校都已提交，无事可做。`);
    return { due: 0, done: 0, already: 0, report: empty };
  }
  if (dryRun || deps.sender === null) {
    print(`（试运行）催报 ${periodLabel(fire.period)}（${fire.stage}）：${messages.length} 所学校：`);
    for (const m of messages) print(`  ${m.key} → ${m.users.length ? m.users.join('、') : '（无填报人）'}：${m.text}`);
    return { due: messages.length, done: 0, already: 0, report: empty };
  }
  print(`催报 ${periodLabel(fire.period)}（${fire.stage}）：${messages.length} 所学校，发送中…`);
  const result = await sendOnce(store, deps.sender!, `nudge-job:${fire.period}:${fire.stage}`, messages, NUDGE_MARKER_MS, (n, total) => deps.print(`催报 ${periodLabel(fire.period)}（${fire.stage}）：已发送 ${n}/${total}`));
  return { due: messages.length, done: result.sent, already: result.skipped, report: result.report };
}

/** Codes the index calls owing whose records hold a filed report; their index entries are corrected. */
async function repairIndex(deps: JobDeps, period: string, codes: readonly string[], reports: readonly (string | null)[]): Promise<Set<string>> {
  const filed = filedAmong(codes, reports);
  for (const [code, status] of filed) await deps.store.setSchoolStatus(period, code, status);
  if (filed.size > 0) deps.print(`催报 ${periodLabel(period)}：${filed.size} 所学校已提交但索引未更新，已更正，不催。`);
  return new Set(filed.keys());
}
