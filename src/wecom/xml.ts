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
