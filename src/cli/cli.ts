import 'dotenv/config';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/config';
import { appMenu } from '../wecom/app-menu';
import { configCheck } from './config-check';
import { cliContext } from './context';
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { importRoster, refreshNames } from './roster-command';
import { exportReport } from './export-command';
import { runJob } from './jobs-command';
import { DashboardLinks } from '../dashboard/dashboard-link';
import { WeComSender } from '../wecom/sender';
import { TILE_TEMPLATE } from '../conversation/workbench';
import { loadTargets } from '../targets/targets';
import { loadSchedule } from '../calendar/schedule';
import { WorkCalendar } from '../calendar/work-calendar';
import { pino } from 'pino';
import { loadForm } from '../conversation/form';
import monthlyReport from '../../conversations/monthly-report';
import { systemClock } from '../clock/clock';
import { OutboxWorker } from '../delivery/worker';
import { followUpHandlers } from '../dispatch/follow-ups';
import { outboxRetry, outboxStatus } from './outbox-command';
import { reindex } from './reindex-command';
import { auditLog, schoolHistory } from './log-commands';
import { currentWindow, parsePeriod } from '../calendar/period';
import type { Config } from '../config/config';
import type { CliContext } from './context';

/** Operator output: one line at a time, on stdout. */
const print = (line: string): void => void process.stdout.write(`${line}\n`);

/** Runs a command over the stores, WeCom client and clock, closing them however it ends; its result is the exit code. */
async function withContext(config: Config, run: (ctx: CliContext) => Promise<number>): Promise<void> {
  const ctx = cliContext(config);
  try {
    await ctx.open();
    process.exitCode = await run(ctx);
  } finally {
    await ctx.close();
  }
}

const program = new Command();
program.name('yuebao').description('月报 operator commands').showHelpAfterError();

const config = program.command('config').description('configuration');
config
  .command('check')
  .description('validate the environment, reach Redis, fetch an access token')
  .action(async () => {
    const ok = await configCheck(process.env, print);
    process.exitCode = ok ? 0 : 1;
  });

const rosterCommands: Record<string, Command> = {};
for (const [name, kind, file] of [['roster', 'schools', 'schools.csv'], ['staff', 'staff', 'staff.csv']] as const) {
  rosterCommands[name] = program.command(name).description(kind === 'schools' ? 'the schools and their contacts' : 'city and provincial staff');
  rosterCommands[name]
    .command('import')
    .argument('<file>', `${file} (UTF-8 CSV) or the same columns as .xlsx`)
    .option('--dry-run', 'check the file and print what would change, without changing anything')
    .option('--by <name>', 'who runs the import, for the audit log', userInfo().username)
    .option('--offline', 'do not check the UserIDs against WeCom (读取成员)')
    .option('--strict', 'reject the file when WeCom cannot read a UserID (default: list it as a warning)')
    .action(async (fileName: string, opts: { dryRun?: boolean; by: string; offline?: boolean; strict?: boolean }) => {
      await withContext(loadConfig(), async (ctx) =>
        importRoster(ctx.stores, kind, fileName, await readFile(fileName), { dryRun: opts.dryRun === true, by: opts.by, now: ctx.clock.now(), ...(opts.offline ? { offline: true } : { check: { client: ctx.client, strict: opts.strict === true } }) }, print),
      );
    });
}

rosterCommands.roster!
  .command('names')
  .description('read from WeCom (读取成员) the names of contacts and staff whose roster line has none')
  .option('--all', 'read everyone again, however recent their kept name')
  .action(async (opts: { all?: boolean }) => {
    await withContext(loadConfig(), (ctx) => refreshNames(ctx, opts.all === true, print));
  });

program
  .command('report')
  .description('the monthly reports')
  .command('export')
  .description('one row per school for a period, in the form’s layout, with a totals row')
  .requiredOption('--period <YYYY-MM>', 'the reporting period, e.g. 2026-10')
  .option('--format <csv|xlsx>', 'file format', 'xlsx')
  .requiredOption('--out <file>', 'where to write')
  .option('--by <name>', 'who runs the export, for the audit log', userInfo().username)
  .action(async (opts: { period: string; format: string; out: string; by: string }) => {
    const config = loadConfig();
    await withContext(config, async (ctx) => {
      const cal = { timezone: config.timezone, dueDay: config.dueDay };
      return exportReport(ctx.stores, loadForm(monthlyReport), cal, { ...opts, now: ctx.clock.now(), targets: loadTargets(config.targetsFile), ...(config.firstPeriod ? { firstPeriod: config.firstPeriod } : {}) }, print);
    });
  });

program
  .command('jobs')
  .description('scheduled work')
  .command('run')
  .argument('<job>', 'nudge, close, notice, digest (or open)')
  .option('--at <ISO-8601>', 'run as if the clock said this instant (default: now)')
  .option('--dry-run', 'print who would get what, and send and write nothing')
  .action(async (job: string, opts: { at?: string; dryRun?: boolean }) => {
    const config = loadConfig();
    if (opts.at !== undefined && Number.isNaN(new Date(opts.at).getTime())) {
      process.stdout.write(`--at「${opts.at}」不是 ISO-8601 时间，如 2026-11-11T00:05:00+08:00。\n`);
      process.exitCode = 1;
      return;
    }
    await withContext(config, async (ctx) => {
      const at = opts.at ? new Date(opts.at) : ctx.clock.now();
      return runJob(job, jobParts(config, ctx, print), { at, dryRun: opts.dryRun === true }, print);
    });
  });

