import { timingSafeEqual } from 'node:crypto';
import * as wecomCrypto from '@wecom/crypto';
import { randomPool } from './random-pool';

/**
 * What can be wrong with a callback's cryptography. The numbers are the official samples'
 * WXBizMsgCrypt codes, which operators find in WeCom's documentation.
 */
export const cryptoFailures = {
  signature: { wecomCode: -40001, hint: 'the request was not signed with WECOM_TOKEN (wrong Token, or not from WeCom)' },
  'aes-key': { wecomCode: -40004, hint: 'WECOM_ENCODING_AES_KEY is not a valid 43-character EncodingAESKey' },
  'receive-id': { wecomCode: -40005, hint: 'decrypted ReceiveId is not WECOM_CORP_ID (wrong CorpID or wrong EncodingAESKey)' },
  decrypt: { wecomCode: -40007, hint: 'AES decryption failed (truncated ciphertext or wrong EncodingAESKey)' },
  padding: { wecomCode: -40007, hint: 'PKCS#7 padding out of range (wrong EncodingAESKey or corrupted ciphertext)' },
  'length-field': { wecomCode: -40008, hint: 'plaintext length field points past the message (wrong EncodingAESKey or corrupted ciphertext)' },
  base64: { wecomCode: -40010, hint: 'ciphertext is not base64' },
  'block-size': { wecomCode: -40010, hint: 'ciphertext is empty or not a whole number of AES blocks' },
} as const;

export type CryptoFailure = keyof typeof cryptoFailures;

export class CallbackCryptoError extends Error {
  readonly wecomCode: number;
  constructor(readonly failure: CryptoFailure) {
    super(`${failure}: ${cryptoFailures[failure].hint}`);
    this.name = 'CallbackCryptoError';
    this.wecomCode = cryptoFailures[failure].wecomCode;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** 16 random bytes + 4-byte length; the ReceiveId and at least one pad byte follow. */
const HEADER_BYTES = 20;
const MAX_PAD = 32;

function decodedLength(b64: string): number {
  const padding = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length / 4) * 3 - padding;
}

export interface CallbackCryptoOptions {
  token: string;
  encodingAesKey: string;
  /** For a self-built app, the CorpID. */
  receiveId: string;
}

/**
 * WeCom's callback scheme (加解密方案说明) around @wecom/crypto, which neither checks padding, the
 * length field nor the ReceiveId, and throws raw errors on bad input: every failure here is a
 * CallbackCryptoError.
 */
export class CallbackCrypto {
  private readonly token: string;
  private readonly key: string;
  private readonly receiveId: string;

  constructor(options: CallbackCryptoOptions) {
    if (!/^[A-Za-z0-9]{43}$/.test(options.encodingAesKey) || Buffer.from(`${options.encodingAesKey}=`, 'base64').length !== 32) {
      throw new CallbackCryptoError('aes-key');
    }
    this.token = options.token;
    this.key = options.encodingAesKey;
    this.receiveId = options.receiveId;
  }

  sign(timestamp: string, nonce: string, encrypted: string): string {
    return wecomCrypto.getSignature(this.token, timestamp, nonce, encrypted);
  }

  /** Constant-time check of msg_signature; throws CallbackCryptoError('signature'). */
  verify(signature: string, timestamp: string, nonce: string, encrypted: string): void {
    const expected = Buffer.from(this.sign(timestamp, nonce, encrypted), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new CallbackCryptoError('signature');
    }
  }

  /** Decrypts a callback's ciphertext and checks its structure and ReceiveId; returns the message text. */
  decrypt(encrypted: string): string {
    if (encrypted.length === 0) throw new CallbackCryptoError('block-size');
    if (!BASE64.test(encrypted)) throw new CallbackCryptoError('base64');
    const total = decodedLength(encrypted);
    if (total % 16 !== 0 || total < 32) throw new CallbackCryptoError('block-size');

    let plain: { message: string; id: string };
    try {
      plain = wecomCrypto.decrypt(this.key, encrypted);
    } catch {
      throw new CallbackCryptoError('decrypt');
    }
    // The library unpads leniently and slices by the length field without bounds, so rebuild the
    // byte count: what is left over must be a pad of 1..32 bytes, and an empty id means the
    // length field swallowed the ReceiveId.
    if (plain.id.length === 0) throw new CallbackCryptoError('length-field');
    const used = HEADER_BYTES + Buffer.byteLength(plain.message) + Buffer.byteLength(plain.id);
    const pad = total - used;
    if (pad < 1 || pad > MAX_PAD) throw new CallbackCryptoError('padding');
    if (plain.id !== this.receiveId) throw new CallbackCryptoError('receive-id');
    return plain.message;
  }

  /** Encrypts a passive reply for this corp. */
  encrypt(message: string): string {
    return wecomCrypto.encrypt(this.key, message, this.receiveId, randomPool.bytes(16));
  }
}
