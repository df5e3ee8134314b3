import { stepStaff, type StaffMember } from '../conversation/staff-step';
import { loadStaff } from '../dispatch/staff-load';
import { dashboardCard } from '../dashboard/dashboard-link';
import { periodLabel, windowFor } from '../report/period';
import type { Fire } from '../schedule/schedule';
import type { SendReport } from '../wecom/sender';
import type { JobDeps, JobSummary } from './close-job';
import { sendOnce } from './send-once';

const MARKER_MS = 120 * 24 * 3_600_000;

/**
 * The staff digest (days 5, 8, 11): each staff member, for their scope, the filing rate and the
 * year against target (as 进度 says it), then the schools still owing — or, after the close, the
 * ones recorded as 零申报 (as 未报 says it) — followed by the dashboard card when links are configured.
 */
export async function runDigest(deps: JobDeps, fire: Fire, dryRun: boolean): Promise<JobSummary> {
  const { store, cal, now } = deps;
  const window = windowFor(fire.period, cal);
  const staff = Object.values((await store.readRoster()).staff).map((json) => JSON.parse(json) as StaffMember);
  const messages = [];
  for (const member of staff) {
    const progress = stepStaff(await loadStaff(store, deps.targets, member, { kind: 'progress' }, window), cal, now).text;
    const owing = stepStaff(await loadStaff(store, deps.targets, member, { kind: 'owing', filter: {}, page: 1 }, window), cal, now).text;
    const card = dashboardCard(deps.links, member, fire.period, now, cal);
    messages.push({ key: member.userId, users: [member.userId], text: `【月报日报】\n${progress.split('\n').slice(0, -1).join('\n')}\n\n${owing}`, ...(card ? { card } : {}) });
  }
  const empty: SendReport = { sent: [], invalidUsers: [], unlicensedUsers: [], failed: [], msgIds: [] };
  if (messages.length === 0) {
    deps.print(`工作人员日报 ${periodLabel(fire.period)}：没有登记的工作人员，无事可做。`);
    return { due: 0, done: 0, already: 0, report: empty };
  }
  if (dryRun || deps.sender === null) {
    deps.print(`（${dryRun ? '试运行' : '静默时段，不发送'}）工作人员日报 ${periodLabel(fire.period)}：${messages.length} 人：`);
    for (const m of messages) deps.print(`  → ${m.key}：${m.text.split('\n')[1]}`);
    return { due: messages.length, done: 0, already: 0, report: empty };
  }
  const r = await sendOnce(store, deps.sender, `digest:${fire.period}:${fire.stage}`, messages, MARKER_MS, (n, total) => deps.print(`工作人员日报 ${periodLabel(fire.period)}：已发送 ${n}/${total}`));
  return { due: messages.length, done: r.sent, already: r.skipped, report: r.report };
}
