import { staffProgressText, stepStaff } from '../conversation/staff-step';
import { StaffQueries } from '../queries/staff-queries';
import { dashboardCard } from '../dashboard/dashboard-link';
import { periodLabel } from '../calendar/period';
import type { Fire } from '../calendar/schedule';
import { cardMessage, textMessages } from '../wecom/sender';
import { enqueueEach, messageEntry, nothingToDo, type JobDeps, type JobSummary } from './job-deps';

/**
 * The staff digest (days 5, 8, 11): each staff member, for their scope, the filing rate and the
 * year against target (as 进度 says it), then the schools still owing — or, after the close, the
 * ones recorded as 零申报 and how a school gets its month reopened (as 未报 says it) — followed by
 * the dashboard card when links are configured; text and card are one entry, sent in order.
 */
export async function runDigest(deps: JobDeps, fire: Fire, dryRun: boolean): Promise<JobSummary> {
  const { cal, now } = deps;
  const queries = new StaffQueries(deps);
  const staff = Object.values((await deps.roster.read()).staff);
  const label = `工作人员日报 ${periodLabel(fire.period)}`;
  if (staff.length === 0) {
    deps.print(`${label}：没有登记的工作人员，无事可做。`);
    return nothingToDo();
  }
  const items = [];
  for (const member of staff) {
    const progress = staffProgressText(await queries.context(member, { kind: 'progress' }, { now, period: fire.period }), cal, now, { hint: false });
    const owing = stepStaff(await queries.context(member, { kind: 'owing', filter: {}, page: 1 }, { now, period: fire.period }), cal, now).text;
    const card = dashboardCard(deps.links, member, fire.period, now, cal);
    const messages = [...textMessages(`【月报日报】\n${progress}\n\n${owing}`), ...(card ? [cardMessage(card)] : [])];
    items.push({ owner: member.userId, entry: messageEntry(`digest:${fire.period}:${fire.stage}:${member.userId}`, [member.userId], messages, now.getTime()) });
  }
  if (dryRun) {
    deps.print(`（试运行）${label}：${items.length} 人：`);
    for (const item of items) deps.print(`  → ${item.owner}：${item.entry.payload.kind === 'message' && item.entry.payload.messages[0]?.msgtype === 'text' ? item.entry.payload.messages[0].text.content.split('\n')[1] : ''}`);
    return { ...nothingToDo(), due: items.length };
  }
  deps.print(`${label}：${items.length} 人，写入发件箱…`);
  return enqueueEach(deps, items);
}
