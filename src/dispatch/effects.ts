import type { Clock } from '../clock';
import type { StaffEffect } from '../conversation/staff-step';
import type { Logger } from '../log/logger';
import type { Store } from '../store/store';
import type { SendReport, WeComSender } from '../wecom/sender';
import { sendOnce } from '../jobs/send-once';
import type { Form } from '../conversation/form';
import { buildReportTable } from '../export/report-table';
import { tableToXlsx } from '../export/write-table';
import { periodLabel, type PeriodCalendar } from '../report/period';

export type Effect = StaffEffect;

/** A school is nudged at most once an hour, whoever asks. */
const NUDGE_INTERVAL_MS = 3_600_000;

/**
 * Carries out what a turn decided to do after its reply: nudges (each school marked before it is
 * sent, so a second 催报 within the hour skips it) and notices, through the throttled sender; then
 * tells the requester how it went.
 */
export class EffectRunner {
  constructor(
    private readonly deps: { store: Store; sender: WeComSender; clock: Clock; logger: Logger; form: Form; cal: PeriodCalendar },
  ) {}

  async run(requester: string, effects: readonly Effect[]): Promise<void> {
    for (const effect of effects) {
      if (effect.kind === 'notify') {
        const report = await this.deps.sender.sendText(effect.users, effect.text);
        this.deps.logger.info({ requester, recipients: effect.users.length, sent: report.sent.length }, 'notice sent');
      } else if (effect.kind === 'card') {
        const report = await this.deps.sender.sendTextCard(effect.users, effect.card);
        this.deps.logger.info({ requester, sent: report.sent.length }, 'dashboard card sent');
      } else if (effect.kind === 'export') {
        await this.export(requester, effect);
      } else if (effect.kind === 'broadcast') {
        await this.broadcast(requester, effect);
      } else {
        await this.nudge(requester, effect);
      }
    }
  }

  private async broadcast(requester: string, effect: Extract<Effect, { kind: 'broadcast' }>): Promise<void> {
    const { store, sender, clock } = this.deps;
    const report = await sender.sendText(effect.users, effect.text);
    await store.appendAudit({
      action: 'broadcast',
      by: effect.by,
      at: String(clock.now().getTime()),
      audience: effect.label,
      recipients: String(effect.users.length),
      sent: String(report.sent.length),
      invalid: String(report.invalidUsers.length + report.unlicensedUsers.length),
      failed: String(report.failed.length),
    });
    await sender.sendText([requester], deliveryReport(`广播已发送（${effect.label}）`, report));
  }

  private async export(requester: string, effect: Extract<Effect, { kind: 'export' }>): Promise<void> {
    const { store, sender, clock, form, cal } = this.deps;
    const table = await buildReportTable(store, form, cal, effect.period, effect.filter);
    const data = await tableToXlsx(table, `${periodLabel(effect.period)}职业培训情况月报表`);
    const report = await sender.sendFile([requester], effect.fileName, data);
    await store.appendAudit({ action: 'export', by: effect.by, at: String(clock.now().getTime()), period: effect.period, rows: String(table.rows.length), sent: String(report.sent.length) });
    if (report.sent.length === 0) await sender.sendText([requester], `月报表发送失败：${report.failed[0]?.reason ?? '账号无效'}。请稍后再试，或请管理员用命令行导出。`);
  }

  private async nudge(requester: string, effect: Extract<Effect, { kind: 'nudge' }>): Promise<void> {
    const { store, sender, clock } = this.deps;
    const noContacts = effect.schools.filter((s) => s.contacts.length === 0).length;
    // Each school is marked before it is sent: a crash or a second 催报 never sends it twice within the hour.
    const result = await sendOnce(store, sender, `nudge:${effect.period}`, effect.schools.map((s) => ({ key: s.code, users: s.contacts, text: s.text })), NUDGE_INTERVAL_MS);
    const { skipped, report: total } = result;
    const nudged = result.sent;
    await store.appendAudit({
      action: 'nudge',
      by: effect.by,
      at: String(clock.now().getTime()),
      period: effect.period,
      schools: String(nudged),
      sent: String(total.sent.length),
      invalid: String(total.invalidUsers.length + total.unlicensedUsers.length),
      failed: String(total.failed.length),
    });
    const extra = [skipped ? `跳过 ${skipped} 所（1 小时内已催过）。` : '', noContacts ? `${noContacts} 所学校没有登记填报人，请补充名单。` : ''];
    await sender.sendText([requester], deliveryReport(`催报完成：${nudged} 所学校`, total, extra));
  }
}

/** 「…，送达 N 人。」 then skipped, invalid and failed recipients, for the staff member who asked. */
function deliveryReport(head: string, report: SendReport, extra: string[] = []): string {
  const lines = [`${head}，送达 ${report.sent.length} 人。`, ...extra.filter(Boolean)];
  const invalid = [...report.invalidUsers, ...report.unlicensedUsers];
  if (invalid.length) lines.push(`无效或无权限的账号 ${invalid.length} 个：${invalid.slice(0, 10).join('、')}${invalid.length > 10 ? ' 等' : ''}`);
  if (report.failed.length) lines.push(`发送失败 ${report.failed.length} 人：${report.failed[0]!.reason}`);
  return lines.join('\n');
}
