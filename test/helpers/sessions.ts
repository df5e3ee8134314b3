import { newSession, type Session } from '../../src/session/session';
import type { TurnStore } from '../../src/store/turn-store';

/** A user's session as the product would read it (fresh when none is stored); `home`: the school's code for a contact. */
export async function readSession(turns: TurnStore, home: string, userId: string): Promise<Session> {
  return (await turns.readSession(home, userId))?.session ?? newSession();
}
