import type { FilingSettings } from '../conversation/filing-settings';
import type { DashboardLinks } from '../dashboard/dashboard-link';
import type { EntryInit, EntryRef, WeComMessage } from '../outbox/entry';
import type { OutboxStore } from '../store/outbox-store';
import type { OutboxWorker } from '../delivery/worker';
import type { Markers } from '../store/markers';
import type { AuditLog } from '../store/audit-log';
import type { RecordsStore } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';
import type { Targets } from '../targets/targets';

/** What a scheduled job works with. Jobs write outbox entries; they never send. */
export interface JobDeps extends FilingSettings {
  roster: RosterStore;
  records: RecordsStore;
  markers: Markers;
  /** The audit log (广播记录 reads the broadcasts from it). */
  audit: AuditLog;
  outbox: OutboxStore;
  targets: Targets;
  now: Date;
  print: (line: string) => void;
  /** WORKBENCH: after a window opens or closes, everyone's tile is updated. */
  workbench?: boolean;
  /** Dashboard links for the staff digest's card; none when no public base URL is configured. */
  links?: DashboardLinks | null;
}

export interface JobSummary {
  /** Messages (schools, staff) the run found to act on. */
  due: number;
  /** Entries this run wrote. */
  queued: number;
  /** Entries an earlier run (or another instance) had written. */
  already: number;
  /** Schools recorded as 零申报 by this run (close only). */
  recorded?: number;
  /** The run's entries, to follow their delivery. */
  entries: EntryRef[];
}

export class JobRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobRefused';
  }
}

export const nothingToDo = (): JobSummary => ({ due: 0, queued: 0, already: 0, entries: [] });

/** A message entry to some users, due at `due`. */
export function messageEntry(id: string, to: readonly string[], messages: WeComMessage[], due: number): EntryInit {
  return { id, payload: { kind: 'message', to: [...to], messages }, due };
}

/** Writes one entry per message (each in its owner's partition) and counts what was new. */
export async function enqueueEach(deps: JobDeps, items: readonly { owner: string; entry: EntryInit }[]): Promise<JobSummary> {
  const now = deps.now.getTime();
  const fresh = await Promise.all(items.map(async (item) => (await deps.outbox.enqueue(item.owner, [item.entry], now))[0]!));
  const queued = fresh.filter(Boolean).length;
  return { due: items.length, queued, already: items.length - queued, entries: items.map((i) => ({ owner: i.owner, id: i.entry.id })) };
}

/**
 * What `jobs run` works with: the jobs' parts, and an outbox worker that delivers the run's own
 * entries as they come due on its clock (the deployment's shared clock in the CLI; the demo's clock in the demo).
 */
export type JobRunParts = Omit<JobDeps, 'now' | 'print'> & { worker: OutboxWorker };
