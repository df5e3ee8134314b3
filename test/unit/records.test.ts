import { describe, expect, it } from 'vitest';
import type { Draft, Report } from '../../src/report/records';
import { filingStatus, STATUS_LABEL, statusText } from '../../src/report/status';
import { draft as makeDraft, report as makeReport } from '../fixtures/records';

const report = (status: Report['status']): Report => makeReport('s', '2026-10', status);
const draft: Draft = makeDraft();
const label = (r: Report | null, d: Draft | null) => STATUS_LABEL[filingStatus(r, d)];

describe('a school’s status for a period: one vocabulary', () => {
  it('names the five statuses, never confusing the automatic zero with a report of zeros', () => {
    expect(label(null, null)).toBe('未开始');
    expect(label(null, draft)).toBe('填报中');
    expect(label(report('filed'), null)).toBe('已报');
    expect(label({ ...report('filed'), zero: true }, null)).toBe('已报');
    expect(label(report('late'), null)).toBe('逾期补报');
    expect(label(report('defaulted'), null)).toBe('零申报(未报)');
  });
  it('keeps a filed report over a correction in progress, and the close’s zero over a draft left behind', () => {
    expect(label(report('filed'), draft)).toBe('已报');
    expect(label(report('defaulted'), draft)).toBe('零申报(未报)');
  });
  it('says a status with what more is known: 本月无培训, how far a draft has got', () => {
    expect(['filed', 'late', 'defaulted', 'drafting', 'none'].map((s) => statusText(s as never))).toEqual(['已报', '逾期补报', '零申报(未报)', '填报中', '未开始']);
    expect(statusText('filed', { zero: true })).toBe('本月无培训');
    expect(statusText('late', { zero: true })).toBe('逾期补报');
    expect(statusText('drafting', { answered: 23, cells: 51 })).toBe('填报中(23/51)');
  });
});
