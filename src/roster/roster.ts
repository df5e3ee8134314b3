import { z } from 'zod';

/** A school as the roster lists it (schools.csv). */
export const schoolSchema = z.object({
  code: z.string().min(1),
  name: z.string().min(1),
  city: z.string().min(1),
  level: z.enum(['高职', '中职']),
  category: z.enum(['A', 'B', 'C', 'D']),
  pilot: z.boolean(),
  contacts: z.array(z.string().min(1)),
});
export type School = z.infer<typeof schoolSchema>;

/** What a WeCom user is to the bot. */
export const memberSchema = z.discriminatedUnion('role', [
  z.object({ userId: z.string().min(1), role: z.literal('school'), school: z.string().min(1) }),
  z.object({ userId: z.string().min(1), role: z.literal('city'), city: z.string().min(1), name: z.string().optional() }),
  z.object({ userId: z.string().min(1), role: z.literal('province'), name: z.string().optional() }),
]);
export type Member = z.infer<typeof memberSchema>;
