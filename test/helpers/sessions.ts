import { decodeSession, newSession, type Session } from '../../src/session/session';
import type { Store } from '../../src/store/store';

/** A user's session as the product would read it (fresh when none is stored). */
export async function readSession(store: Store, userId: string): Promise<Session> {
  const stored = await store.readSession(userId);
  return stored === null ? newSession() : decodeSession(stored.data).session;
}
