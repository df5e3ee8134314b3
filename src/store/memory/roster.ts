import type { Member, School, SchoolScope, StaffMember } from '../../roster/roster';
import { schoolCodec, staffCodec } from '../codecs';
import { rosterDerived, type Roster, type RosterIndex, type RosterStore } from '../roster-store';
import type { MemoryDb } from './db';

/** The roster in the embedded store, kept encoded as the Redis adapter keeps it. */
export class MemoryRosterStore implements RosterStore {
  constructor(private readonly db: MemoryDb) {}

  private hash(name: string): Record<string, string> {
    return this.db.get<Record<string, string>>(`roster:${name}`) ?? {};
  }

  async whois(userId: string): Promise<{ member: Member | null; school: School | null }> {
    const code = this.hash('contacts')[userId];
    if (code !== undefined) {
      const json = this.hash('schools')[code];
      return { member: { userId, role: 'school', school: code }, school: json ? schoolCodec.decode(json) : null };
    }
    const json = this.hash('staff')[userId];
    return { member: json ? staffCodec.decode(json) : null, school: null };
  }

  async schools(codes: readonly string[]): Promise<(School | null)[]> {
    const all = this.hash('schools');
    return codes.map((code) => (all[code] ? schoolCodec.decode(all[code]) : null));
  }

  async read(): Promise<Roster> {
    return {
      schools: Object.fromEntries(Object.entries(this.hash('schools')).map(([code, json]) => [code, schoolCodec.decode(json)])),
      contacts: { ...this.hash('contacts') },
      staff: Object.fromEntries(Object.entries(this.hash('staff')).map(([id, json]) => [id, staffCodec.decode(json)])),
    };
  }

  async index(): Promise<RosterIndex> {
    return structuredClone(this.db.get<RosterIndex>('roster:index') ?? { all: [], byCity: {}, byCategory: {} });
  }

  async codesIn(scope: SchoolScope): Promise<string[]> {
    const index = await this.index();
    let codes = index.all;
    if (scope.city) codes = codes.filter((c) => index.byCity[scope.city!]?.includes(c));
    if (scope.category) codes = codes.filter((c) => index.byCategory[scope.category!]?.includes(c));
    return codes;
  }

  async replaceSchools(schools: readonly School[]): Promise<void> {
    const { contacts, index } = rosterDerived(schools);
    this.db.put('roster:schools', Object.fromEntries(schools.map((s) => [s.code, schoolCodec.encode(s)])));
    this.db.put('roster:contacts', contacts);
    this.db.put('roster:index', index);
  }

  async replaceStaff(staff: readonly StaffMember[]): Promise<void> {
    this.db.put('roster:staff', Object.fromEntries(staff.map((s) => [s.userId, staffCodec.encode(s)])));
  }
}
