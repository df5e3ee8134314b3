import type { EntryInit } from '../outbox/entry';
import type { Session } from '../session/session';
import type { SchoolChange, SchoolRecords } from '../store/records-store';
import type { Inbound } from '../wecom/inbound';
import type { Reply } from '../conversation/reply';

/** Who spoke, as the roster says, and where their turn is kept. */
export interface Located<Who = unknown> {
  /** The turn's home: the school's code for a school contact, else the user's own id. */
  home: string;
  /** A school's records for a period, read with the session (the school must live in the home). */
  read?: { school: string; period: string };
  who: Who;
}

/**
 * What one step decides: the user's next session, the replies, the records it changes (with their
 * derived status) and the outbox entries it leaves behind — all committed together.
 */
export interface Outcome {
  session: Session;
  replies: Reply[];
  school?: SchoolChange;
  outbox?: EntryInit[];
}

/**
 * A conversation as the turn runner drives it: find the user (roster), load what the step needs
 * (given the records read with the session), step (pure). The runner commits the outcome; when
 * the commit finds something changed under it, it loads and steps again on fresh data.
 */
export interface Conversation<Who = unknown, Context = unknown> {
  locate(inbound: Inbound, now: Date): Promise<Located<Who>>;
  load(inbound: Inbound, session: Session, located: Located<Who>, snapshot: SchoolRecords | null, now: Date): Promise<Context>;
  step(inbound: Inbound, session: Session, context: Context, now: Date): Outcome;
}

/** A conversation that needs nothing but the session (tests). */
export function sessionOnly(step: (inbound: Inbound, session: Session, now: Date) => Outcome): Conversation<null, null> {
  return {
    locate: async (inbound) => ({ home: inbound.userId, who: null }),
    load: async () => null,
    step: (inbound, session, _context, now) => step(inbound, session, now),
  };
}
