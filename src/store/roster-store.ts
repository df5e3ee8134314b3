import { schoolWithDirectory, staffWithDirectory, type Directory } from '../roster/directory';
import type { Member, RosterIndex, School, SchoolScope, StaffMember } from '../roster/roster';

export type { RosterIndex } from '../roster/roster';

/** The whole roster, as read for lists and matching. */
export interface Roster {
  schools: Record<string, School>;
  /** School contacts: UserID → school code. */
  contacts: Record<string, string>;
  staff: Record<string, StaffMember>;
}


/**
 * Who is who: the schools with their contacts, and the staff (written only by the roster
 * import). Values are typed and validated at the adapter.
 */
export interface RosterStore {
  /** A user as the roster knows them and, for a school contact, their school, in one step. */
  whois(userId: string): Promise<{ member: Member | null; school: School | null }>;
  /** Several schools in one round trip (null for a code not on the roster). */
  schools(codes: readonly string[]): Promise<(School | null)[]>;
  read(): Promise<Roster>;
  index(): Promise<RosterIndex>;
  /** The codes of the schools in a scope (every school for an empty one). */
  codesIn(scope: SchoolScope): Promise<string[]>;
  /**
   * Replaces every school, its contacts and the index sets at once (a contact left out loses
   * access at once). The contacts and the index are derived from the schools here, and the kept
   * directory names are copied in (roster/directory.ts).
   */
  replaceSchools(schools: readonly School[]): Promise<void>;
  /** Replaces every staff member at once (with the kept directory names copied in). */
  replaceStaff(staff: readonly StaffMember[]): Promise<void>;
  /** WeCom's address book as last read. */
  directory(): Promise<Directory>;
  /**
   * Keeps these entries (over the ones kept) and copies the names into the schools and staff
   * members that lack one; a record a concurrent import replaced is left to that import, which
   * copies the names itself. Resolves with how many records changed.
   */
  saveDirectory(entries: Directory): Promise<number>;
}

/** Each record that the directory changes, as [key, record before, record after]. */
export function directoryChanges(roster: Roster, directory: Directory): { schools: [string, School, School][]; staff: [string, StaffMember, StaffMember][] } {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  return {
    schools: Object.entries(roster.schools).flatMap(([code, s]) => {
      const next = schoolWithDirectory(s, directory);
      return same(s, next) ? [] : [[code, s, next] as [string, School, School]];
    }),
    staff: Object.entries(roster.staff).flatMap(([id, m]) => {
      const next = staffWithDirectory(m, directory);
      return same(m, next) ? [] : [[id, m, next] as [string, StaffMember, StaffMember]];
    }),
  };
}

/** The contacts and index sets a list of schools implies (both adapters derive them alike). */
export function rosterDerived(schools: readonly School[]): { contacts: Record<string, string>; index: RosterIndex } {
  const contacts: Record<string, string> = {};
  const index: RosterIndex = { all: [], byCity: {}, byCategory: {} };
  for (const school of schools) {
    index.all.push(school.code);
    for (const userId of school.contacts) contacts[userId] = school.code;
    (index.byCity[school.city] ??= []).push(school.code);
    (index.byCategory[school.category] ??= []).push(school.code);
  }
  return { contacts, index };
}
