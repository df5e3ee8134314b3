import type { CallbackCrypto } from './callback-crypto';
import { randomPool } from './random-pool';
import { buildWecomXml } from './xml';

/** A passive text reply carries at most 2048 bytes of content (被动回复消息格式). */
export const PASSIVE_TEXT_MAX_BYTES = 2048;

export function fitsPassiveReply(content: string): boolean {
  return Buffer.byteLength(content) <= PASSIVE_TEXT_MAX_BYTES;
}

/**
 * The encrypted, signed body of a passive text reply: the plaintext message is encrypted for the
 * corp, and the envelope is signed like a request, with TimeStamp in seconds.
 */
export function sealPassiveText(crypto: CallbackCrypto, args: { toUser: string; corpId: string; content: string; now: Date }): string {
  const timestamp = String(Math.floor(args.now.getTime() / 1000));
  const nonce = randomPool.digits(10);
  const plaintext = buildWecomXml({
    ToUserName: args.toUser,
    FromUserName: args.corpId,
    CreateTime: Number(timestamp),
    MsgType: 'text',
    Content: args.content,
  });
  const encrypted = crypto.encrypt(plaintext);
  return buildWecomXml({
    Encrypt: encrypted,
    MsgSignature: crypto.sign(timestamp, nonce, encrypted),
    TimeStamp: Number(timestamp),
    Nonce: nonce,
  });
}
