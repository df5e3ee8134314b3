import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

export class XmlError extends Error {
  constructor(readonly reason: 'doctype' | 'malformed' | 'not-wecom') {
    super(`XML ${reason}`);
    this.name = 'XmlError';
  }
}

// parseTagValue:false keeps every value a string: `<Content>007</Content>` stays "007" and a
// 64-bit MsgId keeps every digit. DOCTYPE is refused before parsing, so entity expansion
// (billion laughs, external entities) never runs.
const parser = new XMLParser({
  parseTagValue: false,
  ignoreAttributes: true,
  processEntities: true,
  htmlEntities: true,
  trimValues: true,
});
const builder = new XMLBuilder({ cdataPropName: '__cdata', suppressEmptyNode: false });

const DECLARATIONS = /<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i;

/**
 * Parses a WeCom `<xml>…</xml>` document into its top-level elements, every value a string.
 * Nested elements (e.g. ScanCodeInfo) are skipped. Throws XmlError.
 */
export function parseWecomXml(text: string): Record<string, string> {
  if (DECLARATIONS.test(text)) throw new XmlError('doctype');
  if (XMLValidator.validate(text) !== true) throw new XmlError('malformed');
  const doc: unknown = parser.parse(text);
  const root = (doc as { xml?: unknown } | null)?.xml;
  if (root === undefined || root === null || typeof root !== 'object') {
    if (root === '') return {};
    throw new XmlError('not-wecom');
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(root as Record<string, unknown>)) {
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

type XmlValue = string | number | { __cdata: string };

/** Builds `<xml>…</xml>`; string values go in CDATA (with `]]>` split safely), numbers bare. */
export function buildWecomXml(fields: Record<string, string | number>): string {
  const xml: Record<string, XmlValue> = {};
  for (const [name, value] of Object.entries(fields)) {
    xml[name] = typeof value === 'number' ? value : { __cdata: value };
  }
  return builder.build({ xml }) as string;
}
