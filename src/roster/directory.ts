import type { School, StaffMember } from './roster';

/**
 * WeCom's address book as the bot has read it (读取成员 user/get): the fallback for people whose
 * roster line has no name. Kept in Redis, refreshed daily (jobs/directory-refresh.ts), and copied into
 * the roster's records at write time, so that reading a school or a member costs nothing extra.
 * A roster name always wins; a directory name is never written over one.
 */
export interface DirectoryEntry {
  /** The member's name in WeCom, when WeCom answered with one. */
  name?: string;
  /** 部门 ids, as WeCom gives them. */
  department?: number[];
  /** WeCom's errcode when the member could not be read (60111 not found, 60011 outside the app's 可见范围). */
  missing?: number;
  fetchedAt: number;
}

export type Directory = Record<string, DirectoryEntry>;

/** Re-read a member's entry once it is this old. */
export const DIRECTORY_MAX_AGE_MS = 20 * 3_600_000;

/** The UserIDs the roster names nobody for: contacts and staff without a name in their file. */
export function unnamedPeople(schools: readonly School[], staff: readonly StaffMember[]): string[] {
  const ids = new Set<string>();
  for (const s of schools) for (const id of s.contacts) if (!s.people?.[id]?.name) ids.add(id);
  for (const m of staff) if (!m.name) ids.add(m.userId);
  return [...ids];
}

/** Of `ids`, those whose entry is missing or older than `maxAgeMs` at `now`. */
export function staleEntries(ids: readonly string[], directory: Directory, now: number, maxAgeMs = DIRECTORY_MAX_AGE_MS): string[] {
  return ids.filter((id) => {
    const e = directory[id];
    return !e || now - e.fetchedAt >= maxAgeMs;
  });
}

/** The school with each unnamed contact's directory name (and none where the directory has none). */
export function schoolWithDirectory(school: School, directory: Directory): School {
  const people: NonNullable<School['people']> = {};
  for (const [id, p] of Object.entries(school.people ?? {})) {
    const { directoryName: _old, ...rest } = p;
    people[id] = rest;
  }
  for (const id of school.contacts) {
    const name = directory[id]?.name;
    if (name && !people[id]?.name) people[id] = { ...people[id], directoryName: name };
  }
  const { people: _people, ...rest } = school;
  const kept = Object.fromEntries(Object.entries(people).filter(([, p]) => Object.keys(p).length > 0));
  return Object.keys(kept).length > 0 ? { ...rest, people: kept } : rest;
}

/** The staff member with their directory name when the staff list has none. */
export function staffWithDirectory(member: StaffMember, directory: Directory): StaffMember {
  const { directoryName: _old, ...rest } = member;
  const name = directory[member.userId]?.name;
  return name && !member.name ? { ...rest, directoryName: name } : rest;
}
