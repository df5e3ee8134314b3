import { describe, expect, it } from 'vitest';
import { decodeSession, encodeSession, newSession } from '../../src/session/session';

describe('decodeSession', () => {
  it('reads back what it wrote', () => {
    const s = { ...newSession(), turns: 4, lastEventAt: 1_700_000_000_000 };
    expect(decodeSession(encodeSession(s))).toEqual({ session: s, restarted: false });
  });
  it('restarts an unreadable record', () => {
    expect(decodeSession('{not json')).toEqual({ session: newSession(), restarted: true, reason: 'unreadable' });
  });
  it('restarts a record of an unknown version instead of misreading it', () => {
    expect(decodeSession(JSON.stringify({ v: 99, turns: 3 }))).toMatchObject({ restarted: true, reason: 'unknown-version' });
    expect(decodeSession(JSON.stringify({ turns: 3 }))).toMatchObject({ restarted: true, reason: 'unknown-version' });
  });
  it('restarts a record of this version that fails the schema', () => {
    expect(decodeSession(JSON.stringify({ v: 6, turns: -1, lastEventAt: 0, unregisteredNoticeAt: null, report: null, broadcast: null, nudge: null, card: null }))).toMatchObject({ restarted: true, reason: 'invalid' });
  });
  it('migrates a version-1 record through every version to version 6', () => {
    expect(decodeSession(JSON.stringify({ v: 1, turns: 3, lastEventAt: 5, unregisteredNoticeAt: null }))).toEqual({
      session: { v: 6, turns: 3, lastEventAt: 5, unregisteredNoticeAt: null, report: null, broadcast: null, nudge: null, card: null },
      restarted: false,
    });
  });
  it('names form version 1 for a report conversation kept before form versions were', () => {
    const report = { school: 's', period: '2026-10', editing: 'funds_received', awaiting: null, attempts: 0, asked: 'funds_received' };
    expect(decodeSession(JSON.stringify({ v: 4, turns: 3, lastEventAt: 5, unregisteredNoticeAt: null, report, broadcast: null, nudge: null })).session.report).toEqual({ ...report, form: 1, row: null, said: [] });
  });
});
