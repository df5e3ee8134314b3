/**
 * The chat words of interfaces.md with a few natural aliases each. Input is normalised first
 * (NFKC, trimmed, lower case), so full-width letters and stray spaces do not matter.
 */
export type Command =
  | 'report'
  | 'continue'
  | 'previous'
  | 'view'
  | 'submit'
  | 'confirm'
  | 'zero'
  | 'pause'
  | 'discard'
  | 'progress'
  | 'same'
  | 'help';

const WORDS: Record<Command, string[]> = {
  report: ['填报', '开始填报', '填写', '填月报', '月报', '报表', '开始'],
  continue: ['继续', '继续填报', '继续填写', '接着填', '下一项'],
  previous: ['上一项', '上一个', '上一题', '上一步', '返回'],
  view: ['查看', '预览', '查看已填', '看看'],
  submit: ['提交', '上报', '报送'],
  confirm: ['确认', '确定', '是', '是的', '好', '好的', '对', '没问题', 'ok', 'yes'],
  zero: ['本月无培训', '本月没有培训', '无培训', '没有培训', '零报告'],
  pause: ['暂停', '稍后', '先停', '等会', '等一下', '稍后再填'],
  discard: ['放弃', '放弃填报', '作废', '清空', '重新填'],
  progress: ['进度', '查询进度', '状态', '本校进度'],
  same: ['同上月', '同上', '和上月一样', '跟上月一样', '与上月相同', '同上个月', '沿用上月', '不变'],
  help: ['帮助', '帮忙', '使用说明', '说明', '菜单', 'help', '?', '？'],
};

const LOOKUP = new Map<string, Command>(Object.entries(WORDS).flatMap(([cmd, words]) => words.map((w) => [w, cmd as Command])));

export function normalizeInput(raw: string): string {
  return raw.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** The command a whole message stands for, if it is one (trailing punctuation ignored). */
export function commandOf(normalized: string): Command | null {
  const word = normalized.replace(/[。.!！~～]+$/u, '');
  // 「10月无培训」, as the bot offers it: the month is the report's (checked by the conversation).
  if (ZERO_OF_MONTH.test(word)) return 'zero';
  // 「补报 9月」 / 「填报 2026-09」: 填报 of a named month (the month is chosen where the records load).
  return LOOKUP.get(word) ?? (reportRequest(word) ? 'report' : null);
}

/** 「10月无培训」 / 「10月份没有培训」: a zero report for the month named. */
export const ZERO_OF_MONTH = /^(\d{1,2})\s*月份?(?:无培训|没有培训|没培训)$/u;

/**
 * 「补报 9月」 / 「填报 2026-09」 / 「补报」: filing a named month (a year, when not given, is the
 * latest that month could be), or — 补报 alone — the month staff reopened.
 */
export type ReportRequest = { month: number; year: number | null } | { late: true };

export function reportRequest(normalized: string): ReportRequest | null {
  const m = /^(?:补报|填报|填写|开始填报)\s*(?:(\d{4})\s*[-年/.]\s*)?(\d{1,2})\s*(?:月份?)?(?:的?月报)?$/u.exec(normalized);
  if (m && Number(m[2]) >= 1 && Number(m[2]) <= 12) return { year: m[1] ? Number(m[1]) : null, month: Number(m[2]) };
  return normalized === '补报' || normalized === '补报月报' ? { late: true } : null;
}

/** 「修改 制造业」 / 「改 12」 / 「修改」: the rest after the word, or null when it is not a 修改. */
export function modifyTarget(normalized: string): string | null {
  const m = /^(?:修改|更正|改正|改)\s*(.*)$/u.exec(normalized);
  return m ? m[1]!.trim() : null;
}

/** 「其余为0」 and its variants: the rest of the part is zero. */
export const REST_ZERO = /(?:其余|剩下|剩余|余下)(?:的)?(?:项目?)?(?:都|均|全|全部)?(?:为|是|填|记为)?\s*(?:0|零)(?:人次)?/u;
