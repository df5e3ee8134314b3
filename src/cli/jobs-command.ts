import { sleep } from '../clock/clock';
import { summarize } from '../delivery/delivery-report';
import type { EntryRef } from '../outbox/entry';
import { periodLabel, timeLabel } from '../calendar/period';
import { RUNNERS, runFire } from '../jobs/fire-runner';
import { JobRefused, type JobDeps, type JobRunParts } from '../jobs/job-deps';
import { closesDue, deploymentStart } from '../calendar/deployment';
import { inQuietHours, latestFire, stageLabel, type Fire, type JobName } from '../calendar/schedule';

const JOBS: JobName[] = ['nudge', 'close', 'notice', 'digest', 'open'];
const NAMES: Record<JobName, string> = { open: '开始填报', nudge: '催报', close: '关账', notice: '目标进度', digest: '工作人员日报' };


/**
 * `jobs run <job> [--at ISO] [--dry-run]`: the job as the scheduler would run it at that instant —
 * under the same lease and done mark — then its messages delivered (this process delivers too),
 * and a summary of what WeCom actually accepted. Returns the exit code.
 */
export async function runJob(job: string, parts: JobRunParts, options: { at: Date; dryRun: boolean; waitMs?: number }, print: (line: string) => void): Promise<number> {
  if (!JOBS.includes(job as JobName)) {
    print(`没有「${job}」这个任务。可用：${JOBS.join('、')}。`);
    return 2;
  }
  const name = job as JobName;
  const { schedule, cal } = parts;
  const latest = latestFire(name, options.at, schedule, cal, parts.work);
  if (!latest) {
    print(`${options.at.toISOString()} 之前没有要运行的 ${job}。`);
    return 1;
  }
  // As the scheduler does: every month past its close and not closed yet, oldest first (else the latest close again).
  const fires = name === 'close' && !options.dryRun ? await pendingCloses(parts, options.at) : [];
  let code = 0;
  for (const fire of fires.length > 0 ? fires : [latest]) code = Math.max(code, await runOne(parts, fire, options, print));
  return code;
}

async function pendingCloses(parts: JobRunParts, at: Date): Promise<Fire[]> {
  const calendar = await parts.markers.readCalendar();
  return closesDue(at, deploymentStart(parts.firstPeriod, calendar.startedAt, parts.cal), new Set(calendar.closed), parts.schedule, parts.cal, parts.work);
}

async function runOne(parts: JobRunParts, fire: Fire, options: { at: Date; dryRun: boolean; waitMs?: number }, print: (line: string) => void): Promise<number> {
  const { schedule, cal } = parts;
  const name = fire.job;
  const deps: JobDeps = { ...parts, now: options.at, print };
  const label = `${NAMES[name]} ${periodLabel(fire.period)}${fire.stage.startsWith('day-') ? `（${stageLabel(fire.stage)}）` : ''}`;
  if (options.dryRun) {
    try {
      await RUNNERS[name](deps, fire, true);
      return 0;
    } catch (error) {
      if (error instanceof JobRefused) return refused(print, error.message);
      throw error;
    }
  }
  // As the scheduler would: nothing but the close runs in quiet hours (its notices wait).
  if (inQuietHours(options.at, schedule, cal)) {
    if (name !== 'close') {
      print(`现在是静默时段（${schedule.quietHours.from}–${schedule.quietHours.until}），不发送；${NAMES[name] ?? name}将在 ${schedule.quietHours.resume} 后运行。`);
      return 1;
    }
    print(`现在是静默时段：只记录零申报，通知在 ${schedule.quietHours.resume} 发出。`);
  }
  const outcome = await runFire(deps, fire, { skipIfDone: false });
  if (outcome.kind === 'busy') {
    print(`${label}正在由另一个实例运行，请稍后再看结果（npm run cli -- outbox status）。`);
    return 1;
  }
  if (outcome.kind === 'refused') return refused(print, outcome.reason);
  if (outcome.kind !== 'ran') return 0;
  const s = outcome.summary;
  if (s.due === 0) return 0;
  print(s.recorded !== undefined ? `${label}：新记零申报 ${s.recorded} 所，之前已记 ${s.due - s.recorded} 所。` : `${label}：新写入发件箱 ${s.queued} 条，之前已写入 ${s.already} 条。`);
  await followDelivery(parts, s.entries, label, options.waitMs ?? 10 * 60_000, print);
  return 0;
}

function refused(print: (line: string) => void, reason: string): number {
  print(reason);
  return 1;
}

/**
 * Delivers (with this process's worker, beside any server's) and reports what the outbox
 * recorded: sent, invalid, failed — and what is waiting for later (quiet hours, per-member limits).
 */
async function followDelivery(parts: JobRunParts, refs: EntryRef[], label: string, waitMs: number, print: (line: string) => void): Promise<void> {
  const deadline = Date.now() + waitMs;
  let shown = -1;
  for (;;) {
    await parts.worker.runEntries(refs);
    const entries = await parts.outbox.get(refs);
    const summary = summarize(entries);
    const now = parts.worker.clock.now().getTime();
    const later = entries.filter((e) => e !== null && e.state === 'pending' && e.due > now + 5_000);
    if (summary.done !== shown && summary.pending > 0) {
      shown = summary.done;
      print(`${label}：已处理 ${summary.done}/${refs.length}`);
    }
    if (summary.pending === later.length || Date.now() >= deadline) {
      const waiting = summary.pending > 0 ? `；待发 ${summary.pending} 条${later.length ? `（最早 ${timeLabel(new Date(Math.min(...later.map((e) => e!.due))), parts.cal)} 发出）` : ''}` : '';
      print(`${label}完成：送达 ${summary.reached.length} 人，无效账号 ${summary.invalid.length}，失败 ${summary.failed.length}${waiting}。`);
      if (summary.failed.length > 0) print(`失败原因：${summary.failed[0]!.reason}。修好后可运行 npm run cli -- outbox retry --failed。`);
      return;
    }
    await sleep(500);
  }
}
