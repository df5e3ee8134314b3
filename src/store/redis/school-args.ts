import type { EntryInit } from '../../outbox/entry';
import { draftCodec, historyArg, reportCodec, ytdCodec } from '../codecs';
import type { RedisKeys } from '../keys';
import { partitionOf } from '../partition';
import type { SchoolChange, SchoolRecords } from '../records-store';
import { pairsToRecord } from '../redis-scripts';
import { reviewMark } from '../../report/review';

/** The arguments an outbox entry takes in a script: id, owner, due, kind, payload. */
export function entryArgs(owner: string, entry: EntryInit): (string | number)[] {
  return [entry.id, owner, entry.due, entry.payload.kind, JSON.stringify(entry.payload)];
}

/** The keys and arguments of a school change, as APPLY_SCHOOL takes them. */
export function schoolChangeArgs(k: RedisKeys, w: SchoolChange, historyMax: number): { keys: string[]; args: (string | number)[] } {
  const partition = partitionOf(w.code);
  const year = w.ytd?.year ?? Number(w.period.slice(0, 4));
  const keys = [
    k.schoolRev(w.code, w.period),
    k.draft(w.code, w.period),
    k.reports(w.code),
    k.reopened(w.code),
    k.history(w.code),
    ...k.statusOf(w.code, w.period),
    k.ytd(partition, year),
    k.derivedRev(partition),
    k.reportsRev(w.code),
    k.reviewsOf(w.code, w.period),
  ];
  const draftOp = w.draft === undefined ? 'keep' : w.draft === null ? 'del' : 'set';
  const reopened = w.reopened === undefined ? 'keep' : w.reopened ? '1' : '0';
  const status = w.status === undefined ? 'keep' : (w.status ?? '');
  const args = [
    w.expectedRev,
    w.period,
    w.code,
    draftOp,
    w.draft ? draftCodec.encode(w.draft) : '',
    w.report ? reportCodec.encode(w.report) : '',
    reopened,
    status,
    w.ytd ? ytdCodec.encode(w.ytd) : '',
    historyArg(w.history, historyMax),
    w.expectedReportsRev ?? -1,
    w.report ? (reviewMark(w.report) ?? '') : '',
  ];
  return { keys, args };
}

/** The keys a school's records are read from (ybReadSchool, and the school part of ybTurnBegin). */
export function schoolReadKeys(k: RedisKeys, code: string, period: string): string[] {
  return [k.schoolRev(code, period), k.draft(code, period), k.reports(code), k.reopened(code), k.reportsRev(code)];
}

export type RawSchool = [string, string | null | false, string[], number, string[], string];

/** The answer of ybReadSchool (or the school part of ybTurnBegin), read. */
export function schoolRecordsFrom([rev, draft, flat, reopened, reopenedPeriods, reportsRev]: RawSchool): SchoolRecords {
  const reports = Object.fromEntries(Object.entries(pairsToRecord(flat)).map(([period, json]) => [period, reportCodec.decode(json)]));
  return { rev: Number(rev), draft: draft ? draftCodec.decode(draft) : null, reports, reopened: reopened === 1, reopenedPeriods: [...reopenedPeriods].sort(), reportsRev: Number(reportsRev) };
}
