import { z } from 'zod';
import { wecomMessageSchema } from '../wecom/message';

export type { WeComMessage } from '../wecom/message';

const filterSchema = z.object({ city: z.string().optional(), category: z.enum(['A', 'B', 'C', 'D']).optional() });

/** The reference of an entry: which partition owner it lives under, and its idempotency key. */
const entryRefSchema = z.object({ owner: z.string(), id: z.string() });
export type EntryRef = z.infer<typeof entryRefSchema>;

/**
 * What an entry asks for. `message` is a WeCom send (in order, to at most 1000 users); the others
 * are follow-ups a commit leaves to a worker because they touch other hash slots or take long:
 * the update of a clicked card, a reopen of a school's month (staff 解锁), a 催报's fan-out to schools, an export file, and the
 * delivery report a staff member gets once the entries of an action are delivered.
 */
export const payloadSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('message'),
    to: z.array(z.string()).min(1).max(1000),
    messages: z.array(wecomMessageSchema).min(1),
  }),
  /** The clicked button of a card, replaced for its user by a text (update_template_card). */
  z.object({
    kind: z.literal('card-update'),
    to: z.string(),
    /** The click's single-use code (valid 72 hours). */
    responseCode: z.string().min(1),
    replaceName: z.string().min(1),
  }),
  z.object({
    kind: z.literal('export'),
    to: z.string(),
    by: z.string(),
    period: z.string(),
    filter: filterSchema,
    fileName: z.string(),
  }),
  z.object({
    kind: z.literal('reopen'),
    school: z.string(),
    period: z.string(),
    by: z.string(),
    at: z.number(),
    /** Told to the school's contacts, once the month is reopened. */
    notice: z.string(),
    contacts: z.array(z.string()),
  }),
  z.object({
    kind: z.literal('review'),
    school: z.string(),
    period: z.string(),
    decision: z.enum(['approve', 'return']),
    /** 退回's reason. */
    reason: z.string(),
    by: z.string(),
    byName: z.string(),
    at: z.number(),
    /** The submission reviewed: a report resubmitted meanwhile is not decided on unseen. */
    submittedAt: z.number(),
    /** Told to the school's contacts once the decision is recorded. */
    notice: z.string(),
    contacts: z.array(z.string()),
  }),
  z.object({
    kind: z.literal('recall'),
    by: z.string(),
    at: z.number(),
    /** The broadcast's id, and what the staff member is told it was. */
    ref: z.string(),
    label: z.string(),
    /** Its message entries, whose msgids are withdrawn. */
    chunks: z.array(entryRefSchema),
  }),
  z.object({
    kind: z.literal('workbench-template'),
  }),
  /** The tiles a change touches beyond the turn's own people: staff (a city's and the province's), or everyone (a window opened or closed). */
  z.object({
    kind: z.literal('workbench-fanout'),
    who: z.enum(['staff', 'everyone']),
    city: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('workbench'),
    /** Whose tile: its content is worked out when it goes out (the latest state, whatever changed in the minute). */
    userId: z.string(),
  }),
  z.object({
    kind: z.literal('nudge'),
    by: z.string(),
    period: z.string(),
    schools: z.array(z.string()),
    /** When the nudges go out (quiet hours defer a staff 催报). */
    sendAt: z.number(),
    /** Scope label for the delivery report: 全省, 郑州 · C 类 … */
    label: z.string(),
  }),
  z.object({
    kind: z.literal('report'),
    to: z.string(),
    /** The entries whose outcome the report gives. */
    of: z.array(entryRefSchema),
    head: z.string(),
    /** Lines said whatever the outcome (schools skipped, schools without contacts). */
    notes: z.array(z.string()),
    /** Written to the audit log once the entries are delivered. */
    audit: z.looseObject({ action: z.string(), by: z.string(), at: z.number() }),
  }),
]);
export type Payload = z.infer<typeof payloadSchema>;
export type PayloadKind = Payload['kind'];

/** An entry as a commit writes it. `due`: epoch ms, on the business clock (quiet hours push it). */
export interface EntryInit {
  id: string;
  payload: Payload;
  due: number;
}

export type EntryState = 'pending' | 'sent' | 'invalid' | 'failed' | 'done' | 'cancelled';

/** What WeCom answered for the pieces sent so far. */
export interface DeliveryResult {
  msgIds: string[];
  /** invaliduser (and every recipient on 81013). */
  invalid: string[];
  unlicensed: string[];
}

/** A stored entry. */
export interface Entry extends EntryInit {
  owner: string;
  state: EntryState;
  /** Attempts that failed (a deferral for a member's limit, or for later, is not one). */
  failures: number;
  createdAt: number;
  /** When it first failed: give-up is counted from here. */
  firstFailedAt: number | null;
  finishedAt: number | null;
  lastError: string | null;
  /** Messages of the entry already sent (a resumed entry goes on from there). */
  progress: number;
  result: DeliveryResult;
  /** media_id of an export's uploaded file, kept so that a resend is the same request. */
  media: string | null;
}

/** An entry a worker holds for a while; only the holder of the token may settle it. */
export interface Leased extends Entry {
  token: string;
}

export const FINAL_STATES: ReadonlySet<EntryState> = new Set(['sent', 'invalid', 'failed', 'done', 'cancelled']);

export const emptyResult = (): DeliveryResult => ({ msgIds: [], invalid: [], unlicensed: [] });

/** Recipients of a message entry who were reached (not invalid, not unlicensed, not failed). */
export function reached(entry: Entry): string[] {
  if (entry.payload.kind !== 'message' || entry.state === 'failed' || entry.state === 'pending') return [];
  const missed = new Set([...entry.result.invalid, ...entry.result.unlicensed]);
  return entry.payload.to.filter((u) => !missed.has(u));
}
