import type { Period, Window } from '../calendar/period';

/** What the resolver needs of a school's records for the current period. */
export interface FilingRecords {
  /** Every period staff reopened for the school and it has not filed since. */
  reopenedPeriods: readonly Period[];
  /** This period was reopened. */
  reopened: boolean;
  reports: Readonly<Record<Period, unknown>>;
}

/** Whether a period takes answers now, and why. */
export type FilingState = { open: true; reason: 'window' | 'reopened' } | { open: false; reason: 'before-window' | 'closed' };

/**
 * The period a school contact files at `now`: a month staff reopened comes first — unless this
 * month's window is open and not filed yet (the current month must not wait behind a late one).
 */
export function periodToFile(now: Date, current: Window, records: FilingRecords): Period {
  const older = records.reopenedPeriods.filter((p) => p < current.period).at(-1);
  if (older === undefined) return current.period;
  const currentOpen = now >= current.opensAt && now < current.closesAt;
  const currentFiled = records.reports[current.period] !== undefined && !records.reopened;
  return !currentOpen || currentFiled ? older : current.period;
}

/** A period's state at `now`: in its window, reopened by staff, not open yet, or closed. */
export function filingState(now: Date, window: Window, reopened: boolean): FilingState {
  if (now >= window.opensAt && now < window.closesAt) return { open: true, reason: 'window' };
  if (reopened) return { open: true, reason: 'reopened' };
  return { open: false, reason: now < window.opensAt ? 'before-window' : 'closed' };
}
