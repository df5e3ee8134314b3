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
   * access at once). The contacts and the index are derived from the schools here.
   */
  replaceSchools(schools: readonly School[]): Promise<void>;
  /** Replaces every staff member at once. */
  replaceStaff(staff: readonly StaffMember[]): Promise<void>;
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
