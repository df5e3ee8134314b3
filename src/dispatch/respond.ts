import type { Inbound } from '../wecom/inbound';
import { menuWords } from '../wecom/app-menu';
import type { Session } from '../session/session';
import { messages } from './messages';
import { text, type Reply } from './reply';
import { isHelpWord, normalizeInput } from './words';

export interface Outcome {
  session: Session;
  replies: Reply[];
}

const DAY_MS = 24 * 3_600_000;

/**
 * The bot's answer to one inbound event: a pure function of the event, the user's session and
 * the time. Every user is unregistered until the roster exists, so for now it answers help and
 * tells everyone else whom to ask to be registered.
 */
export function respond(inbound: Inbound, session: Session, now: Date): Outcome {
  const nowMs = now.getTime();
  const next: Session = { ...session, turns: session.turns + 1, lastEventAt: nowMs };
  const word = wordOf(inbound);

  if (word !== null && isHelpWord(word)) {
    return { session: next, replies: [text(`${messages.help}\n\n${messages.notRegistered(inbound.userId)}`)] };
  }
  if (inbound.kind === 'event' && inbound.event === 'subscribe') {
    return notRegistered(next, inbound.userId, nowMs, messages.welcome);
  }
  if (inbound.kind === 'event' && inbound.event === 'enter_agent') {
    // enter_agent fires every time the app is opened: remind at most once a day.
    const recent = session.unregisteredNoticeAt !== null && nowMs - session.unregisteredNoticeAt < DAY_MS;
    return recent ? { session: next, replies: [] } : notRegistered(next, inbound.userId, nowMs);
  }
  return notRegistered(next, inbound.userId, nowMs);
}

function notRegistered(session: Session, userId: string, nowMs: number, lead?: string): Outcome {
  const body = messages.notRegistered(userId);
  return {
    session: { ...session, unregisteredNoticeAt: nowMs },
    replies: [text(lead ? `${lead}\n${body}` : body)],
  };
}

/** The chat word an event stands for: typed text, or the word behind a menu click. */
function wordOf(inbound: Inbound): string | null {
  if (inbound.kind === 'text') return normalizeInput(inbound.content);
  if (inbound.event === 'click') return menuWords[inbound.eventKey] ?? null;
  return null;
}
