import { describe, expect, it } from 'vitest';
import { XmlError, buildWecomXml, parseFlatXml, parseWecomXml, parseWithSaxes } from '../../src/wecom/xml';

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

describe('the quick reading of flat documents', () => {
  const saxesReads = (text: string) => {
    try {
      return parseWithSaxes(text);
    } catch (error) {
      return error instanceof XmlError ? error.reason : 'threw';
    }
  };

  it('reads WeCom’s envelope and messages itself', () => {
    const envelope = '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>';
    expect(parseFlatXml(envelope)).toEqual(parseWithSaxes(envelope));
    const message = buildWecomXml({ ToUserName: 'ww1', FromUserName: 'zhangsan', CreateTime: 1476422779, MsgType: 'text', Content: '修改 学员人数 120 ]]> 😀\n第二行', MsgId: '18446744073709551615', AgentID: 1000002 });
    expect(parseFlatXml(message)).toEqual({ ToUserName: 'ww1', FromUserName: 'zhangsan', CreateTime: '1476422779', MsgType: 'text', Content: '修改 学员人数 120 ]]> 😀\n第二行', MsgId: '18446744073709551615', AgentID: '1000002' });
  });

  it('reads every document it takes as saxes does, and leaves the rest to saxes (thousands of generated documents)', () => {
    // Pieces of documents, well-formed and not: the quick reading must agree or step aside.
    const values = ['', ' ', 'abc', ' 你好 ', '007', 'a&amp;b', 'a<b', 'x]]>y', 'line\r\nend', 'tab\there', '\u0001', '😀', '\uD800', '\uDC00x', '\u3000全角\u3000', '<![CDATA[in]]>', '<![CDATA[a]]]]><![CDATA[>b]]>', '<![CDATA[x]]> ', ' <![CDATA[x]]>', '<![CDATA[x]]>y', '<B>1</B>', '<!-- c -->', '<![CDATA[\r]]>', '<![CDATA[unclosed'];
    const names = ['A', 'Content', 'Msg_Id2', 'A ', 'A/', '1A', 'a-b'];
    const wrap = ['<xml>%</xml>', ' \n<xml>%</xml>\n ', '<?xml version="1.0"?><xml>%</xml>', '\uFEFF<xml>%</xml>', '<root>%</root>', '<xml>%</xml>trailing', '<xml>%', '<xml a="1">%</xml>'];
    let seed = 7;
    const pick = <T>(list: readonly T[]) => list[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % list.length]!;
    let quick = 0;
    for (let n = 0; n < 5000; n++) {
      const fields = Array.from({ length: 1 + (n % 4) }, () => {
        const name = pick(names);
        const close = pick([name, name, name, 'Other']);
        return `${pick(['', ' ', '\n  '])}<${name}>${pick(values)}</${close}>`;
      }).join('');
      const doc = pick(wrap).replace('%', fields);
      const fast = parseFlatXml(doc);
      if (fast === null) continue;
      quick++;
      expect(fast, doc).toEqual(saxesReads(doc));
    }
    // Enough of them took the quick path to mean something.
    expect(quick).toBeGreaterThan(300);
  });
});
