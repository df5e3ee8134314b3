import { z } from 'zod';

/** A parsed callback the bot acts on. Anything else is acknowledged and dropped. */
export type Inbound = InboundText | InboundEvent;

interface InboundBase {
  userId: string;
  corpId: string;
  agentId: string;
  /** Seconds since the epoch, as WeCom sent it. */
  createTime: number;
}

export interface InboundText extends InboundBase {
  kind: 'text';
  /** 64-bit: kept as a string. */
  msgId: string;
  content: string;
}

export type HandledEvent = 'subscribe' | 'enter_agent' | 'click' | 'template_card_event';

export interface InboundEvent extends InboundBase {
  kind: 'event';
  event: HandledEvent;
  eventKey: string;
  taskId: string;
  cardType: string;
  responseCode: string;
}

export type ParsedCallback = { handled: true; inbound: Inbound } | { handled: false; msgType: string; event?: string; userId?: string };

export class InboundError extends Error {
  constructor(readonly field: string) {
    super(`callback message lacks a valid ${field}`);
    this.name = 'InboundError';
  }
}

const HANDLED_EVENTS = new Set<string>(['subscribe', 'enter_agent', 'click', 'template_card_event']);

const base = z.object({
  ToUserName: z.string().min(1),
  FromUserName: z.string().min(1),
  CreateTime: z.string().regex(/^\d{1,12}$/),
  MsgType: z.string().min(1),
  AgentID: z.string().optional().default(''),
});
const text = z.object({ MsgId: z.string().regex(/^\d{1,20}$/), Content: z.string().default('') });
const event = z.object({
  Event: z.string().min(1),
  EventKey: z.string().default(''),
  TaskId: z.string().default(''),
  CardType: z.string().default(''),
  ResponseCode: z.string().default(''),
});

function parseOrThrow<T extends z.ZodType>(schema: T, fields: Record<string, string>): z.output<T> {
  const result = schema.safeParse(fields);
  if (!result.success) throw new InboundError(String(result.error.issues[0]?.path[0] ?? 'field'));
  return result.data;
}

/** Turns the decrypted message's fields into a typed value. Throws InboundError when malformed. */
export function parseInbound(fields: Record<string, string>): ParsedCallback {
  const head = parseOrThrow(base, fields);
  const common = { userId: head.FromUserName, corpId: head.ToUserName, agentId: head.AgentID, createTime: Number(head.CreateTime) };
  if (head.MsgType === 'text') {
    const body = parseOrThrow(text, fields);
    return { handled: true, inbound: { kind: 'text', ...common, msgId: body.MsgId, content: body.Content } };
  }
  if (head.MsgType === 'event') {
    const body = parseOrThrow(event, fields);
    // Event names are lowercase in the docs, but compare without case to be safe.
    const name = body.Event.toLowerCase();
    if (!HANDLED_EVENTS.has(name)) return { handled: false, msgType: 'event', event: name, userId: common.userId };
    return {
      handled: true,
      inbound: {
        kind: 'event',
        ...common,
        event: name as HandledEvent,
        eventKey: body.EventKey,
        taskId: body.TaskId,
        cardType: body.CardType,
        responseCode: body.ResponseCode,
      },
    };
  }
  return { handled: false, msgType: head.MsgType, userId: common.userId };
}

/**
 * The identity of a delivery, for deduplicating WeCom's retries. Events carry no MsgId, and
 * user + CreateTime alone collides (a click and enter_agent in one second), so the event's
 * name, key and task id are part of it.
 */
export function deliveryId(inbound: Inbound): string {
  if (inbound.kind === 'text') return `m:${inbound.msgId}`;
  return ['e', inbound.userId, inbound.createTime, inbound.event, inbound.eventKey, inbound.taskId].join(':');
}
