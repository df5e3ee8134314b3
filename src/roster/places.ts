/**
 * The places a school or city staff member belongs to: Henan's 17 省辖市, 济源示范区, and the 10 省直管县（市）.
 * Names are accepted with or without their 市/县 suffix and stored in the short form below.
 */
export const CITIES = ['郑州', '开封', '洛阳', '平顶山', '安阳', '鹤壁', '新乡', '焦作', '濮阳', '许昌', '漯河', '三门峡', '南阳', '商丘', '信阳', '周口', '驻马店'] as const;
export const JIYUAN = '济源示范区';
export const DIRECT_COUNTIES = ['巩义', '兰考', '汝州', '滑县', '长垣', '邓州', '永城', '固始', '鹿邑', '新蔡'] as const;
export const PLACES: readonly string[] = [...CITIES, JIYUAN, ...DIRECT_COUNTIES];

const ALIASES: Record<string, string> = {
  济源: JIYUAN,
  济源市: JIYUAN,
  济源产城融合示范区: JIYUAN,
  滑: '滑县',
};

/** The canonical place name, or null when the name is not one of Henan's cities or directly governed counties. */
export function normalizePlace(raw: string): string | null {
  const name = raw.normalize('NFKC').replace(/\s+/g, '').replace(/^河南省?/u, '');
  if (PLACES.includes(name)) return name;
  if (ALIASES[name]) return ALIASES[name]!;
  const bare = name.replace(/(?:市|县)$/u, '');
  if (PLACES.includes(bare)) return bare;
  return ALIASES[bare] ?? null;
}

/** 县级市 among the directly governed places (the rest are counties). */
const COUNTY_CITIES = new Set(['巩义', '汝州', '长垣', '邓州', '永城']);

/**
 * The education bureau a school of `place` turns to: 郑州市教育局; for a directly governed county
 * its own (兰考县教育局, 巩义市教育局), not a city's; for 济源示范区 its own education department.
 */
export function educationBureau(place: string): string {
  if (place === JIYUAN) return '济源示范区教育主管部门';
  if ((DIRECT_COUNTIES as readonly string[]).includes(place)) return `${place}${COUNTY_CITIES.has(place) ? '市' : place.endsWith('县') ? '' : '县'}教育局`;
  if ((CITIES as readonly string[]).includes(place)) return `${place}市教育局`;
  return '所在地教育局';
}

/** Whom a school asks to reopen a month: its bureau, or the province's office. */
export function unlockContact(place: string): string {
  return `${educationBureau(place)}或省教育厅职成教处`;
}
