import { describe, expect, it } from 'vitest';
import { CallbackCrypto, CallbackCryptoError } from '../../src/wecom/callback-crypto';
import { WeComPlatform } from '../helpers/wecom-platform';
import sample from '../fixtures/wecom-official-sample.json';

const options = { token: sample.token, encodingAesKey: sample.encodingAesKey, receiveId: sample.corpId };
const crypto = new CallbackCrypto(options);
const platform = new WeComPlatform({ token: sample.token, encodingAesKey: sample.encodingAesKey, corpId: sample.corpId, agentId: '1000002' });

function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof CallbackCryptoError) return error.failure;
    throw error;
  }
  throw new Error('expected a CallbackCryptoError');
}

describe('CallbackCrypto on the official sample', () => {
  it('verifies and decrypts the URL-verification echostr', () => {
    const v = sample.verifyUrl;
    expect(() => crypto.verify(v.msg_signature, v.timestamp, v.nonce, v.echostr)).not.toThrow();
    expect(crypto.decrypt(v.echostr)).toBe(v.plaintext);
  });

  it('decrypts the sample text message with its ReceiveId checked', () => {
    const encrypted = /<Encrypt><!\[CDATA\[(.*)\]\]><\/Encrypt>/.exec(sample.message.body)![1]!;
    crypto.verify(sample.message.msg_signature, sample.message.timestamp, sample.message.nonce, encrypted);
    expect(crypto.decrypt(encrypted)).toContain('<Content>你好</Content>');
  });

  it('encrypts replies that an independent implementation decrypts with the CorpID', () => {
    const out = platform.decrypt(crypto.encrypt('<xml><Content>收到</Content></xml>'));
    expect(out).toEqual({ message: '<xml><Content>收到</Content></xml>', receiveId: sample.corpId });
  });
});

describe('CallbackCrypto refuses', () => {
  const v = sample.verifyUrl;
  const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);

  it('a signature with one character changed', () => {
    expect(failure(() => crypto.verify(flip(v.msg_signature, 5), v.timestamp, v.nonce, v.echostr))).toBe('signature');
  });
  it('a changed nonce, timestamp or ciphertext', () => {
    expect(failure(() => crypto.verify(v.msg_signature, v.timestamp, `${v.nonce}1`, v.echostr))).toBe('signature');
    expect(failure(() => crypto.verify(v.msg_signature, `${v.timestamp}1`, v.nonce, v.echostr))).toBe('signature');
    expect(failure(() => crypto.verify(v.msg_signature, v.timestamp, v.nonce, flip(v.echostr, 10)))).toBe('signature');
  });
  it('a signature made with another Token', () => {
    const other = platform.sign(v.timestamp, v.nonce, v.echostr, 'AnotherToken123');
    expect(failure(() => crypto.verify(other, v.timestamp, v.nonce, v.echostr))).toBe('signature');
  });
  it('an EncodingAESKey of the wrong length', () => {
    expect(failure(() => new CallbackCrypto({ ...options, encodingAesKey: sample.encodingAesKey.slice(0, 42) }))).toBe('aes-key');
  });
  it('empty ciphertext', () => {
    expect(failure(() => crypto.decrypt(''))).toBe('block-size');
  });
  it('ciphertext that is not base64', () => {
    expect(failure(() => crypto.decrypt('not*base64!'))).toBe('base64');
  });
  it('ciphertext that is not a whole number of AES blocks', () => {
    expect(failure(() => crypto.decrypt(Buffer.alloc(40, 7).toString('base64')))).toBe('block-size');
  });
  it('truncated ciphertext', () => {
    const full = Buffer.from(v.echostr, 'base64');
    expect(failure(() => crypto.decrypt(full.subarray(0, 16).toString('base64')))).toBe('block-size');
    expect(failure(() => crypto.decrypt(full.subarray(0, full.length - 32).toString('base64')))).not.toBe(undefined);
  });
  it('a ReceiveId that is not our CorpID (right key, wrong corp)', () => {
    expect(failure(() => crypto.decrypt(platform.encrypt('hello', { receiveId: 'wwsomeoneelse000' })))).toBe('receive-id');
  });
  it('a plaintext length field pointing past the end', () => {
    expect(failure(() => crypto.decrypt(platform.encrypt('hello', { lengthField: 5000 })))).toBe('length-field');
  });
  it('padding out of range', () => {
    // 20 header + 5 message + 18 corp id = 43 bytes; 5 bytes of value 0 fill the 48-byte block.
    expect(failure(() => crypto.decrypt(platform.encrypt('hello', { padding: { count: 5, value: 0 } })))).toBe('padding');
    expect(failure(() => crypto.decrypt(platform.encrypt('hello', { padding: { count: 37, value: 37 } })))).toBe('padding');
  });
  it('a message encrypted with another EncodingAESKey', () => {
    const stranger = new WeComPlatform({ ...platform.config, encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' });
    expect(['receive-id', 'length-field', 'padding']).toContain(failure(() => crypto.decrypt(stranger.encrypt('hello'))));
  });
});
