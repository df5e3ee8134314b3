import type { Logger } from '../log/logger';
import type { RosterStore } from '../store/roster-store';
import { WeComApiError } from '../wecom/api-error';
import type { WeComClient } from '../wecom/api-client';
import { staleEntries, unnamedPeople, type Directory } from '../roster/directory';

export interface DirectoryRefreshDeps {
  roster: RosterStore;
  client: Pick<WeComClient, 'getMember'>;
  logger: Logger;
  now: () => number;
}

export interface DirectoryRefreshOptions {
  /** Read every unnamed person again, however recent their entry. */
  all?: boolean;
  /** Told after each batch is kept: people read so far, and how many there are to read. */
  onProgress?: (done: number, total: number) => void;
}

export interface DirectoryRefreshSummary {
  /** People the roster names nobody for. */
  unnamed: number;
  /** Of those, read from WeCom in this run. */
  checked: number;
  /** WeCom gave a name. */
  named: number;
  /** WeCom cannot read them (not found, outside the app's 可见范围); listed by UserID for the operator. */
  missing: { userId: string; errcode: number }[];
  /** Calls that failed (busy, unreachable) after the client's retries; their old entry stays. */
  failed: number;
  /** Schools and staff records that now carry a different name. */
  changed: number;
}

/** Calls in flight at once, and the pause each caller takes between calls: about 40 calls a second, far under WeCom's per-API limits. */
const CONCURRENCY = 4;
const PAUSE_MS = 100;
/** Entries are kept every this many people, so that a run killed midway keeps what it read. */
const BATCH = 50;

type MemberAnswer = Awaited<ReturnType<WeComClient['getMember']>>;

/**
 * 读取成员 for each UserID, a few at a time with a pause between calls (about 40 a second, far
 * under WeCom's per-API limits): the answer, or null for a call that failed after the client's
 * retries (logged). A configuration error (60020: the server's IP not in 企业可信IP) stops it.
 */
export async function readMembers(client: Pick<WeComClient, 'getMember'>, userIds: readonly string[], logger: Logger): Promise<Map<string, MemberAnswer | null>> {
  const out = new Map<string, MemberAnswer | null>();
  let next = 0;
  const worker = async () => {
    while (next < userIds.length) {
      const userId = userIds[next++]!;
      try {
        out.set(userId, await client.getMember(userId));
      } catch (error) {
        if (error instanceof WeComApiError && error.isConfiguration) throw error;
        out.set(userId, null);
        logger.warn({ userId, err: error instanceof Error ? error.message : String(error) }, 'reading a member from WeCom failed');
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, userIds.length) }, worker));
  return new Map(userIds.map((id) => [id, out.get(id) ?? null]));
}

/**
 * Reads from WeCom (读取成员) the name of everyone the roster lists without one, and keeps it
 * (RosterStore.saveDirectory copies it into the records that texts read). Entries younger than
 * DIRECTORY_MAX_AGE_MS are skipped, so a run after a restart costs nothing. A configuration
 * error (such as 60020, the server's IP not in 企业可信IP) stops the run with its message.
 */
export async function refreshDirectory(deps: DirectoryRefreshDeps, options: DirectoryRefreshOptions = {}): Promise<DirectoryRefreshSummary> {
  const roster = await deps.roster.read();
  const unnamed = unnamedPeople(Object.values(roster.schools), Object.values(roster.staff));
  const kept = await deps.roster.directory();
  const todo = options.all ? unnamed : staleEntries(unnamed, kept, deps.now());
  const summary: DirectoryRefreshSummary = { unnamed: unnamed.length, checked: 0, named: 0, missing: [], failed: 0, changed: 0 };
  for (let start = 0; start < todo.length; start += BATCH) {
    const batch = todo.slice(start, start + BATCH);
    const entries: Directory = {};
    for (const [userId, answer] of await readMembers(deps.client, batch, deps.logger)) {
      if (answer === null) {
        summary.failed++;
        continue;
      }
      summary.checked++;
      if ('missing' in answer) {
        summary.missing.push({ userId, errcode: answer.missing });
        entries[userId] = { missing: answer.missing, fetchedAt: deps.now() };
      } else {
        if (answer.name) summary.named++;
        entries[userId] = { ...(answer.name ? { name: answer.name } : {}), department: answer.department, fetchedAt: deps.now() };
      }
    }
    summary.changed += await deps.roster.saveDirectory(entries);
    options.onProgress?.(Math.min(start + BATCH, todo.length), todo.length);
  }
  deps.logger.info({ unnamed: summary.unnamed, checked: summary.checked, named: summary.named, missing: summary.missing.length, failed: summary.failed, changed: summary.changed }, 'member names read from WeCom');
  return summary;
}
