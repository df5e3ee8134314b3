import type { Store } from '../store/store';
import { SESSION_TTL_MS, decodeSession, encodeSession, newSession, type DecodedSession, type Session } from './session';

export class SessionConflictError extends Error {
  constructor(readonly userId: string) {
    super(`session of ${userId} was written by someone else meanwhile`);
    this.name = 'SessionConflictError';
  }
}

export type LoadedSession = DecodedSession & { rev: number };

/** Reads and writes sessions outside a turn (staff tools, tests), with a revision check against lost updates. */
export class SessionRepo {
  constructor(private readonly store: Store) {}

  async load(userId: string): Promise<LoadedSession> {
    const stored = await this.store.readSession(userId);
    if (stored === null) return { session: newSession(), restarted: false, rev: 0 };
    return { ...decodeSession(stored.data), rev: stored.rev };
  }

  /** Saves over revision `rev`; throws SessionConflictError when another writer got there first. */
  async save(userId: string, session: Session, rev: number): Promise<number> {
    const next = await this.store.writeSession(userId, encodeSession(session), rev, SESSION_TTL_MS);
    if (next === null) throw new SessionConflictError(userId);
    return next;
  }
}
