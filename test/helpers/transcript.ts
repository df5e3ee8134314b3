import { readFileSync } from 'node:fs';

/**
 * A transcript: a conversation as a file of turns.
 *
 *   # comment                     @now 2026-11-05T09:00:00+08:00     set the business clock
 *   @school CODE NAME CITY LEVEL CATEGORY CONTACT[,CONTACT] [pilot]    seed a school and its contacts
 *                                 (a contact may carry a name and phone: zhangsan=张老师:13800000001)
 *   @staff USER province|city [CITY] NAME                            seed a staff member
 *   @as USER                      who speaks next
 *   @expect-audit ACTION,ACTION…  the audit log's actions, in order
 *   @past-report PERIOD cell=value …   seed an earlier filed report (other cells 0)
 *   @reopen PERIOD                staff reopened the period for the @school
 *   @restart                      a new server process on the same store
 *   @run-job JOB                  a scheduled job runs now (open, nudge, close …), its messages delivered
 *   @expect-report PERIOD STATUS [cell=value …]   the stored report
 *   @expect-draft none | N        the school's draft: absent, or N cells filled
 *   @expect-history TYPE,TYPE…    the school's history entry types, in order
 *   @inbox USER                   what USER received since their last message (notices from others' turns), as < lines
 *   @review-required              the server runs with REVIEW_REQUIRED=on (anywhere in the file)
 *   > message                     what the user sends (\t, \n: a tab, a new line); > [button KEY] clicks a button of the last card (「>」 alone sends nothing but a menu click: > [click report])
 *   < line                        the reply, exactly (several < lines: several lines of one reply)
 *   <~ text                       the reply contains text
 *   <! text                       the reply does not contain text
 */
export type Step =
  | { kind: 'now'; at: string; line: number }
  | { kind: 'school'; code: string; name: string; city: string; level: string; category: string; contacts: string[]; people: Record<string, { name?: string; phone?: string }>; pilot: boolean; line: number }
  | { kind: 'as'; user: string; line: number }
  | { kind: 'staff'; user: string; role: 'province' | 'city'; city: string | null; name: string; line: number }
  | { kind: 'expect-audit'; actions: string[]; line: number }
  | { kind: 'past-report'; period: string; values: Record<string, number>; line: number }
  | { kind: 'reopen'; period: string; line: number }
  | { kind: 'restart'; line: number }
  | { kind: 'run-job'; job: string; line: number }
  | { kind: 'expect-report'; period: string; status: string; values: Record<string, number>; line: number }
  | { kind: 'expect-draft'; filled: number | null; line: number }
  | { kind: 'expect-history'; types: string[]; line: number }
  | { kind: 'send'; text: string; click: string | null; exact: string[]; contains: string[]; absent: string[]; line: number }
  | { kind: 'inbox'; user: string; exact: string[]; contains: string[]; absent: string[]; line: number };

function pairs(words: string[]): Record<string, number> {
  return Object.fromEntries(words.map((w) => w.split('=')).map(([k, v]) => [k!, Number(v)]));
}

export function parseTranscript(path: string): { title: string; steps: Step[]; reviewRequired: boolean } {
  const lines = readFileSync(path, 'utf8').split('\n');
  const steps: Step[] = [];
  let title = path;
  let current: Extract<Step, { kind: 'send' | 'inbox' }> | null = null;
  let reviewRequired = false;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.replace(/\r$/, '');
    if (text.startsWith('# ') && title === path) title = text.slice(2);
    if (text.trim() === '' || text.startsWith('#')) return;
    const [head, ...rest] = text.split(' ');
    if (head === '<' || head === '<~' || head === '<!') {
      if (!current) throw new Error(`${path}:${line}: an expectation before any message`);
      const body = text.slice(head.length + 1);
      (head === '<' ? current.exact : head === '<~' ? current.contains : current.absent).push(head === '<' ? text.slice(2) : body);
      return;
    }
    if (head === '>') {
      // \t and \n stand for a tab and a new line: a row pasted from a spreadsheet.
      const body = text.slice(2).replace(/\\t/gu, '\t').replace(/\\n/gu, '\n');
      // [click report]: a menu key; [button confirm]: a button of the last card the user got (click 'button:confirm').
      const menu = /^\[click (\w+)\]$/.exec(body)?.[1];
      const button = /^\[button ([\w:-]+)\]$/.exec(body)?.[1];
      const click = menu ?? (button ? `button:${button}` : null);
      current = { kind: 'send', text: body, click, exact: [], contains: [], absent: [], line };
      steps.push(current);
      return;
    }
    current = null;
    if (head === '@inbox') {
      current = { kind: 'inbox', user: rest[0]!, exact: [], contains: [], absent: [], line };
      steps.push(current);
      return;
    }
    if (head === '@review-required') {
      reviewRequired = true;
      return;
    }
    switch (head) {
      case '@now':
        steps.push({ kind: 'now', at: rest[0]!, line });
        break;
      case '@school':
        {
          const people: Record<string, { name?: string; phone?: string }> = {};
          const contacts = rest[5]!.split(',').map((c) => {
            const [id, who] = c.split('=');
            if (who) {
              const [name, phone] = who.split(':');
              people[id!] = { name: name!, ...(phone ? { phone } : {}) };
            }
            return id!;
          });
          steps.push({ kind: 'school', code: rest[0]!, name: rest[1]!, city: rest[2]!, level: rest[3]!, category: rest[4]!, contacts, people, pilot: rest[6] === 'pilot', line });
        }
        break;
      case '@staff':
        steps.push(rest[1] === 'city' ? { kind: 'staff', user: rest[0]!, role: 'city', city: rest[2]!, name: rest[3] ?? rest[0]!, line } : { kind: 'staff', user: rest[0]!, role: 'province', city: null, name: rest[2] ?? rest[0]!, line });
        break;
      case '@expect-audit':
        steps.push({ kind: 'expect-audit', actions: rest[0] ? rest[0].split(',') : [], line });
        break;
      case '@as':
        steps.push({ kind: 'as', user: rest[0]!, line });
        break;
      case '@past-report':
        steps.push({ kind: 'past-report', period: rest[0]!, values: pairs(rest.slice(1)), line });
        break;
      case '@reopen':
        steps.push({ kind: 'reopen', period: rest[0]!, line });
        break;
      case '@restart':
        steps.push({ kind: 'restart', line });
        break;
      case '@run-job':
        steps.push({ kind: 'run-job', job: rest[0]!, line });
        break;
      case '@expect-report':
        steps.push({ kind: 'expect-report', period: rest[0]!, status: rest[1]!, values: pairs(rest.slice(2)), line });
        break;
      case '@expect-draft':
        steps.push({ kind: 'expect-draft', filled: rest[0] === 'none' ? null : Number(rest[0]), line });
        break;
      case '@expect-history':
        steps.push({ kind: 'expect-history', types: rest[0] ? rest[0].split(',') : [], line });
        break;
      default:
        throw new Error(`${path}:${line}: unknown line: ${text}`);
    }
  });
  return { title, steps, reviewRequired };
}
