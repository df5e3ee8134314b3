import { pino } from 'pino';
import { readMembers, refreshDirectory } from '../jobs/directory-refresh';
import type { Directory } from '../roster/directory';
import type { WeComClient } from '../wecom/api-client';
import { TableError } from '../roster/read-table';
import type { CliContext } from './context';
import { applyImport, planImport, summarizeImport, type ImportPorts } from './roster-import';

/** How an import checks its UserIDs against WeCom (读取成员); without it (`--offline`) nothing is checked. */
export interface AccountCheck {
  client: Pick<WeComClient, 'getMember'>;
  /** A UserID WeCom cannot read rejects the file (default: a warning). */
  strict: boolean;
}

/** `roster import` / `staff import`: check, plan, print, and (unless a dry run) apply. Returns the exit code. */
export async function importRoster(
  ports: ImportPorts,
  kind: 'schools' | 'staff',
  fileName: string,
  data: Buffer,
  options: { dryRun: boolean; by: string; now: Date; check?: AccountCheck; offline?: boolean },
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
  let accounts: Checked | null = null;
  if (options.check) {
    try {
      accounts = await checkAccounts(options.check.client, result.plan.accounts, print);
    } catch (error) {
      print(`${fileName}：向企业微信核对账号失败：${error instanceof Error ? error.message : String(error)}。未做任何更改（可加 --offline 跳过核对）。`);
      return 1;
    }
    if (options.check.strict && accounts.missing.length > 0) {
      print([`${fileName} 有 ${accounts.missing.length} 个账号企业微信无法读取，未做任何更改（--strict）：`, ...accounts.missing.map(missingLine)].join('\n'));
      return 1;
    }
  }
  if (!options.dryRun) {
    await applyImport(ports, result.plan, options.by, options.now);
    // The names WeCom gave come in with the import (for people whose line has none).
    if (accounts) await ports.roster.saveDirectory(accounts.entries);
  }
  print(summarizeImport(result.plan, options.dryRun));
  if (accounts) {
    const failed = accounts.failed > 0 ? `，${accounts.failed} 个读取失败（企业微信繁忙或连接中断，未能核对）` : '';
    print(`已向企业微信核对 ${accounts.checked} 个账号：${accounts.missing.length === 0 ? '全部可以读取' : `${accounts.missing.length} 个无法读取（下面列出；这些人收不到消息，请核对账号或应用的可见范围）`}${failed}。`);
    for (const m of accounts.missing) print(missingLine(m));
  } else if (options.offline) {
    print('未向企业微信核对账号（--offline）。');
  }
  return 0;
}

interface Checked {
  checked: number;
  missing: { userId: string; line: number; errcode: number }[];
  failed: number;
  entries: Directory;
}

const missingLine = (m: { userId: string; line: number; errcode: number }) => `  第 ${m.line} 行：${m.userId}（${MISSING_REASON[m.errcode] ?? `错误码 ${m.errcode}`}）`;

/** Every UserID of the file through 读取成员, throttled, with progress on large files. */
async function checkAccounts(client: Pick<WeComClient, 'getMember'>, accounts: readonly { userId: string; line: number }[], print: (line: string) => void): Promise<Checked> {
  const out: Checked = { checked: 0, missing: [], failed: 0, entries: {} };
  const step = 200;
  const now = Date.now();
  for (let i = 0; i < accounts.length; i += step) {
    const chunk = accounts.slice(i, i + step);
    const answers = await readMembers(client, chunk.map((a) => a.userId), pino({ level: 'silent' }));
    for (const a of chunk) {
      const answer = answers.get(a.userId) ?? null;
      if (answer === null) {
        out.failed++;
        continue;
      }
      out.checked++;
      if ('missing' in answer) {
        out.missing.push({ ...a, errcode: answer.missing });
        out.entries[a.userId] = { missing: answer.missing, fetchedAt: now };
      } else out.entries[a.userId] = { ...(answer.name ? { name: answer.name } : {}), department: answer.department, fetchedAt: now };
    }
    if (accounts.length > step) print(`已核对 ${Math.min(i + step, accounts.length)}/${accounts.length} 个账号`);
  }
  return out;
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
