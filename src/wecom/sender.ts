import { createHash } from 'node:crypto';
import type { ButtonCard } from '../conversation/buttons';
import type { TextCard } from '../conversation/reply';
import type { WeComMessage } from './message';
import type { SendLimits } from '../store/send-budget';
import type { WeComClient } from './api-client';
import { WeComApiError, WECOM } from './api-error';
import { splitUtf8 } from './utf8';

/** WeCom takes at most 1000 UserIDs per message/send call. */
export const MAX_RECIPIENTS_PER_CALL = 1000;
/** WeCom silently drops sends beyond these per member (访问频率限制), so we never exceed them. */
export const MEMBER_LIMITS: SendLimits = { perMinute: 30, perHour: 1000 };
const TEXT_MAX_BYTES = 2048;


/** A text as messages: over 2048 bytes it goes as several, in order. */
export function textMessages(content: string): WeComMessage[] {
  return splitUtf8(content, TEXT_MAX_BYTES).map((piece) => ({ msgtype: 'text', text: { content: piece } }));
}

/** A text card, cut to WeCom's limits (title 128, description 512, button 4 characters). */
export function cardMessage(card: TextCard): WeComMessage {
  return {
    msgtype: 'textcard',
    textcard: {
      title: [...card.title].slice(0, 128).join(''),
      description: [...card.description].slice(0, 512).join(''),
      url: card.url,
      btntxt: [...(card.buttonText ?? '详情')].slice(0, 4).join(''),
    },
  };
}

/** WeCom's limits for a button card (模板卡片 button_interaction). */
export const CARD_LIMITS = { buttons: 6, taskIdBytes: 128, keyBytes: 1024 } as const;
const TASK_ID = /^[A-Za-z0-9_@-]{1,128}$/u;

/**
 * A card's task_id, from what it answers (a turn, a notice): unique per app as WeCom requires,
 * the same on a retry of the same step, within 128 bytes of [A-Za-z0-9_@-].
 */
export function cardTaskId(source: string): string {
  return `yb-${createHash('sha256').update(source).digest('base64url').slice(0, 32).replace(/[^A-Za-z0-9_-]/gu, '_')}`;
}

/** A button card as message/send takes it; refuses what WeCom would (more than 6 buttons, a bad task_id or key). */
export function buttonCardMessage(card: ButtonCard, taskId: string): WeComMessage {
  if (!TASK_ID.test(taskId)) throw new Error(`task_id must be 1–128 bytes of [A-Za-z0-9_@-]: ${taskId}`);
  if (card.buttons.length < 1 || card.buttons.length > CARD_LIMITS.buttons) throw new Error(`a card takes 1–${CARD_LIMITS.buttons} buttons, not ${card.buttons.length}`);
  const keys = card.buttons.map((b) => b.key);
  if (new Set(keys).size !== keys.length || keys.some((k) => Buffer.byteLength(k) > CARD_LIMITS.keyBytes)) throw new Error(`button keys must be unique and within ${CARD_LIMITS.keyBytes} bytes`);
  return {
    msgtype: 'template_card',
    template_card: {
      card_type: 'button_interaction',
      main_title: { title: [...card.title].slice(0, 26).join(''), desc: [...card.desc].slice(0, 30).join('') },
      task_id: taskId,
      button_list: card.buttons.map((b) => ({ text: [...b.text].slice(0, 10).join(''), style: b.style ?? 2, key: b.key })),
    },
  };
}

/** What WeCom answered a message/send it accepted. */
export interface PostResult {
  /** Not members, or not visible to the app (invaliduser); every recipient on 81013. */
  invalid: string[];
  /** Members without a licence for the app (unlicenseduser). */
  unlicensed: string[];
  msgId: string | null;
}

const splitIds = (value: unknown): string[] => (typeof value === 'string' && value.length > 0 ? value.split('|') : []);

/**
 * message/send, one call, no retries of its own (the outbox retries): always with WeCom's
 * duplicate check, so that a resend of the same request within `dedupeSeconds` — after a
 * timeout whose outcome is unknown, or by a second worker — is dropped by WeCom itself.
 */
export class WeComSender {
  constructor(readonly client: WeComClient) {}

  async post(to: readonly string[], message: WeComMessage, dedupeSeconds: number): Promise<PostResult> {
    if (to.length === 0 || to.length > MAX_RECIPIENTS_PER_CALL) throw new Error(`message/send takes 1–${MAX_RECIPIENTS_PER_CALL} recipients, not ${to.length}`);
    const res = await this.client.request(
      {
        method: 'POST',
        path: '/cgi-bin/message/send',
        json: { touser: to.join('|'), agentid: this.client.agentId, ...message, enable_duplicate_check: 1, duplicate_check_interval: dedupeSeconds },
      },
      [WECOM.NO_RECIPIENT],
      { once: true },
    );
    const invalid = res.errcode === WECOM.NO_RECIPIENT && splitIds(res.invaliduser).length === 0 ? [...to] : splitIds(res.invaliduser);
    return { invalid, unlicensed: splitIds(res.unlicenseduser), msgId: typeof res.msgid === 'string' && res.msgid ? res.msgid : null };
  }

  /**
   * Replaces the clicked button of a card for `userId` with `replaceName` (update_template_card),
   * spending the single-use response_code of the click (valid 72 hours).
   */
  async updateButton(userId: string, responseCode: string, replaceName: string): Promise<void> {
    await this.client.request(
      { method: 'POST', path: '/cgi-bin/message/update_template_card', json: { userids: [userId], agentid: this.client.agentId, response_code: responseCode, button: { replace_name: replaceName } } },
      [],
      { once: true },
    );
  }

  /**
   * 撤回应用消息 (message/recall): a message sent within 24 hours leaves its recipients' chats.
   * Resolves with null when done, or with WeCom's answer when it cannot be (too old, recalled
   * already); other failures (busy, unreachable) are thrown for the outbox to retry.
   */
  async recall(msgid: string): Promise<{ errcode: number; errmsg: string } | null> {
    try {
      await this.client.request({ method: 'POST', path: '/cgi-bin/message/recall', json: { msgid } }, [], { once: true });
      return null;
    } catch (error) {
      if (error instanceof WeComApiError && !error.isConfiguration && error.errcode !== WECOM.BUSY && error.errcode !== WECOM.FREQUENCY_LIMIT) return { errcode: error.errcode, errmsg: error.errmsg };
      throw error;
    }
  }

  /** 设置应用在工作台展示的模版 (type keydata): once for the app; users' data then fills it. */
  async setWorkbenchTemplate(items: readonly { key: string; data: string }[]): Promise<void> {
    await this.client.request({ method: 'POST', path: '/cgi-bin/agent/set_workbench_template', json: { agentid: this.client.agentId, type: 'keydata', keydata: { items }, replace_user_data: false } }, [], { once: true });
  }

  /** 设置应用在用户工作台展示的数据: one person's tile. */
  async setWorkbenchData(userId: string, items: readonly { key: string; data: string }[]): Promise<void> {
    await this.client.request({ method: 'POST', path: '/cgi-bin/agent/set_workbench_data', json: { agentid: this.client.agentId, userid: userId, type: 'keydata', keydata: { items } } }, [], { once: true });
  }

  /** Uploads a file as temporary media, once; returns its media_id. */
  upload(filename: string, data: Uint8Array): Promise<string> {
    return this.client.uploadFile(filename, data, { once: true });
  }
}
