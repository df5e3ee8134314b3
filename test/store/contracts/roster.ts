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
  });
}
