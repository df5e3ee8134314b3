import { randomUUID } from 'node:crypto';
import { newSession, type Session } from '../../src/session/session';
import type { StoredSession, TurnStore } from '../../src/store/turn-store';

/**
 * A user's stored session, read the way a turn reads it (begin, then let the lock go); null when
 * none is stored. Only when no turn of the user is under way.
 */
export async function storedSession(turns: TurnStore, home: string, userId: string): Promise<StoredSession | null> {
  const lock = `probe:${randomUUID()}`;
  const start = await turns.begin({ home, userId, deliveryId: lock, lock, lockTtlMs: 1_000 });
  if (start.kind !== 'ready') throw new Error(`cannot read ${userId}'s session: ${start.kind}`);
  await turns.release(home, userId, lock);
  return start.session;
}

/** A user's session as the product would read it (fresh when none is stored); `home`: the school's code for a contact. */
export async function readSession(turns: TurnStore, home: string, userId: string): Promise<Session> {
  return (await storedSession(turns, home, userId))?.session ?? newSession();
}
