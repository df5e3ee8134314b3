import type { Logger } from '../log/logger';
import type { SendLimits, Store } from '../store/store';
import type { WeComClient } from './api-client';
import { WECOM, WeComApiError } from './api-error';
import { splitUtf8 } from './utf8';

/** WeCom takes at most 1000 UserIDs per message/send call. */
export const MAX_RECIPIENTS_PER_CALL = 1000;
/** WeCom silently drops sends beyond these per member (访问频率限制), so we never exceed them. */
export const MEMBER_LIMITS: SendLimits = { perMinute: 30, perHour: 1000 };
const TEXT_MAX_BYTES = 2048;

export interface TextCard {
  title: string;
  description: string;
  url: string;
  /** At most 4 characters. */
  buttonText?: string;
}

/** What happened to each recipient of a send. */
export interface SendReport {
  /** Accepted by WeCom (which may still not deliver to members outside the app's visibility). */
  sent: string[];
  /** Not members, or not visible to the app (invaliduser). */
  invalidUsers: string[];
  /** Members without a licence for the app (unlicenseduser). */
  unlicensedUsers: string[];
  /** Recipients whose call failed after retries, with why. */
  failed: { userId: string; reason: string }[];
  msgIds: string[];
}

type MessageBody = Record<string, unknown> & { msgtype: string };

const splitIds = (value: unknown): string[] => (typeof value === 'string' && value.length > 0 ? value.split('|') : []);

/**
 * Sends app messages: splits recipients into batches of 1000, holds each member to 30 a minute and
 * 1000 an hour (counted in the store, so across instances) by waiting rather than dropping, and
 * reports invalid, unlicensed and failed recipients to the caller.
 */
export class WeComSender {
  constructor(
    private readonly client: WeComClient,
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly limits: SendLimits = MEMBER_LIMITS,
  ) {}

  /** Text over 2048 bytes goes as several messages, in order. */
  async sendText(userIds: readonly string[], content: string): Promise<SendReport> {
    const reports: SendReport[] = [];
    for (const piece of splitUtf8(content, TEXT_MAX_BYTES)) {
      reports.push(await this.send(userIds, { msgtype: 'text', text: { content: piece } }));
    }
    return mergeReports(reports);
  }

  /** Markdown is not rendered in the WeChat plugin: use it only for staff-facing extras. */
  sendMarkdown(userIds: readonly string[], content: string): Promise<SendReport> {
    return this.send(userIds, { msgtype: 'markdown', markdown: { content: splitUtf8(content, TEXT_MAX_BYTES)[0] } });
  }

  sendTextCard(userIds: readonly string[], card: TextCard): Promise<SendReport> {
    return this.send(userIds, {
      msgtype: 'textcard',
      textcard: {
        title: [...card.title].slice(0, 128).join(''),
        description: [...card.description].slice(0, 512).join(''),
        url: card.url,
        btntxt: [...(card.buttonText ?? '详情')].slice(0, 4).join(''),
      },
    });
  }

  /** Uploads the file once, then sends it. */
  async sendFile(userIds: readonly string[], filename: string, data: Uint8Array): Promise<SendReport> {
    const mediaId = await this.client.uploadFile(filename, data);
    return this.send(userIds, { msgtype: 'file', file: { media_id: mediaId } });
  }

  /** One message to many users. Throws only for configuration errors; anything else is reported. */
  async send(userIds: readonly string[], body: MessageBody): Promise<SendReport> {
    const unique = [...new Set(userIds)];
    const reports: SendReport[] = [];
    for (let i = 0; i < unique.length; i += MAX_RECIPIENTS_PER_CALL) {
      reports.push(await this.sendThrottled(unique.slice(i, i + MAX_RECIPIENTS_PER_CALL), body));
    }
    return mergeReports(reports);
  }

  private async sendThrottled(batch: string[], body: MessageBody): Promise<SendReport> {
    const reports: SendReport[] = [];
    let pending = batch;
    while (pending.length > 0) {
      const waits = await this.store.reserveSends(pending, this.client.clock.now().getTime(), this.limits);
      const ready = pending.filter((_, i) => waits[i] === 0);
      const later = pending.filter((_, i) => waits[i] !== 0);
      if (ready.length > 0) reports.push(await this.post(ready, body));
      if (later.length > 0) {
        const waitMs = Math.min(...waits.filter((w) => w > 0));
        this.logger.info({ recipients: later.length, waitMs }, 'per-member send limit reached, waiting');
        await this.client.sleep(waitMs);
      }
      pending = later;
    }
    return mergeReports(reports);
  }

  private async post(userIds: string[], body: MessageBody): Promise<SendReport> {
    try {
      const res = await this.client.request(
        {
          method: 'POST',
          path: '/cgi-bin/message/send',
          json: { touser: userIds.join('|'), agentid: this.client.agentId, ...body },
        },
        [WECOM.NO_RECIPIENT],
      );
      const invalid = res.errcode === WECOM.NO_RECIPIENT && splitIds(res.invaliduser).length === 0 ? userIds : splitIds(res.invaliduser);
      const unlicensed = splitIds(res.unlicenseduser);
      const notSent = new Set([...invalid, ...unlicensed]);
      return {
        sent: userIds.filter((u) => !notSent.has(u)),
        invalidUsers: invalid,
        unlicensedUsers: unlicensed,
        failed: [],
        msgIds: typeof res.msgid === 'string' && res.msgid ? [res.msgid] : [],
      };
    } catch (error) {
      if (error instanceof WeComApiError && error.isConfiguration) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error({ recipients: userIds.length, reason }, 'message/send failed');
      return { sent: [], invalidUsers: [], unlicensedUsers: [], failed: userIds.map((userId) => ({ userId, reason })), msgIds: [] };
    }
  }
}

export function mergeReports(reports: SendReport[]): SendReport {
  const out: SendReport = { sent: [], invalidUsers: [], unlicensedUsers: [], failed: [], msgIds: [] };
  for (const r of reports) {
    out.sent.push(...r.sent);
    out.invalidUsers.push(...r.invalidUsers);
    out.unlicensedUsers.push(...r.unlicensedUsers);
    out.failed.push(...r.failed);
    out.msgIds.push(...r.msgIds);
  }
  // A text split into pieces reports each recipient once per piece.
  const uniq = (xs: string[]) => [...new Set(xs)];
  return { ...out, sent: uniq(out.sent), invalidUsers: uniq(out.invalidUsers), unlicensedUsers: uniq(out.unlicensedUsers) };
}
