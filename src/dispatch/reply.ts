/** What the bot says back. Text can travel as a passive reply; a card always goes through the API. */
export type Reply =
  | { kind: 'text'; text: string }
  | { kind: 'textcard'; title: string; description: string; url: string; buttonText?: string };

export const text = (body: string): Reply => ({ kind: 'text', text: body });
