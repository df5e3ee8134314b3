import type { Member, School, SchoolScope, StaffMember } from '../../roster/roster';
import { schoolWithDirectory, staffWithDirectory, type Directory, type DirectoryEntry } from '../../roster/directory';
import { directoryEntryCodec, schoolCodec, staffCodec } from '../codecs';
import { directoryChanges, rosterDerived, type Roster, type RosterIndex, type RosterStore } from '../roster-store';
import { RedisPort } from './redis-port';

/** The roster in the {roster} slot: schools (JSON), contacts (UserID → code), staff (JSON), index sets. */
export class RedisRosterStore extends RedisPort implements RosterStore {
  async whois(userId: string): Promise<{ member: Member | null; school: School | null }> {
    const k = this.keys;
    const [code, json] = (await this.scripts.ybWhois(k.contacts, k.schools, k.staff, userId)) as [string | null, string | null];
    if (code) return { member: { userId, role: 'school', school: code }, school: json ? schoolCodec.decode(json) : null };
    return { member: json ? staffCodec.decode(json) : null, school: null };
  }

  async schools(codes: readonly string[]): Promise<(School | null)[]> {
    if (codes.length === 0) return [];
    return (await this.redis.hmget(this.keys.schools, ...codes)).map((json) => (json ? schoolCodec.decode(json) : null));
  }

  async read(): Promise<Roster> {
    const k = this.keys;
    const [schools, contacts, staff] = await Promise.all([this.redis.hgetall(k.schools), this.redis.hgetall(k.contacts), this.redis.hgetall(k.staff)]);
    return {
      schools: Object.fromEntries(Object.entries(schools).map(([code, json]) => [code, schoolCodec.decode(json)])),
      contacts,
      staff: Object.fromEntries(Object.entries(staff).map(([id, json]) => [id, staffCodec.decode(json)])),
    };
  }

  async index(): Promise<RosterIndex> {
    const k = this.keys;
    const indexKeys = await this.redis.smembers(`${k.indexPrefix}keys`);
    const [all, sets] = await Promise.all([this.redis.smembers(k.allSchools), Promise.all(indexKeys.map((key) => this.redis.smembers(key)))]);
    const index: RosterIndex = { all, byCity: {}, byCategory: {} };
    indexKeys.forEach((key, i) => {
      const [kind, name] = key.slice(k.indexPrefix.length).split(':') as [string, string];
      if (kind === 'city') index.byCity[name] = sets[i]!;
      else if (kind === 'category') index.byCategory[name] = sets[i]!;
    });
    return index;
  }

  async codesIn(scope: SchoolScope): Promise<string[]> {
    const k = this.keys;
    const sets = [...(scope.city ? [`${k.indexPrefix}city:${scope.city}`] : []), ...(scope.category ? [`${k.indexPrefix}category:${scope.category}`] : [])];
    return sets.length === 0 ? this.redis.smembers(k.allSchools) : this.redis.sinter(...sets);
  }

  async replaceSchools(given: readonly School[]): Promise<void> {
    const k = this.keys;
    const directory = await this.directory();
    const schools = given.map((s) => schoolWithDirectory(s, directory));
    const { contacts, index } = rosterDerived(schools);
    const oldIndex = await this.redis.smembers(`${k.indexPrefix}keys`);
    // One transaction in the roster's hash slot: nobody sees half a roster.
    const tx = this.redis.multi().del(k.schools, k.contacts, k.allSchools, `${k.indexPrefix}keys`, ...oldIndex);
    if (schools.length > 0) tx.hset(k.schools, Object.fromEntries(schools.map((s) => [s.code, schoolCodec.encode(s)]))).sadd(k.allSchools, ...index.all);
    if (Object.keys(contacts).length > 0) tx.hset(k.contacts, contacts);
    const sets: [string, string[]][] = [
      ...Object.entries(index.byCity).map(([city, codes]) => [`${k.indexPrefix}city:${city}`, codes] as [string, string[]]),
      ...Object.entries(index.byCategory).map(([cat, codes]) => [`${k.indexPrefix}category:${cat}`, codes] as [string, string[]]),
    ];
    for (const [key, codes] of sets) tx.sadd(key, ...codes).sadd(`${k.indexPrefix}keys`, key);
    await tx.exec();
    // The operator is told the import is done: on the replicas first.
    await this.acknowledged();
  }

  async replaceStaff(given: readonly StaffMember[]): Promise<void> {
    const directory = await this.directory();
    const staff = given.map((m) => staffWithDirectory(m, directory));
    const tx = this.redis.multi().del(this.keys.staff);
    if (staff.length > 0) tx.hset(this.keys.staff, Object.fromEntries(staff.map((s) => [s.userId, staffCodec.encode(s)])));
    await tx.exec();
    await this.acknowledged();
  }

  async directory(): Promise<Directory> {
    const raw = await this.redis.hgetall(this.keys.directory);
    return Object.fromEntries(Object.entries(raw).map(([id, json]) => [id, directoryEntryCodec.decode(json)]));
  }

  async saveDirectory(entries: Directory): Promise<number> {
    const k = this.keys;
    if (Object.keys(entries).length > 0) await this.redis.hset(k.directory, Object.fromEntries(Object.entries(entries).map(([id, e]) => [id, directoryEntryCodec.encode(e as DirectoryEntry)])));
    let changed = 0;
    // Each record is swapped only if unchanged since read; one that an import replaced meanwhile got the names from that import.
    for (let attempt = 0; attempt < 3; attempt++) {
      const [roster, directory] = await Promise.all([this.read(), this.directory()]);
      const { schools, staff } = directoryChanges(roster, directory);
      if (schools.length + staff.length === 0) break;
      const args = [
        ...schools.flatMap(([code, before, after]) => [code, schoolCodec.encode(before), schoolCodec.encode(after)]),
        ...staff.flatMap(([id, before, after]) => [id, staffCodec.encode(before), staffCodec.encode(after)]),
      ];
      const [replaced, skipped] = (await this.scripts.ybSwapRecords(k.schools, k.staff, schools.length, ...args)) as [number, number];
      changed += replaced;
      if (skipped === 0) break;
    }
    return changed;
  }
}