/** The jobs' parts in the CLI, with an outbox worker of its own: a run delivers what it writes, beside any server. */
function jobParts(config: Config, ctx: CliContext, warn: (line: string) => void) {
  const form = loadForm(monthlyReport);
  const cal = { timezone: config.timezone, dueDay: config.dueDay };
  const schedule = loadSchedule(config.scheduleFile);
  const work = new WorkCalendar((year) => warn(`注意：节假日数据没有 ${year} 年，按周一至周五计算工作日。`));
  const nudgeIntervalMs = config.nudgeIntervalHours * 3_600_000;
  const stores = ctx.stores;
  const sender = new WeComSender(ctx.client);
  const firstPeriod = config.firstPeriod ? { firstPeriod: config.firstPeriod } : {};
  const handlers = followUpHandlers({ ...stores, sender, form, cal, schedule, work, nudgeIntervalMs, ...firstPeriod, realClock: systemClock, kick: () => undefined });
  // The servers' clock (FAKE_NOW shared through the store): due times, leases and back-offs mean the same to them.
  const worker = new OutboxWorker({ outbox: stores.outbox, handlers, clock: ctx.clock, logger: pino({ level: 'silent' }) }, { leaseMs: config.outboxLeaseSeconds * 1000 });
  return { ...stores, form, cal, targets: loadTargets(config.targetsFile), schedule, work, nudgeIntervalMs, ...firstPeriod, links: DashboardLinks.fromConfig(config), worker };
}

const outbox = program.command('outbox').description('messages waiting to go out, and the ones that failed');
outbox
  .command('status')
  .description('pending (with the oldest age) and failed messages, with reasons')
  .action(async () => {
    await withContext(loadConfig(), async (ctx) => {
      return outboxStatus(ctx.stores.outbox, ctx.clock.now().getTime(), print);
    });
  });
outbox
  .command('retry')
  .argument('[id]', 'the entry to send again')
  .option('--failed', 'send every failed entry again')
  .description('put failed messages back in the queue (a running server sends them)')
  .action(async (id: string | undefined, opts: { failed?: boolean }) => {
    await withContext(loadConfig(), async (ctx) => {
      return outboxRetry(ctx.stores.outbox, { ...(id ? { id } : {}), ...(opts.failed ? { failed: true } : {}) }, ctx.clock.now().getTime(), print);
    });
  });

program
  .command('reindex')
  .description('rebuild the status index and year-to-date sums from the records, saying what changed')
  .option('--year <YYYY>', 'the year to rebuild (default: the year of the period being filed now)')
  .action(async (opts: { year?: string }) => {
    const config = loadConfig();
    const asked = opts.year === undefined ? undefined : Number(opts.year);
    if (asked !== undefined && (!Number.isInteger(asked) || asked < 2000 || asked > 2100)) {
      process.stdout.write(`--year「${opts.year}」应写成四位年份，如 2026。\n`);
      process.exitCode = 1;
      return;
    }
    await withContext(config, async (ctx) => {
      const year = asked ?? parsePeriod(currentWindow(ctx.clock.now(), { timezone: config.timezone, dueDay: config.dueDay }).period).year;
      return reindex(ctx.stores, year, print);
    });
  });

/** A `--limit` value: a whole number from 1 to 10,000, or null after saying what is wrong. */
function limitOf(raw: string): number | null {
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 1 && n <= 10_000) return n;
  process.stdout.write(`--limit「${raw}」应是 1 到 10000 之间的整数。\n`);
  process.exitCode = 1;
  return null;
}

program
  .command('audit')
  .description('the newest staff and operator actions (imports, exports, nudges, broadcasts, unlocks)')
  .option('--limit <N>', 'how many entries', '50')
  .option('--action <name>', 'only this action: roster-import, staff-import, export, nudge, broadcast, reopen')
  .action(async (opts: { limit: string; action?: string }) => {
    const limit = limitOf(opts.limit);
    if (limit === null) return;
    const config = loadConfig();
    await withContext(config, async (ctx) => {
      return auditLog(ctx.stores, { limit, timezone: config.timezone, ...(opts.action ? { action: opts.action } : {}) }, print);
    });
  });

program
  .command('history')
  .argument('<school>', 'the school code')
  .description('a school’s submissions, cell changes, unlocks and zero reports, newest last')
  .option('--limit <N>', 'how many entries', '50')
  .action(async (code: string, opts: { limit: string }) => {
    const limit = limitOf(opts.limit);
    if (limit === null) return;
    const config = loadConfig();
    await withContext(config, async (ctx) => {
      return schoolHistory(ctx.stores, loadForm(monthlyReport), code, { limit, timezone: config.timezone }, print);
    });
  });

const menu = program.command('menu').description('the app menu');
menu
  .command('sync')
  .description('push the app menu (填报 / 查询进度 / 帮助) to WeCom')
  .action(async () => {
    await withContext(loadConfig(), async (ctx) => {
      await ctx.client.createMenu(appMenu);
      process.stdout.write(`menu pushed to agent ${ctx.config.wecom.agentId}: ${appMenu.button.map((b) => b.name).join(' / ')}\n`);
      if (ctx.config.workbench) {
        await new WeComSender(ctx.client).setWorkbenchTemplate(TILE_TEMPLATE);
        process.stdout.write(`workbench template set (keydata: ${TILE_TEMPLATE.map((i) => i.key).join(' / ')})\n`);
      }
      return 0;
    });
  });

program.parseAsync().catch((error: unknown) => {
  // Operator errors get their message, not a stack trace.
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
