import type { Member, School, SchoolScope, StaffMember } from '../../roster/roster';
import { schoolWithDirectory, staffWithDirectory, type Directory } from '../../roster/directory';
import { directoryEntryCodec, schoolCodec, staffCodec } from '../codecs';
import { directoryChanges, rosterDerived, type Roster, type RosterIndex, type RosterStore } from '../roster-store';
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

  async replaceSchools(given: readonly School[]): Promise<void> {
    const directory = await this.directory();
    const schools = given.map((s) => schoolWithDirectory(s, directory));
    const { contacts, index } = rosterDerived(schools);
    this.db.put('roster:schools', Object.fromEntries(schools.map((s) => [s.code, schoolCodec.encode(s)])));
    this.db.put('roster:contacts', contacts);
    this.db.put('roster:index', index);
  }

  async replaceStaff(given: readonly StaffMember[]): Promise<void> {
    const directory = await this.directory();
    const staff = given.map((m) => staffWithDirectory(m, directory));
    this.db.put('roster:staff', Object.fromEntries(staff.map((s) => [s.userId, staffCodec.encode(s)])));
  }

  async directory(): Promise<Directory> {
    return Object.fromEntries(Object.entries(this.hash('directory')).map(([id, json]) => [id, directoryEntryCodec.decode(json)]));
  }

  async saveDirectory(entries: Directory): Promise<number> {
    this.db.put('roster:directory', { ...this.hash('directory'), ...Object.fromEntries(Object.entries(entries).map(([id, e]) => [id, directoryEntryCodec.encode(e)])) });
    const { schools, staff } = directoryChanges(await this.read(), await this.directory());
    const schoolsHash = { ...this.hash('schools') };
    const staffHash = { ...this.hash('staff') };
    for (const [code, , after] of schools) schoolsHash[code] = schoolCodec.encode(after);
    for (const [id, , after] of staff) staffHash[id] = staffCodec.encode(after);
    this.db.put('roster:schools', schoolsHash);
    this.db.put('roster:staff', staffHash);
    return schools.length + staff.length;
  }
}
