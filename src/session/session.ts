import { z } from 'zod';

/**
 * A user's conversation state. Small, versioned, and parsed on every read: a record written by
 * another version is migrated through `migrations` or restarted — never misread.
 */
export const SESSION_VERSION = 6;

/** Sessions are kept for four months: longer than any reporting period stays open. */
export const SESSION_TTL_MS = 120 * 24 * 3_600_000;

/** How many said warnings a session keeps (the newest). */
export const SAID_MAX = 30;

/** Where a school contact is in filing a report. The values live in the school's shared draft. */
export const reportStateSchema = z.object({
  school: z.string(),
  period: z.string(),
  /** The cell being corrected (修改 / 上一项); otherwise the first unanswered cell is asked. */
  editing: z.string().nullable(),
  /** A confirmation the next 「确认」 answers. */
  awaiting: z.enum(['submit', 'zero', 'discard', 'row']).nullable(),
  /** A row of numbers read but not yet stored, by cell id: 「确认」 stores it, anything else drops it. */
  row: z.record(z.string(), z.number()).nullable(),
  /** Warnings already said to this person (their messages, which carry the numbers): each is said once. */
  said: z.array(z.string()).max(SAID_MAX),
  /** Failed answers to the current question; the third brings the cell's help. */
  attempts: z.number().int().nonnegative(),
  /**
   * The cell asked last: a bare number answers it (if another contact filled it meanwhile, the
   * answer is refused, not written elsewhere), and asking it again skips its part's introduction.
   */
  asked: z.string().nullable(),
  /** The form version the cell ids above belong to (a newer form renames or removes cells). */
  form: z.number().int().positive(),
});
export type ReportState = z.infer<typeof reportStateSchema>;

/** A staff member composing a 广播: the text, then the audience, then the confirmation. */
export const broadcastStateSchema = z.object({
  step: z.enum(['text', 'audience', 'confirm']),
  text: z.string().nullable(),
  /** The audience as typed (「郑州 未报」), re-read on 确认 so the count is current. */
  audience: z.string().nullable(),
});
export type BroadcastState = z.infer<typeof broadcastStateSchema>;

/** A staff 催报 of more than one school, waiting for 「确认」 with the count it was shown. */
export const nudgeStateSchema = z.object({
  filter: z.object({ city: z.string().optional(), category: z.enum(['A', 'B', 'C', 'D']).optional() }),
  count: z.number().int().positive(),
});
export type NudgeState = z.infer<typeof nudgeStateSchema>;

/** A 模板卡片 sent to this user, with its buttons (their keys, and their texts to say what was chosen). */
export const liveCardSchema = z.object({ taskId: z.string(), buttons: z.array(z.object({ key: z.string(), text: z.string() })) });
export type LiveCard = z.infer<typeof liveCardSchema>;

export const sessionSchema = z.object({
  v: z.literal(SESSION_VERSION),
  /** Inbound events handled for this user. */
  turns: z.number().int().nonnegative(),
  /** Epoch ms of the last handled event. */
  lastEventAt: z.number().int().nonnegative(),
  /** Epoch ms when an unregistered user was last told so (to not repeat it on every app open). */
  unregisteredNoticeAt: z.number().int().nonnegative().nullable(),
  /** Filing in progress, or null. */
  report: reportStateSchema.nullable(),
  /** A 广播 being composed, or null. */
  broadcast: broadcastStateSchema.nullable(),
  /** A 催报 waiting for 「确认」, or null. */
  nudge: nudgeStateSchema.nullable(),
  /** The card whose buttons are live: a click on any other card is told it has expired. */
  card: liveCardSchema.nullable(),
});

export type Session = z.infer<typeof sessionSchema>;

export function newSession(): Session {
  return { v: SESSION_VERSION, turns: 0, lastEventAt: 0, unregisteredNoticeAt: null, report: null, broadcast: null, nudge: null, card: null };
}

/** Upgrades from version N to N+1; add an entry with every change to the schema. */
const migrations: Record<number, (old: Record<string, unknown>) => Record<string, unknown>> = {
  // v2 added the report conversation.
  1: (old) => ({ ...old, report: null }),
  // v3 added the staff broadcast composer.
  2: (old) => ({ ...old, broadcast: null }),
  // v4 added the 催报 confirmation.
  3: (old) => ({ ...old, nudge: null }),
  // v5 named the form version a report conversation's cells belong to (every one so far: version 1).
  4: (old) => ({ ...old, report: old.report ? { ...(old.report as object), form: 1 } : null }),
  // v6 added pasted rows waiting for 「确认」, the warnings said, and the card with live buttons.
  5: (old) => ({ ...old, card: null, report: old.report ? { ...(old.report as object), row: null, said: [] } : null }),
};

export type DecodedSession =
  | { session: Session; restarted: false }
  | { session: Session; restarted: true; reason: 'unreadable' | 'unknown-version' | 'invalid' };

/** Parses a stored record; anything it cannot read safely becomes a fresh session, flagged. */
export function decodeSession(raw: string): DecodedSession {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { session: newSession(), restarted: true, reason: 'unreadable' };
  }
  let record = (value ?? {}) as Record<string, unknown>;
  let version = typeof record.v === 'number' ? record.v : -1;
  while (version < SESSION_VERSION && migrations[version]) {
    record = migrations[version]!(record);
    version += 1;
    record.v = version;
  }
  if (version !== SESSION_VERSION) return { session: newSession(), restarted: true, reason: 'unknown-version' };
  const parsed = sessionSchema.safeParse(record);
  if (!parsed.success) return { session: newSession(), restarted: true, reason: 'invalid' };
  return { session: parsed.data, restarted: false };
}

export function encodeSession(session: Session): string {
  return JSON.stringify(session);
}
