import { z } from 'zod';

/**
 * What the roster knows of a person besides the UserID. `directoryName` is the name WeCom's address
 * book gives (读取成员), kept only where the roster file has none; see roster/directory.ts.
 */
export const personSchema = z.object({ name: z.string().optional(), phone: z.string().optional(), directoryName: z.string().optional() });
export type Person = z.infer<typeof personSchema>;

/** A school as the roster lists it (schools.csv). */
export const schoolSchema = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  city: z.string().min(1),
  level: z.enum(['高职', '中职']),
  category: z.enum(['A', 'B', 'C', 'D']),
  pilot: z.boolean(),
  contacts: z.array(z.string().min(1)),
  /** Each contact's name and phone, by UserID (schools.csv contact_names / contact_phones). */
  people: z.record(z.string(), personSchema).optional(),
});
export type School = z.infer<typeof schoolSchema>;

/** City or provincial staff as the staff list has them (staff.csv). */
export const staffMemberSchema = z.discriminatedUnion('role', [
  z.object({ userId: z.string().min(1), role: z.literal('city'), city: z.string().min(1), name: z.string().optional(), phone: z.string().optional(), directoryName: z.string().optional() }),
  z.object({ userId: z.string().min(1), role: z.literal('province'), name: z.string().optional(), phone: z.string().optional(), directoryName: z.string().optional() }),
]);
export type StaffMember = z.infer<typeof staffMemberSchema>;

/** A school contact: a UserID the roster lists under a school. */
export interface SchoolContact {
  userId: string;
  role: 'school';
  school: string;
}

/** What a WeCom user is to the bot. */
export type Member = SchoolContact | StaffMember;

/** The schools in a scope: a city, a category, both, or (neither) all. */
export interface SchoolScope {
  city?: string;
  category?: string;
}

/** School codes grouped for set operations. */
export interface RosterIndex {
  all: string[];
  byCity: Record<string, string[]>;
  byCategory: Record<string, string[]>;
}
