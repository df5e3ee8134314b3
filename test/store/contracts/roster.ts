import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { school, useSubject, type MakeSubject } from './fixtures';

export function rosterContract(make: MakeSubject): void {
  describe('RosterStore', () => {
    const s = useSubject(make, beforeEach, afterEach);

    it('tells who a user is: a school contact with their school, a staff member, or nobody', async () => {
      const { roster } = s();
      await roster.replaceSchools([school('s1', '郑州', 'A', ['c1', 'c2'])]);
      await roster.replaceStaff([{ userId: 'p1', role: 'province', name: '王省' }, { userId: 'z1', role: 'city', city: '郑州' }]);
      expect(await roster.whois('c2')).toEqual({ member: { userId: 'c2', role: 'school', school: 's1' }, school: school('s1', '郑州', 'A', ['c1', 'c2']) });
      expect(await roster.whois('p1')).toEqual({ member: { userId: 'p1', role: 'province', name: '王省' }, school: null });
      expect(await roster.whois('z1')).toEqual({ member: { userId: 'z1', role: 'city', city: '郑州' }, school: null });
      expect(await roster.whois('nobody')).toEqual({ member: null, school: null });
      expect(await roster.schools(['s1', 'nope'])).toEqual([school('s1', '郑州', 'A', ['c1', 'c2']), null]);
      expect(await roster.schools([])).toEqual([]);
    });

    it('replaces the whole roster at once: a contact left out loses access, the index follows', async () => {
      const { roster } = s();
      await roster.replaceSchools([school('a', '郑州', 'A', ['ca']), school('b', '郑州', 'C', ['cb']), school('c', '洛阳', 'A')]);
      expect((await roster.codesIn({})).sort()).toEqual(['a', 'b', 'c']);
      expect((await roster.codesIn({ city: '郑州' })).sort()).toEqual(['a', 'b']);
      expect(await roster.codesIn({ city: '郑州', category: 'C' })).toEqual(['b']);
      expect(await roster.codesIn({ city: '开封' })).toEqual([]);
      await roster.replaceSchools([school('a', '洛阳', 'A', ['cb'])]);
      expect(await roster.whois('ca')).toEqual({ member: null, school: null });
      expect((await roster.whois('cb')).member).toEqual({ userId: 'cb', role: 'school', school: 'a' });
      expect(await roster.index()).toEqual({ all: ['a'], byCity: { 洛阳: ['a'] }, byCategory: { A: ['a'] } });
      expect(await roster.read()).toEqual({ schools: { a: school('a', '洛阳', 'A', ['cb']) }, contacts: { cb: 'a' }, staff: {} });
      await roster.replaceSchools([]);
      await roster.replaceStaff([]);
      expect(await roster.read()).toEqual({ schools: {}, contacts: {}, staff: {} });
      expect(await roster.codesIn({})).toEqual([]);
    });

    it('keeps WeCom’s names and copies them into the records that have none, through later imports', async () => {
      const { roster } = s();
      await roster.replaceSchools([{ ...school('s1', '郑州', 'A', ['c1', 'c2']), people: { c2: { name: '乙老师', phone: '13800000002' } } }]);
      await roster.replaceStaff([{ userId: 'p1', role: 'province', name: '王省' }, { userId: 'z1', role: 'city', city: '郑州' }]);
      const changed = await roster.saveDirectory({
        c1: { name: '甲', department: [3], fetchedAt: 1 },
        c2: { name: '乙（企业微信）', fetchedAt: 1 },
        p1: { name: '王（企业微信）', fetchedAt: 1 },
        z1: { name: '周', fetchedAt: 1 },
        gone: { missing: 60111, fetchedAt: 1 },
      });
      expect(changed).toBe(2);
      expect((await roster.schools(['s1']))[0]!.people).toEqual({ c1: { directoryName: '甲' }, c2: { name: '乙老师', phone: '13800000002' } });
      expect((await roster.whois('z1')).member).toEqual({ userId: 'z1', role: 'city', city: '郑州', directoryName: '周' });
      expect((await roster.whois('p1')).member).toEqual({ userId: 'p1', role: 'province', name: '王省' });
      expect((await roster.directory()).gone).toEqual({ missing: 60111, fetchedAt: 1 });
      expect(await roster.saveDirectory({})).toBe(0);
      // An import brings the kept names along; a rename in WeCom replaces the old one.
      await roster.replaceSchools([school('s1', '郑州', 'A', ['c1', 'c3'])]);
      expect((await roster.schools(['s1']))[0]!.people).toEqual({ c1: { directoryName: '甲' } });
      expect(await roster.saveDirectory({ c1: { name: '甲二', fetchedAt: 2 } })).toBe(1);
      expect((await roster.whois('c1')).school?.people).toEqual({ c1: { directoryName: '甲二' } });
      await roster.replaceStaff([{ userId: 'z1', role: 'city', city: '郑州' }]);
      expect((await roster.read()).staff.z1).toEqual({ userId: 'z1', role: 'city', city: '郑州', directoryName: '周' });
    });
  });
}
