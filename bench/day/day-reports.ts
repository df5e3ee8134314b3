import type { Form } from '../../src/conversation/form';

/** A deterministic stream of numbers (the same school gets the same report in every run). */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

/** Splits `total` into `n` whole parts, at most `nonZero` of them non-zero. */
function split(rand: () => number, total: number, n: number, nonZero = n): number[] {
  const out = new Array<number>(n).fill(0);
  const slots = Array.from({ length: n }, (_, i) => i).sort(() => rand() - 0.5).slice(0, Math.max(1, Math.min(n, nonZero)));
  let left = total;
  slots.forEach((slot, i) => {
    const v = i === slots.length - 1 ? left : Math.floor(rand() * (left + 1));
    out[slot] = v;
    left -= v;
  });
  return out;
}

/** What a school's contact sends on the deadline day, and the values they mean the report to hold. */
export interface DayScript {
  /** Messages in order; a mistake is followed by what the bot asks for. */
  messages: string[];
  /** The report as the school means it, by cell id (corrections applied). */
  values: Record<string, number>;
  /** How many of the messages are mistakes or corrections. */
  mistakes: number;
}

/**
 * A realistic report by parts: 填报, one message per part with the cells' names, a mistake now and
 * then (a word where a number belongs, answered by the bot's question and the right message), a
 * correction of an earlier part (修改 the staff count) for some, then 提交 and 确认. Values keep to
 * every rule of the form, so the report goes in without warnings.
 */
export function dayScript(form: Form, seed: number): DayScript {
  const rand = random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const students = int(20, 200);
  const social = int(10, 120);
  const total = students + social;
  const subsidized = int(1, Math.floor(total / 2));
  const teachers = int(80, 600);
  const values: Record<string, number> = {
    projects_fiscal: int(1, 6),
    projects_nonfiscal: int(0, 8),
    projects_public: int(0, 3),
    funds_received: int(10, 999) / 10,
    hours_subsidized: subsidized * int(4, 16),
    hours_unsubsidized: (total - subsidized) * int(4, 16),
    trainees_students: students,
    trainees_public: social,
    trainees_subsidized: subsidized,
    teachers_fulltime: teachers,
    students_fulltime: int(1500, 20000),
  };
  const partCells = (id: string) => form.parts.find((p) => p.id === id)!.cells.map((c) => c.id);

  // One split per part (not per cell): computed once, then assigned.
  for (const [id, nonZero] of [['content', 5], ['mode', 3], ['industry', 4], ['groups', 4]] as const) {
    const parts = split(rand, total, partCells(id).length, nonZero);
    partCells(id).forEach((cell, i) => (values[cell] = parts[i]!));
  }

  values.trainers_internal = int(1, Math.min(30, teachers));
  values.trainers_external = int(0, 10);
  const name = (id: string) => form.cells.find((c) => c.id === id)!.name;
  const says = (ids: string[]) => ids.map((id) => `${name(id)} ${values[id]}`).join(' ');
  const messages = ['填报'];
  let mistakes = 0;
  for (const part of form.parts) {
    if (rand() < 0.08) {
      // A word for a number: the bot says what it wants, and the part is sent again.
      messages.push('不知道');
      mistakes++;
    }
    messages.push(says(part.cells.map((c) => c.id)));
  }
  if (rand() < 0.15) {
    // The staff count was wrong: corrected before submitting.
    values.teachers_fulltime = teachers + int(1, 9);
    messages.push(`修改 ${name('teachers_fulltime')}`, String(values.teachers_fulltime));
    mistakes++;
  }
  messages.push('提交', '确认');
  return { messages, values, mistakes };
}
