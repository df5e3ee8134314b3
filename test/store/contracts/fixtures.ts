import type { EntryInit } from '../../../src/outbox/entry';
import type { Draft, HistoryEntry, Report } from '../../../src/report/records';
import { draft as makeDraft, report as makeReport } from '../../fixtures/records';
import type { School } from '../../../src/roster/roster';
import type { SchoolChange } from '../../../src/store/records-store';
import type { Stores } from '../../../src/store/stores';

/** What a contract suite runs against: fresh ports over one backing store, and how to clear them. */
export interface ContractSubject {
  stores: Stores;
  cleanup(): Promise<void>;
}

/** Makes a subject; `historyMax` lowers the history cap so that trimming can be seen. */
export type MakeSubject = (options?: { historyMax?: number }) => Promise<ContractSubject>;

export const school = (code: string, city = '郑州', category: School['category'] = 'A', contacts: string[] = []): School => ({
  code,
  name: `学校${code}`,
  city,
  level: category < 'C' ? '高职' : '中职',
  category,
  pilot: false,
  contacts,
});

export const draft = (values: Record<string, number> = {}): Draft => makeDraft(values, { startedBy: 'a', updatedBy: 'a' });

export const report = (code: string, period: string, status: Report['status'] = 'filed', values: Record<string, number> = {}, more: Partial<Report> = {}): Report =>
  makeReport(code, period, status, values, { submittedBy: status === 'defaulted' ? null : 'a', ...more });

export const history = (type: HistoryEntry['type'], by = 'a', period = '2026-10'): HistoryEntry => ({ type, period, by, at: 1, cells: [] });

export const change = (w: Partial<SchoolChange> & { code: string; period: string }): SchoolChange => ({ expectedRev: 0, history: [], ...w });

export const message = (id: string, to: string[], text: string, due = 1_000): EntryInit => ({ id, payload: { kind: 'message', to, messages: [{ msgtype: 'text', text: { content: text } }] }, due });

export const ytd = (trainees: number, year = 2026) => ({ year, trainees, subsidized: 0, poor: 0 });

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh subject for each test of a suite (beforeEach / afterEach), read through `s()`. */
export function useSubject(make: MakeSubject, before: (f: () => Promise<void>) => void, after: (f: () => Promise<void>) => void): () => Stores {
  let subject: ContractSubject | null = null;
  before(async () => {
    subject = await make();
  });
  after(async () => {
    await subject?.cleanup();
    subject = null;
  });
  return () => subject!.stores;
}
