import { INDEXED_STATUSES, type IndexedStatus } from '../report/status';
import { partitionOf } from './partition';

/**
 * The Redis key layout. Redis Cluster hashes only what is inside a key's first {…}; keys that a
 * script touches together share one tag: a partition's ({p07}), the roster's, the token's.
 * Exported so that tests and operators can find records.
 */
export function redisKeys(prefix: string) {
  const tag = (partition: number) => `${prefix}{p${String(partition).padStart(2, '0')}}`;
  const of = (owner: string) => tag(partitionOf(owner));
  const school = (code: string) => `${of(code)}:s:${code}`;
  return {
    tag,
    // A school's records (its partition).
    schoolRev: (code: string, period: string) => `${school(code)}:rev:${period}`,
    draft: (code: string, period: string) => `${school(code)}:draft:${period}`,
    reports: (code: string) => `${school(code)}:reports`,
    /** Counts the reports written, any period (a submission's year sums are judged against it). */
    reportsRev: (code: string) => `${school(code)}:reports-rev`,
    reopened: (code: string) => `${school(code)}:reopened`,
    history: (code: string) => `${school(code)}:history`,
    /** When the school was last nudged (epoch ms), whoever asked. */
    nudged: (code: string) => `${school(code)}:nudged`,
    /** When the school was last nudged, kept (the key above expires with the interval): the dashboard's 最近催报. */
    lastNudge: (code: string) => `${school(code)}:last-nudge`,
    /** Follow-up tasks (a reopen) applied to the school, by task id. */
    applied: (code: string, taskId: string) => `${school(code)}:applied:${taskId}`,
    // A turn's keys live in its home partition (`home`: the school code or the user's id).
    session: (home: string, userId: string) => `${of(home)}:session:${userId}`,
    lock: (home: string, userId: string) => `${of(home)}:lock:${userId}`,
    turn: (home: string, userId: string, deliveryId: string) => `${of(home)}:turn:${userId}:${deliveryId}`,
    // Derived from the records, written by the same scripts that write them.
    status: (partition: number, period: string, status: IndexedStatus) => `${tag(partition)}:status:${period}:${status}`,
    statusOf: (code: string, period: string) => INDEXED_STATUSES.map((s) => `${of(code)}:status:${period}:${s}`),
    ytd: (partition: number, year: number) => `${tag(partition)}:ytd:${year}`,
    /** The period's review index of a partition: school code → ReviewMark of its filed report. */
    reviews: (partition: number, period: string) => `${tag(partition)}:review:${period}`,
    reviewsOf: (code: string, period: string) => `${of(code)}:review:${period}`,
    derivedRev: (partition: number) => `${tag(partition)}:derived-rev`,
    // The outbox of a partition: due times, entries, and the failed ones for the operator.
    outboxDue: (partition: number) => `${tag(partition)}:outbox:due`,
    outboxEntry: (partition: number, id: string) => `${tag(partition)}:outbox:e:${id}`,
    outboxFailed: (partition: number) => `${tag(partition)}:outbox:failed`,
    /** A recipient's recent sends (per-member limits); in the recipient's partition. */
    sends: (userId: string) => `${of(userId)}:sends:${userId}`,
    // One tag for the roster, so that a member and their school are read in one script.
    /** School contacts: UserID → school code. */
    contacts: `${prefix}{roster}:contacts`,
    schools: `${prefix}{roster}:schools`,
    staff: `${prefix}{roster}:staff`,
    allSchools: `${prefix}{roster}:index:all`,
    indexPrefix: `${prefix}{roster}:index:`,
    /** WeCom's address book as last read: UserID → entry (roster/directory.ts). */
    directory: `${prefix}{roster}:directory`,
    token: `${prefix}{wecom}:token`,
    auditEntries: `${prefix}{audit}:entries`,
    auditOrder: `${prefix}{audit}:order`,
    auditSeq: `${prefix}{audit}:seq`,
    lockNamed: (name: string) => `${prefix}{${name}}:lock`,
    once: (scope: string, member: string) => `${prefix}{roster}:once:${scope}:${member}`,
    calendarStart: `${prefix}{roster}:calendar:started-at`,
    closedPeriods: `${prefix}{roster}:calendar:closed`,
    clockAnchor: `${prefix}{roster}:calendar:fake-clock`,
  };
}

export type RedisKeys = ReturnType<typeof redisKeys>;
