import type { School, StaffMember } from './roster';

/**
 * People as texts name them: by name, never by UserID (UserIDs are for logs). The names come from
 * the roster (schools.csv contact_names, staff.csv name) and, where the file has none, from WeCom's
 * address book (roster/directory.ts).
 */

/** A school contact's name, or null when neither the roster nor WeCom has one. */
export function contactName(school: School, userId: string): string | null {
  const p = school.people?.[userId];
  return p?.name ?? p?.directoryName ?? null;
}

/**
 * A contact as a text names them: 「您」 to themself, the name, or — when the roster has none —
 * 「本校另一位填报人」 to a colleague (`viewer` given) and 「未登记姓名的填报人」 to staff.
 */
export function contactLabel(school: School, userId: string, viewer?: string): string {
  if (viewer !== undefined && userId === viewer) return '您';
  return contactName(school, userId) ?? (viewer !== undefined ? '本校另一位填报人' : '未登记姓名的填报人');
}

/** The school's contacts for staff: 「张老师 13800000000、李老师」, or 「（未登记）」. */
export function contactsText(school: School): string {
  if (school.contacts.length === 0) return '（未登记）';
  let unnamed = 0;
  const named = school.contacts.flatMap((id) => {
    const name = contactName(school, id);
    if (!name) {
      unnamed++;
      return [];
    }
    const phone = school.people?.[id]?.phone;
    return [`${name}${phone ? ` ${phone}` : ''}`];
  });
  if (named.length === 0) return `${unnamed} 位（未登记姓名）`;
  return [...named, ...(unnamed > 0 ? [`另有 ${unnamed} 位未登记姓名`] : [])].join('、');
}

/** A staff member's name, or null when neither the staff list nor WeCom has one. */
export function staffNameOrNull(member: StaffMember): string | null {
  return member.name ?? member.directoryName ?? null;
}

/** A staff member as a text names them. */
export function staffName(member: StaffMember): string {
  return staffNameOrNull(member) ?? '工作人员';
}
