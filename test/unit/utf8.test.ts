import { describe, expect, it } from 'vitest';
import { splitUtf8, truncateUtf8 } from '../../src/wecom/utf8';

describe('splitUtf8', () => {
  it('keeps short text whole', () => {
    expect(splitUtf8('你好', 2048)).toEqual(['你好']);
  });
  it('never splits a Chinese character and keeps every piece within the limit', () => {
    const text = '报'.repeat(1000); // 3000 bytes
    const pieces = splitUtf8(text, 2048);
    expect(pieces.map((p) => Buffer.byteLength(p))).toEqual([2046, 954]);
    expect(pieces.join('')).toBe(text);
  });
  it('prefers to break after a newline', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `第${i + 1}行：已报`).join('\n');
    const pieces = splitUtf8(lines, 500);
    expect(pieces.every((p) => Buffer.byteLength(p) <= 500)).toBe(true);
    expect(pieces.every((p) => p.endsWith('已报'))).toBe(true);
    expect(pieces.join('\n')).toBe(lines);
  });
  it('truncates to a byte budget', () => {
    expect(truncateUtf8('月报月报', 7)).toBe('月报');
  });
});
