import type { Period } from '../calendar/period';
import type { SchoolScope } from '../roster/roster';
import type { PeriodIndex } from '../report/status';
import type { RecordsStore } from '../store/records-store';
import type { RosterStore } from '../store/roster-store';

/** The ports a period's roll-up reads: who is on the roster, and where each school stands. */
export interface PeriodPorts {
  roster: RosterStore;
  records: RecordsStore;
}

/** The schools in scope that have not filed the period (on time or late), in one round of reads. */
export async function owingSchools(ports: PeriodPorts, period: Period, scope: SchoolScope): Promise<string[]> {
  const [inScope, status] = await Promise.all([ports.roster.codesIn(scope), ports.records.statusSets(period, ['filed', 'late'])]);
  const filed = new Set([...status.filed, ...status.late]);
  return inScope.filter((code) => !filed.has(code));
}

/** The roster's index with the period's status sets. */
export async function periodIndex(ports: PeriodPorts, period: Period): Promise<PeriodIndex> {
  const [index, status] = await Promise.all([ports.roster.index(), ports.records.statusSets(period)]);
  return { ...index, status };
}
