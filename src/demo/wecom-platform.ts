import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Plays WeCom's side of the callback protocol: signs and encrypts requests the way the platform
 * does, and opens passive replies. Written from the protocol (加解密方案说明) on node:crypto alone,
 * sharing no code with the product's callback handling (src/wecom), so that the two check each
 * other in the tests; the demo's emulator page uses it to talk to the bot as WeCom would.
 */
export interface PlatformConfig {
  token: string;
  encodingAesKey: string;
  corpId: string;
  agentId: string;
}

export interface RawPlaintextOptions {
  receiveId?: string;
  /** Overrides the 4-byte length field. */
  lengthField?: number;
  /** Pads to this many bytes with this byte value instead of PKCS#7 to 32. */
  padding?: { count: number; value: number };
}

export class WeComPlatform {
  readonly key: Buffer;
  constructor(readonly config: PlatformConfig) {
    this.key = Buffer.from(`${config.encodingAesKey}=`, 'base64');
  }

  sign(timestamp: string, nonce: string, encrypted: string, token = this.config.token): string {
    return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
  }

  /** AES-256-CBC over random(16) ‖ len(4, BE) ‖ msg ‖ receiveId ‖ PKCS#7(32), base64. */
  encrypt(message: string, options: RawPlaintextOptions = {}): string {
    const msg = Buffer.from(message, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(options.lengthField ?? msg.length);
    const body = Buffer.concat([randomBytes(16), len, msg, Buffer.from(options.receiveId ?? this.config.corpId)]);
    const count = options.padding?.count ?? 32 - (body.length % 32);
    const value = options.padding?.value ?? count;
    const plain = Buffer.concat([body, Buffer.alloc(count, value)]);
    if (plain.length % 16 !== 0) throw new Error('test plaintext must fill whole AES blocks');
    const cipher = createCipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
  }

  /** Strict decryption, as the platform would check a reply. */
  decrypt(encrypted: string): { message: string; receiveId: string } {
    const decipher = createDecipheriv('aes-256-cbc', this.key, this.key.subarray(0, 16));
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
    const pad = plain[plain.length - 1]!;
    if (pad < 1 || pad > 32 || !plain.subarray(plain.length - pad).every((b) => b === pad)) throw new Error('bad PKCS#7 padding');
    const content = plain.subarray(16, plain.length - pad);
    const length = content.readUInt32BE(0);
    if (4 + length > content.length) throw new Error('length field past the end');
    return { message: content.subarray(4, 4 + length).toString('utf8'), receiveId: content.subarray(4 + length).toString('utf8') };
  }

  textXml(args: { from: string; content: string; msgId: string; createTime?: number; cdata?: boolean }): string {
    const t = args.createTime ?? Math.floor(Date.now() / 1000);
    const v = (s: string) => (args.cdata === false ? s : `<![CDATA[${s}]]>`);
    return (
      `<xml><ToUserName>${v(this.config.corpId)}</ToUserName><FromUserName>${v(args.from)}</FromUserName>` +
      `<CreateTime>${t}</CreateTime><MsgType>${v('text')}</MsgType><Content>${v(args.content)}</Content>` +
      `<MsgId>${args.msgId}</MsgId><AgentID>${this.config.agentId}</AgentID></xml>`
    );
  }

  eventXml(args: { from: string; event: string; eventKey?: string; taskId?: string; cardType?: string; responseCode?: string; createTime?: number }): string {
    const t = args.createTime ?? Math.floor(Date.now() / 1000);
    return (
      `<xml><ToUserName><![CDATA[${this.config.corpId}]]></ToUserName><FromUserName><![CDATA[${args.from}]]></FromUserName>` +
      `<CreateTime>${t}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${args.event}]]></Event>` +
      `<EventKey><![CDATA[${args.eventKey ?? ''}]]></EventKey>${args.taskId ? `<TaskId><![CDATA[${args.taskId}]]></TaskId>` : ''}` +
      `${args.cardType ? `<CardType><![CDATA[${args.cardType}]]></CardType>` : ''}${args.responseCode ? `<ResponseCode><![CDATA[${args.responseCode}]]></ResponseCode>` : ''}` +
      `<AgentID>${this.config.agentId}</AgentID></xml>`
    );
  }

  /** The query string and body WeCom would POST for this message. */
  envelope(innerXml: string, opts: { timestamp?: string; nonce?: string; encrypted?: string } = {}): { query: string; body: string } {
    const timestamp = opts.timestamp ?? String(Math.floor(Date.now() / 1000));
    const nonce = opts.nonce ?? String(Math.floor(Math.random() * 1e10));
    const encrypted = opts.encrypted ?? this.encrypt(innerXml);
    const signature = this.sign(timestamp, nonce, encrypted);
    const query = new URLSearchParams({ msg_signature: signature, timestamp, nonce }).toString();
    const body = `<xml><ToUserName><![CDATA[${this.config.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[${this.config.agentId}]]></AgentID></xml>`;
    return { query, body };
  }

  /** Verifies a passive reply's signature and decrypts it; returns its fields. */
  openReply(body: string): Record<string, string> {
    const outer = fields(body);
    const expected = this.sign(outer.TimeStamp!, outer.Nonce!, outer.Encrypt!);
    if (expected !== outer.MsgSignature) throw new Error('reply signature does not verify');
    if (!/^\d{10}$/.test(outer.TimeStamp!)) throw new Error('reply TimeStamp is not in seconds');
    const { message, receiveId } = this.decrypt(outer.Encrypt!);
    if (receiveId !== this.config.corpId) throw new Error(`reply ReceiveId ${receiveId} is not the CorpID`);
    return fields(message);
  }
}

/** Reads <Name>value</Name> or <Name><![CDATA[value]]></Name> children, independently of the product's parser. */
export function fields(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of xml.matchAll(/<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)) {
    out[m[1]!] = m[2] ?? m[3] ?? '';
  }
  return out;
}
