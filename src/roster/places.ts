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
