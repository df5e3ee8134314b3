import { describe, expect, it } from 'vitest';
import { DIRECT_COUNTIES, educationBureau, normalizePlace, unlockContact } from '../../src/roster/places';

describe('places and the bureau a school turns to', () => {
  it('names a city’s bureau, a directly governed county’s own, and 济源示范区’s', () => {
    expect(educationBureau('郑州')).toBe('郑州市教育局');
    expect(educationBureau('兰考')).toBe('兰考县教育局');
    expect(educationBureau('滑县')).toBe('滑县教育局');
    expect(educationBureau('巩义')).toBe('巩义市教育局');
    expect(educationBureau('济源示范区')).toBe('济源示范区教育主管部门');
    expect(DIRECT_COUNTIES.map(educationBureau)).toEqual(['巩义市教育局', '兰考县教育局', '汝州市教育局', '滑县教育局', '长垣市教育局', '邓州市教育局', '永城市教育局', '固始县教育局', '鹿邑县教育局', '新蔡县教育局']);
    expect(unlockContact('兰考')).toBe('兰考县教育局或省教育厅职成教处');
    // Never 「市教育局」 for a place that is not a city.
    for (const county of DIRECT_COUNTIES) expect(unlockContact(normalizePlace(`${county}`)!)).not.toMatch(/^市教育局/);
  });
});
