import Nzh from 'nzh';

/** How a cell's value is written: a whole count, or an amount in 万元 with up to 4 decimals. */
export type ValueKind = 'count' | 'wanyuan';

export type ParsedValue = { ok: true; value: number; note?: string } | { ok: false; reason: string };

const CN_DIGITS = '零〇一二两三四五六七八九';
const CN_UNITS = '十百千万亿';
const CN_NUMERAL = new RegExp(`^[${CN_DIGITS}${CN_UNITS}点]+$`);
const ZERO_WORDS = new Set(['无', '没有', '没', '暂无', '零', '〇', '空', '没开展', '未开展']);
/** Units a count cell may carry; they are dropped. 万元/元 belong to money cells only. */
const COUNT_UNITS = ['人次', '人', '个', '次', '班', '期', '项', '学时', '课时', '名'];

function fail(reason: string): ParsedValue {
  return { ok: false, reason };
}

/**
 * Reads one value as a person types it: half- or full-width digits, thousands separators
 * (1,200 / 1，200), 1.2万, Chinese numerals (一百二十, 两千, 一万二), 无/没有 as 0, and a unit that
 * fits the cell (元 is converted to 万元, with a note saying so). Refuses negatives, decimals in
 * counts, more than 4 decimals in 万元, text with no number and two numbers, each with a reason.
 */
export function parseValue(raw: string, kind: ValueKind): ParsedValue {
  const normalized = raw.normalize('NFKC').trim();
  // Checked before spaces are dropped: "12 15" is two numbers, not 1215.
  if (/\d\s+\d/u.test(normalized)) return fail('一次只能填一个数字');
  let text = normalized.replace(/\s+/g, '').replace(/[。.,，、;；!！]+$/u, '');
  if (text === '') return fail('没有收到数字');
  if (ZERO_WORDS.has(text)) return { ok: true, value: 0 };
  if (/^[-−－负]/u.test(text) || /^减/u.test(text)) return fail('不能填负数');

  let yuan = false;
  if (kind === 'wanyuan') {
    if (text.endsWith('万元')) text = text.slice(0, -2);
    else if (text.endsWith('元')) {
      yuan = true;
      text = text.slice(0, -1);
    }
  } else {
    if (/元$/u.test(text)) return fail('这一项是人数或个数，不是金额');
    const unit = COUNT_UNITS.find((u) => text.endsWith(u));
    if (unit) text = text.slice(0, -unit.length);
  }
  if (text === '') return fail('没有收到数字');

  const amount = readAmount(text, kind === 'wanyuan' && !yuan);
  if (!amount.ok) return amount;
  let value = amount.value;
  let note: string | undefined;
  if (yuan) {
    value = value / 10_000;
    note = `${formatNumber(amount.value)} 元 = ${formatNumber(round4(value))} 万元`;
  }
  if (kind === 'count') {
    if (!Number.isInteger(value)) return fail('这一项只能填整数');
    if (!Number.isSafeInteger(value) || value > 100_000_000) return fail('数字太大了，请检查');
    return { ok: true, value };
  }
  if (decimals(value) > 4) {
    return fail(yuan ? '金额最多精确到 1 元' : '万元最多保留 4 位小数（0.0001 万元 = 1 元）');
  }
  if (value > 1_000_000) return fail('金额太大了，请检查（单位是万元）');
  return note ? { ok: true, value: round4(value), note } : { ok: true, value: round4(value) };
}

/** A number with optional 万/千/百 multiplier, or a Chinese numeral. `wanIsUnit`: in a 万元 cell, "3.5万" is 3.5. */
function readAmount(text: string, wanIsUnit: boolean): ParsedValue {
  if (CN_NUMERAL.test(text)) return readChinese(text);
  const m = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d+))?(万|千|百|k|w)?$/iu.exec(text);
  if (!m || (m[1] === undefined && m[2] === undefined)) {
    if (/^\d+(?:,\d+)+(?:\.\d+)?$/u.test(text)) return fail('数字里的逗号位置不对，请直接写数字，如 12000');
    // 3o0, l20: a letter typed for a digit. Said, never read as one: these are official figures.
    if (/\d/u.test(text) && /^[\d.oOlI]+$/u.test(text)) return fail(`「${text}」里有字母，是不是 ${text.replace(/[oO]/gu, '0').replace(/[lI]/gu, '1')}？`);
    if (/\d/u.test(text) && /\d\D+\d/u.test(text)) return fail('一次只能填一个数字');
    return fail(/\d/u.test(text) ? '没看懂这个数字' : '没有找到数字');
  }
  const whole = (m[1] ?? '0').replace(/,/g, '');
  const fraction = m[2] ?? '';
  const unit = (m[3] ?? '').toLowerCase();
  const base = Number(`${whole}.${fraction || '0'}`);
  const isWan = unit === '万' || unit === 'w';
  if (wanIsUnit && unit !== '' && !isWan) return fail('金额请以万元为单位填写，如 3.5 或 35000元');
  const multiplier = isWan ? (wanIsUnit ? 1 : 10_000) : unit === '千' || unit === 'k' ? 1_000 : unit === '百' ? 100 : 1;
  const value = base * multiplier;
  // Decimal places as typed, less what the multiplier absorbs (1.2万 is a whole number).
  const places = Math.max(0, fraction.length - Math.log10(multiplier));
  return { ok: true, value: Number(value.toFixed(Math.min(places, 10))) };
}

/**
 * Chinese numerals through nzh, after the colloquial forms it does not take: 两 → 二, and a
 * trailing digit after a unit standing for the next unit down (一万二 = 一万二千, 三千五 = 三千五百).
 */
function readChinese(text: string): ParsedValue {
  let t = text.replace(/两/g, '二').replace(/〇/g, '零');
  if (t.includes('点')) return fail('这一项请用阿拉伯数字填写小数，如 3.5');
  const next: Record<string, string> = { 万: '千', 千: '百', 百: '十' };
  const tail = /([万千百])([一二三四五六七八九])$/u.exec(t);
  if (tail) t += next[tail[1]!];
  const value = Number(Nzh.cn.decodeS(t));
  if (!Number.isFinite(value) || (value === 0 && !/^零+$/u.test(t))) return fail('没看懂这个数字');
  return { ok: true, value };
}

function decimals(n: number): number {
  const s = String(n);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  return s.includes('.') ? s.split('.')[1]!.length : 0;
}

function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

/** 12000 → "12,000"; 3.5 → "3.5" (as people read them). */
export function formatNumber(n: number): string {
  const [whole, fraction] = String(n).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction ? `${grouped}.${fraction}` : grouped;
}
