import type { ButtonCard } from './buttons';

/** What the bot says back. Text can travel as a passive reply; a card always goes through the API. */
export type Reply =
  | { kind: 'text'; text: string }
  | { kind: 'textcard'; title: string; description: string; url: string; buttonText?: string }
  /** A card with buttons; `taskId` names it in WeCom and in the click that comes back. */
  | { kind: 'buttons'; card: ButtonCard; taskId: string };

export const text = (body: string): Reply => ({ kind: 'text', text: body });

/** A card with a link (a text card in WeCom's terms). */
export interface TextCard {
  title: string;
  description: string;
  url: string;
  /** At most 4 characters. */
  buttonText?: string;
}
