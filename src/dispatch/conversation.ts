import type { Session } from '../session/session';
import type { Inbound } from '../wecom/inbound';
import type { Effect } from './effects';
import type { Reply } from './reply';

/** What one step decides: the user's next session, the replies, what else to store, and what to do after. */
export interface Outcome<Change = unknown> {
  session: Session;
  replies: Reply[];
  change?: Change;
  /** Done after the reply (sending nudges, notices): they may take long, and they never block it. */
  effects?: Effect[];
}

/**
 * A conversation as the turn runner drives it: load what the step needs, step (pure), commit
 * what it changed. commit answers false when another writer got there first; the runner then
 * loads and steps again.
 */
export interface Conversation<Context = unknown, Change = unknown> {
  load(inbound: Inbound, session: Session, now: Date): Promise<Context>;
  step(inbound: Inbound, session: Session, context: Context, now: Date): Outcome<Change>;
  commit(outcome: Outcome<Change>, context: Context): Promise<boolean>;
}

/** A conversation that needs nothing but the session. */
export function sessionOnly(step: (inbound: Inbound, session: Session, now: Date) => Outcome): Conversation<null> {
  return {
    load: async () => null,
    step: (inbound, session, _context, now) => step(inbound, session, now),
    commit: async () => true,
  };
}
