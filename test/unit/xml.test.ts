import { describe, expect, it } from 'vitest';
import { XmlError, buildWecomXml, parseWecomXml } from '../../src/wecom/xml';

const reason = (text: string) => {
  try {
    parseWecomXml(text);
  } catch (error) {
    if (error instanceof XmlError) return error.reason;
    throw error;
  }
  return 'parsed';
};

describe('parseWecomXml', () => {
  it('keeps every value a string, CDATA or not', () => {
    expect(parseWecomXml('<xml><Content><![CDATA[007]]></Content><Bare>007</Bare><MsgId>18446744073709551615</MsgId><CreateTime>1476422779</CreateTime></xml>')).toEqual({
      Content: '007',
      Bare: '007',
      MsgId: '18446744073709551615',
      CreateTime: '1476422779',
    });
  });
  it('reads elements in any order and with whitespace between them', () => {
    expect(parseWecomXml('<xml>\n  <AgentID>1</AgentID>\n  <Encrypt><![CDATA[abc+/=]]></Encrypt>\n</xml>')).toEqual({ AgentID: '1', Encrypt: 'abc+/=' });
  });
  it('decodes standard and numeric entities', () => {
    expect(parseWecomXml('<xml><Content>a &amp; b &lt; &#x4F60;&#22909;</Content></xml>').Content).toBe('a & b < 你好');
  });
  it('refuses a DOCTYPE or an entity declaration', () => {
    expect(reason('<!DOCTYPE xml [<!ENTITY e "boom">]><xml><A>&e;</A></xml>')).toBe('doctype');
    expect(reason('<xml><!ENTITY x SYSTEM "file:///etc/passwd"></xml>')).toBe('doctype');
  });
  it('refuses text that is not XML', () => {
    expect(reason('hello')).toBe('malformed');
    expect(reason('<xml><A>1</B></xml>')).toBe('malformed');
    expect(reason('{"json":true}')).toBe('malformed');
  });
  it('refuses XML without the <xml> root', () => {
    expect(reason('<root><A>1</A></root>')).toBe('not-wecom');
  });
});

describe('buildWecomXml', () => {
  it('puts strings in CDATA, splitting any ]]> safely, and numbers bare', () => {
    const xml = buildWecomXml({ Content: 'a]]>b', CreateTime: 12 });
    expect(xml).toBe('<xml><Content><![CDATA[a]]]]><![CDATA[>b]]></Content><CreateTime>12</CreateTime></xml>');
    expect(parseWecomXml(xml)).toEqual({ Content: 'a]]>b', CreateTime: '12' });
  });
});
