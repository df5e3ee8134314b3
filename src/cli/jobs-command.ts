import type { DashboardLinks } from '../dashboard/dashboard-link';
import { periodLabel, type PeriodCalendar } from '../report/period';
import type { Form } from '../conversation/form';
import { JobRefused, runClose } from '../jobs/close-job';
import { runNudge } from '../jobs/nudge-job';
import { runNotice, runOpen } from '../jobs/school-notices';
import { runDigest } from '../jobs/digest-job';
import type { Targets } from '../targets/targets';
import { DEFAULT_SCHEDULE, inQuietHours, latestFire, type JobName, type Schedule } from '../schedule/schedule';
import { WorkCalendar } from '../schedule/work-calendar';
import type { Store } from '../store/store';
import type { WeComSender } from '../wecom/sender';

const JOBS: JobName[] = ['nudge', 'close', 'notice', 'digest', 'open'];
const RUNNERS = { open: runOpen, nudge: runNudge, notice: runNotice, digest: runDigest } as const;
const NAMES: Record<keyof typeof RUNNERS, string> = { open: '开始填报', nudge: '催报', notice: '目标进度', digest: '工作人员日报' };

/** `jobs run <job> [--at ISO] [--dry-run]`: the job as the scheduler would run it at that instant. */
export async function runJob(
  job: string,
  deps: { store: Store; sender: WeComSender; form: Form; cal: PeriodCalendar; targets: Targets; schedule?: Schedule; links?: DashboardLinks | null },
  options: { at: Date; dryRun: boolean },
  print: (line: string) => void,
): Promise<number> {
  if (!JOBS.includes(job as JobName)) {
    print(`没有「${job}」这个任务。可用：${JOBS.join('、')}。`);
    return 2;
  }
  const schedule = deps.schedule ?? DEFAULT_SCHEDULE;
  const work = new WorkCalendar((year) => print(`注意：节假日数据没有 ${year} 年，按周一至周五计算工作日。`));
  const fire = latestFire(job as JobName, options.at, schedule, deps.cal, work);
  if (!fire) {
    print(`${options.at.toISOString()} 之前没有要运行的 ${job}。`);
    return 1;
  }
  // As the scheduler would: nothing is sent in quiet hours (the close still records).
  const quiet = inQuietHours(options.at, schedule, deps.cal);
  if (quiet && !options.dryRun) {
    if (job !== 'close') {
      print(`现在是静默时段（${schedule.quietHours.from}–${schedule.quietHours.until}），不发送；${job} 将在 ${schedule.quietHours.resume} 后运行。`);
      return 1;
    }
    print(`现在是静默时段：只记录零申报，通知在 ${schedule.quietHours.resume} 发出。`);
  }
  const jobDeps = { ...deps, sender: options.dryRun || quiet ? null : deps.sender, now: options.at, print };
  try {
    if (job !== 'close') {
      const summary = await RUNNERS[job as keyof typeof RUNNERS](jobDeps, fire, options.dryRun);
      const r = summary.report;
      if (!options.dryRun && !quiet && summary.due > 0) {
        print(`${NAMES[job as keyof typeof RUNNERS]} ${periodLabel(fire.period)}（${fire.stage}）完成：发送 ${summary.done} 条，之前已发 ${summary.already} 条；送达 ${r.sent.length} 人，无效账号 ${r.invalidUsers.length + r.unlicensedUsers.length}，失败 ${r.failed.length}。`);
      }
      return 0;
    }
    const summary = await runClose(jobDeps, fire, options.dryRun);
    if (!options.dryRun && summary.due > 0) {
      const r = summary.report;
      const told = r.sent.length + r.invalidUsers.length + r.unlicensedUsers.length + r.failed.length;
      if (summary.done === 0 && told === 0) {
        print(`关账 ${periodLabel(fire.period)}：之前已全部完成（零申报 ${summary.already} 所，均已通知），无事可做。`);
        return 0;
      }
      print(
        `关账 ${periodLabel(fire.period)}完成：新记零申报 ${summary.done} 所，之前已记 ${summary.already} 所；通知送达 ${r.sent.length} 人，无效账号 ${r.invalidUsers.length + r.unlicensedUsers.length}，失败 ${r.failed.length}。`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof JobRefused) {
      print(error.message);
      return 1;
    }
    throw error;
  }
}
