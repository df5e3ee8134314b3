import { SaxesParser } from 'saxes';

export class XmlError extends Error {
  constructor(readonly reason: 'doctype' | 'malformed' | 'not-wecom') {
    super(`XML ${reason}`);
    this.name = 'XmlError';
  }
}

class DoctypeRefused extends Error {}

/** Declarations have no place in WeCom's XML; naming them in the error helps whoever reads the log. */
const DECLARATIONS = /<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;

/**
 * Parses a WeCom `<xml>…</xml>` document into its top-level elements, every value a string
 * (`<Content>007</Content>` stays "007", a 64-bit MsgId keeps every digit), CDATA or not.
 * saxes is a strict, well-formedness-checking parser; a DOCTYPE is refused outright, so no
 * entity is ever declared or expanded. Elements with children of their own (e.g. ScanCodeInfo)
 * are skipped. Throws XmlError.
 */
export function parseWecomXml(text: string): Record<string, string> {
  if (DECLARATIONS.test(text)) throw new XmlError('doctype');
  return parseFlatXml(text) ?? parseWithSaxes(text);
}

/** A field name as WeCom writes them. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * What the quick reading leaves to saxes: markup or entities in text, line ends (XML normalizes
 * \r), characters XML forbids, and lone surrogates.
 */
const NOT_PLAIN = /[<&\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|\]\]>/;
const NOT_CHARS = /[\r\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
/** Surrogates: looked at closely (a lone one is not XML) only where there are any, mostly emoji. */
const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unreadable = (text: string, refused: RegExp) => refused.test(text) || (SURROGATE.test(text) && LONE_SURROGATE.test(text));
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09;

/**
 * WeCom's documents as WeCom writes them — `<xml>`, then flat fields of CDATA sections or plain
 * text — read with indexOf: the two documents of a callback take 5–10 µs so, 12–19 µs through saxes. Anything
 * else (a prolog, attributes, nested elements, comments, entities, a \r) returns null and is
 * read by saxes, so that every document reads as saxes reads it (held to saxes in
 * test/unit/xml.test.ts).
 */
export function parseFlatXml(text: string): Record<string, string> | null {
  let i = 0;
  const end = text.length;
  while (i < end && isSpace(text.charCodeAt(i))) i++;
  if (!text.startsWith('<xml>', i)) return null;
  i += 5;
  const out: Record<string, string> = {};
  for (;;) {
    while (i < end && isSpace(text.charCodeAt(i))) i++;
    if (text.startsWith('</xml>', i)) {
      i += 6;
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      return i === end ? out : null;
    }
    if (text.charCodeAt(i) !== 0x3c) return null;
    const close = text.indexOf('>', i);
    if (close < 0) return null;
    const name = text.slice(i + 1, close);
    if (!NAME.test(name)) return null;
    i = close + 1;
    let value = '';
    // CDATA sections (a `]]>` inside is written as two), or plain text.
    while (text.startsWith('<![CDATA[', i)) {
      const stop = text.indexOf(']]>', i + 9);
      if (stop < 0) return null;
      const section = text.slice(i + 9, stop);
      if (unreadable(section, NOT_CHARS)) return null;
      value += section;
      i = stop + 3;
    }
    const tail = `</${name}>`;
    const stop = text.indexOf(tail, i);
    if (stop < 0) return null;
    const plain = text.slice(i, stop);
    if (plain !== '' && (unreadable(plain, NOT_PLAIN) || (value !== '' && plain.trim() !== ''))) return null;
    out[name] = (value + plain).trim();
    i = stop + tail.length;
  }
}

/** The full reading (exported for the test that holds the quick one to it). */
export function parseWithSaxes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let depth = 0;
  let rootName = '';
  let field = '';
  let value = '';
  let nested = false;
  const parser = new SaxesParser();
  parser.on('doctype', () => {
    throw new DoctypeRefused();
  });
  parser.on('opentag', (tag) => {
    depth++;
    if (depth === 1) rootName = tag.name;
    else if (depth === 2) {
      field = tag.name;
      value = '';
      nested = false;
    } else nested = true;
  });
  parser.on('text', (t) => {
    if (depth === 2) value += t;
  });
  parser.on('cdata', (t) => {
    if (depth === 2) value += t;
  });
  parser.on('closetag', () => {
    if (depth === 2 && !nested) out[field] = value.trim();
    depth--;
  });
  try {
    parser.write(text).close();
  } catch (error) {
    throw new XmlError(error instanceof DoctypeRefused ? 'doctype' : 'malformed');
  }
  if (rootName !== 'xml') throw new XmlError('not-wecom');
  return out;
}

/** Wraps text in CDATA; a `]]>` inside is split across two sections. */
function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** Builds `<xml>…</xml>`; string values go in CDATA, numbers bare. Names are the caller's constants. */
export function buildWecomXml(fields: Record<string, string | number>): string {
  let body = '';
  for (const [name, value] of Object.entries(fields)) {
    body += `<${name}>${typeof value === 'number' ? value : cdata(value)}</${name}>`;
  }
  return `<xml>${body}</xml>`;
}
