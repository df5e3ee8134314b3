import { describe, expect, it } from 'vitest';
import { periodStatus, type Draft, type Report } from '../../src/report/records';

const report = (status: Report['status']): Report => ({ v: 1, school: 's', period: '2026-10', status, values: {}, submittedBy: null, submittedAt: 0, firstSubmittedAt: 0, acceptedWarnings: [], zero: false });
const draft: Draft = { v: 1, values: {}, startedBy: 'a', startedAt: 0, updatedBy: 'a', updatedAt: 0, zero: false };

describe('periodStatus', () => {
  it('names the five statuses, never confusing the automatic zero with a report of zeros', () => {
    expect(periodStatus(null, null)).toBe('未开始');
    expect(periodStatus(null, draft)).toBe('填报中');
    expect(periodStatus(report('filed'), null)).toBe('已报');
    expect(periodStatus({ ...report('filed'), zero: true }, null)).toBe('已报');
    expect(periodStatus(report('late'), null)).toBe('逾期补报');
    expect(periodStatus(report('defaulted'), null)).toBe('零申报(未报)');
  });
  it('keeps a filed report over a correction in progress, and the close’s zero over a draft left behind', () => {
    expect(periodStatus(report('filed'), draft)).toBe('已报');
    expect(periodStatus(report('defaulted'), draft)).toBe('零申报(未报)');
  });
});
