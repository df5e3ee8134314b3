/** Normalises what a person typed: full-width to half-width (NFKC), trimmed, lower case. */
export function normalizeInput(raw: string): string {
  return raw.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

const HELP_WORDS = new Set(['帮助', '帮忙', '使用说明', '说明', '菜单', 'help', '?', '？']);

export function isHelpWord(normalized: string): boolean {
  return HELP_WORDS.has(normalized);
}
