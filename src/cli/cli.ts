import 'dotenv/config';
import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/config';
import { appMenu } from '../wecom/app-menu';
import { configCheck } from './config-check';
import { cliContext } from './context';

const program = new Command();
program.name('yuebao').description('月报 operator commands').showHelpAfterError();

const config = program.command('config').description('configuration');
config
  .command('check')
  .description('validate the environment, reach Redis, fetch an access token')
  .action(async () => {
    const ok = await configCheck(process.env, (line) => process.stdout.write(`${line}\n`));
    process.exitCode = ok ? 0 : 1;
  });

const menu = program.command('menu').description('the app menu');
menu
  .command('sync')
  .description('push the app menu (填报 / 查询进度 / 帮助) to WeCom')
  .action(async () => {
    const ctx = cliContext(loadConfig());
    try {
      await ctx.redis.connect();
      await ctx.client.createMenu(appMenu);
      process.stdout.write(`menu pushed to agent ${ctx.config.wecom.agentId}: ${appMenu.button.map((b) => b.name).join(' / ')}\n`);
    } finally {
      await ctx.close();
    }
  });

program.parseAsync().catch((error: unknown) => {
  // Operator errors get their message, not a stack trace.
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
