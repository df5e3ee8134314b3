import type { School, StaffMember } from './roster';

/**
 * People as texts name them: by name, never by UserID (UserIDs are for logs). The names come from
 * the roster (schools.csv contact_names, staff.csv name).
 */

/** A school contact's name, or null when the roster has none. */
export function contactName(school: School, userId: string): string | null {
  return school.people?.[userId]?.name ?? null;
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
    const p = school.people?.[id];
    if (!p?.name) {
      unnamed++;
      return [];
    }
    return [`${p.name}${p.phone ? ` ${p.phone}` : ''}`];
  });
  if (named.length === 0) return `${unnamed} 位（未登记姓名）`;
  return [...named, ...(unnamed > 0 ? [`另有 ${unnamed} 位未登记姓名`] : [])].join('、');
}

/** A staff member as a text names them. */
export function staffName(member: StaffMember): string {
  return member.name ?? '工作人员';
}
