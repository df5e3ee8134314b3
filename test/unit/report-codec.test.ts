import { describe, expect, it } from 'vitest';
import { reportCodec } from '../../src/store/codecs';
import { report } from '../fixtures/records';

describe('reportCodec', () => {
  it('decodes a stored report once: the same frozen value for the same string, a new one for a changed string', () => {
    const stored = reportCodec.encode(report('S1', '2026-10', 'filed', { a: 1 }));
    const first = reportCodec.decode(stored);
    expect(first).toEqual(report('S1', '2026-10', 'filed', { a: 1 }));
    expect(reportCodec.decode(stored)).toBe(first);
    // Shared between readers, so never changed by one of them: the values inside are frozen too.
    expect(() => ((first as { status: string }).status = 'late')).toThrow(TypeError);
    expect(() => ((first.values as Record<string, number>).a = 2)).toThrow(TypeError);
    const changed = reportCodec.decode(reportCodec.encode(report('S1', '2026-10', 'filed', { a: 2 })));
    expect(changed.values).toEqual({ a: 2 });
    expect(first.values).toEqual({ a: 1 });
  });

  it('keeps the newest 2,048 and reads older ones again', () => {
    const stored = (i: number) => reportCodec.encode(report(`S${i}`, '2026-10'));
    const oldest = reportCodec.decode(stored(0));
    for (let i = 1; i <= 2_048; i++) reportCodec.decode(stored(i));
    const again = reportCodec.decode(stored(0));
    expect(again).toEqual(oldest);
    expect(again).not.toBe(oldest);
  });

  it('still refuses a stored report that does not read', () => {
    expect(() => reportCodec.decode('{"v":1}')).toThrow(/stored report does not read/);
  });
});
