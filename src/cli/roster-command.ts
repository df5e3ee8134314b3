import { pino } from 'pino';
import { refreshDirectory } from '../jobs/directory-refresh';
import { TableError } from '../roster/read-table';
import type { CliContext } from './context';
import { applyImport, planImport, summarizeImport, type ImportPorts } from './roster-import';

/** `roster import` / `staff import`: check, plan, print, and (unless a dry run) apply. Returns the exit code. */
export async function importRoster(
  ports: ImportPorts,
  kind: 'schools' | 'staff',
  fileName: string,
  data: Buffer,
  options: { dryRun: boolean; by: string; now: Date },
  print: (line: string) => void,
): Promise<number> {
  let result;
  try {
    result = await planImport(ports, kind, fileName, data);
  } catch (error) {
    if (!(error instanceof TableError)) throw error;
    print(`${fileName}：${error.message}。未做任何更改。`);
    return 1;
  }
  if (!result.ok) {
    print(result.message);
    return 1;
  }
  if (!options.dryRun) await applyImport(ports, result.plan, options.by, options.now);
  print(summarizeImport(result.plan, options.dryRun));
  return 0;
}

/** `roster names`: reads the missing names from WeCom now, with progress; returns the exit code. */
export async function refreshNames(ctx: Pick<CliContext, 'stores' | 'client'>, all: boolean, print: (line: string) => void): Promise<number> {
  let summary;
  try {
    summary = await refreshDirectory(
      { roster: ctx.stores.roster, client: ctx.client, logger: pino({ level: 'silent' }), now: () => Date.now() },
      { all, onProgress: (done, total) => print(`已读取 ${done}/${total} 人`) },
    );
  } catch (error) {
    print(`读取成员失败：${error instanceof Error ? error.message : String(error)}。已读到的姓名已保存。`);
    return 1;
  }
  print(`名册中未写姓名的有 ${summary.unnamed} 人，本次向企业微信读取 ${summary.checked} 人：${summary.named} 人取得姓名，${summary.changed} 条记录更新。`);
  for (const m of summary.missing) print(`  ${m.userId}：企业微信无法读取（${MISSING_REASON[m.errcode] ?? `错误码 ${m.errcode}`}）`);
  if (summary.failed > 0) print(`另有 ${summary.failed} 人读取失败（企业微信繁忙或连接中断），下次再读。`);
  return summary.failed > 0 ? 1 : 0;
}

const MISSING_REASON: Record<number, string> = {
  40003: '无效的 UserID',
  60011: '不在应用的可见范围内',
  60111: '通讯录中没有此 UserID',
  301002: '无权读取此成员',
};
