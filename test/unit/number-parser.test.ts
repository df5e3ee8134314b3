import { describe, expect, it } from 'vitest';
import { formatNumber, parseValue, type ValueKind } from '../../src/report/number-parser';

const accepted: [string, ValueKind, number, string?][] = [
  ['120', 'count', 120],
  ['０', 'count', 0],
  ['１２０', 'count', 120],
  ['1,200', 'count', 1200],
  ['1，200', 'count', 1200],
  ['12,345,678', 'count', 12345678],
  ['1.2万', 'count', 12000],
  ['1.25万', 'count', 12500],
  ['3万', 'count', 30000],
  ['2千', 'count', 2000],
  ['一百二十', 'count', 120],
  ['两千', 'count', 2000],
  ['两百', 'count', 200],
  ['一万二', 'count', 12000],
  ['三千五', 'count', 3500],
  ['一百二', 'count', 120],
  ['十五', 'count', 15],
  ['一千零五', 'count', 1005],
  ['无', 'count', 0],
  ['没有', 'count', 0],
  ['零', 'count', 0],
  ['150人次', 'count', 150],
  ['150 人次', 'count', 150],
  ['8个', 'count', 8],
  ['320学时', 'count', 320],
  ['120人', 'count', 120],
  ['  42 ', 'count', 42],
  ['42。', 'count', 42],
  ['12.5', 'wanyuan', 12.5],
  ['12.5万元', 'wanyuan', 12.5],
  ['0.0001', 'wanyuan', 0.0001],
  ['3.1416', 'wanyuan', 3.1416],
  ['１２．５', 'wanyuan', 12.5],
  ['0', 'wanyuan', 0],
  ['无', 'wanyuan', 0],
  ['125000元', 'wanyuan', 12.5, '125,000 元 = 12.5 万元'],
  ['1元', 'wanyuan', 0.0001, '1 元 = 0.0001 万元'],
  ['1,250元', 'wanyuan', 0.125, '1,250 元 = 0.125 万元'],
  ['三万', 'count', 30000],
  ['3.5万', 'wanyuan', 3.5],
  ['二十万零三', 'count', 200003],
];

const rejected: [string, ValueKind, string][] = [
  ['-5', 'count', '不能填负数'],
  ['－5', 'count', '不能填负数'],
  ['负三', 'count', '不能填负数'],
  ['12.5', 'count', '这一项只能填整数'],
  ['1.23456万', 'count', '这一项只能填整数'],
  ['1.23456', 'wanyuan', '万元最多保留 4 位小数（0.0001 万元 = 1 元）'],
  ['0.00001', 'wanyuan', '万元最多保留 4 位小数（0.0001 万元 = 1 元）'],
  ['12.5元', 'wanyuan', '金额最多精确到 1 元'],
  ['不知道', 'count', '没有找到数字'],
  ['', 'count', '没有收到数字'],
  ['12 15', 'count', '一次只能填一个数字'],
  ['12和15', 'count', '一次只能填一个数字'],
  ['100元', 'count', '这一项是人数或个数，不是金额'],
  ['3千', 'wanyuan', '金额请以万元为单位填写，如 3.5 或 35000元'],
  ['1,20', 'count', '数字里的逗号位置不对，请直接写数字，如 12000'],
  ['1,2000', 'count', '数字里的逗号位置不对，请直接写数字，如 12000'],
  ['abc', 'count', '没有找到数字'],
  ['一点五', 'count', '这一项请用阿拉伯数字填写小数，如 3.5'],
  ['999999999999', 'count', '数字太大了，请检查'],
];

describe('parseValue accepts numbers as people type them', () => {
  it.each(accepted)('%s (%s) → %d', (raw, kind, value, note) => {
    const result = parseValue(raw, kind);
    expect(result).toEqual(note ? { ok: true, value, note } : { ok: true, value });
  });
});

describe('parseValue refuses with a reason', () => {
  it.each(rejected)('%s (%s): %s', (raw, kind, reason) => {
    expect(parseValue(raw, kind)).toEqual({ ok: false, reason });
  });
});

describe('formatNumber', () => {
  it('groups thousands and keeps decimals', () => {
    expect(formatNumber(1234567)).toBe('1,234,567');
    expect(formatNumber(12.5)).toBe('12.5');
    expect(formatNumber(0)).toBe('0');
  });
});
