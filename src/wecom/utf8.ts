/**
 * Splits text into pieces of at most maxBytes UTF-8 bytes (WeCom counts bytes, and a Chinese
 * character is 3), preferring to break after a newline, never inside a character.
 */
export function splitUtf8(text: string, maxBytes: number): string[] {
  if (Buffer.byteLength(text) <= maxBytes) return [text];
  const pieces: string[] = [];
  let rest = text;
  while (Buffer.byteLength(rest) > maxBytes) {
    const cut = cutIndex(rest, maxBytes);
    pieces.push(rest.slice(0, cut).replace(/\n+$/, ''));
    rest = rest.slice(cut).replace(/^\n+/, '');
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces;
}

/** The largest prefix length (in UTF-16 units) that fits, moved back to a newline if one is near. */
function cutIndex(text: string, maxBytes: number): number {
  let bytes = 0;
  let index = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    index += ch.length;
  }
  const newline = text.lastIndexOf('\n', index - 1);
  return newline > index / 2 ? newline + 1 : index;
}

/** Cuts text to at most maxBytes UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  return splitUtf8(text, maxBytes)[0] ?? '';
}
