import { emptyResult, type Entry, type EntryInit } from '../../outbox/entry';
import type { HistoryEntry } from '../../report/records';
import { INDEXED_STATUSES, type IndexedStatus } from '../../report/status';
import { draftCodec, historyFields, HISTORY_MAX, reportCodec, ytdCodec } from '../codecs';
import { partitionOf } from '../partition';
import type { SchoolChange, SchoolRecords } from '../records-store';
import { requireTtl } from '../ttl';
import { reviewMark, type ReviewMark } from '../../report/review';

interface Slot<T> {
  value: T;
  /** Epoch ms, or Infinity. */
  expiresAt: number;
}

/**
 * The embedded data the memory adapters share (Store, TurnStore, OutboxStore), with expiry on the
 * wall clock as Redis keeps it. Each adapter method runs to completion without yielding, so its
 * compositions are atomic as a Lua script is in Redis.
 */
export class MemoryDb {
  private readonly slots = new Map<string, Slot<unknown>>();
  private sequence = 0;

  constructor(
    readonly wallClock: () => number = Date.now,
    /** How many history entries a school keeps (HISTORY_MAX; tests lower it). */
    readonly historyMax = HISTORY_MAX,
  ) {}

  get<T>(key: string): T | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.expiresAt <= this.wallClock()) {
      this.slots.delete(key);
      return undefined;
    }
    return slot.value as T;
  }

  put(key: string, value: unknown, ttlMs: number | null = null): void {
    this.slots.set(key, { value, expiresAt: ttlMs === null ? Infinity : this.wallClock() + requireTtl(ttlMs, key) });
  }

  /** Keeps a key's expiry while changing its value. */
  replace(key: string, value: unknown): void {
    const slot = this.slots.get(key);
    this.slots.set(key, { value, expiresAt: slot?.expiresAt ?? Infinity });
  }

  expire(key: string, ttlMs: number): void {
    const slot = this.slots.get(key);
    if (slot) slot.expiresAt = this.wallClock() + requireTtl(ttlMs, key);
  }

  delete(key: string): void {
    this.slots.delete(key);
  }

  keys(): string[] {
    return [...this.slots.keys()];
  }

  nextToken(): string {
    return `mem:${++this.sequence}`;
  }

  set(key: string): Set<string> {
    return this.get<Set<string>>(key) ?? new Set();
  }

  // ── A school's records, as the memory adapters all keep them: encoded by the Redis adapters' codecs ──

  schoolRecords(code: string, period: string): SchoolRecords {
    const reopened = this.set(`reopened:${code}`);
    const draft = this.get<string>(`draft:${code}:${period}`);
    const reports = this.get<Record<string, string>>(`reports:${code}`) ?? {};
    return {
      rev: this.get<number>(`rev:${code}:${period}`) ?? 0,
      draft: draft === undefined ? null : draftCodec.decode(draft),
      reports: Object.fromEntries(Object.entries(reports).map(([p, json]) => [p, reportCodec.decode(json)])),
      reopened: reopened.has(period),
      reopenedPeriods: [...reopened].sort(),
      reportsRev: this.get<number>(`reports-rev:${code}`) ?? 0,
    };
  }

  /** Applies a school change (no revision check: the caller made it). */
  applySchool(w: SchoolChange): void {
    const { code, period } = w;
    this.bumpRev(code, period);
    if (w.draft === null) this.delete(`draft:${code}:${period}`);
    else if (w.draft !== undefined) this.put(`draft:${code}:${period}`, draftCodec.encode(w.draft));
    if (w.report !== undefined) {
      this.putReport(code, period, reportCodec.encode(w.report));
      this.setReviewMark(code, period, reviewMark(w.report));
    }
    if (w.reopened !== undefined) {
      const set = new Set(this.set(`reopened:${code}`));
      if (w.reopened) set.add(period);
      else set.delete(period);
      this.put(`reopened:${code}`, set);
    }
    if (w.history.length > 0) this.appendHistory(code, w.history);
    if (w.status !== undefined) this.setStatus(code, period, w.status);
    if (w.ytd !== undefined) {
      const key = `ytd:${partitionOf(code)}:${w.ytd.year}`;
      this.put(key, { ...(this.get<Record<string, string>>(key) ?? {}), [code]: ytdCodec.encode(w.ytd) });
      this.bumpDerived(code);
    }
  }

  /** A school's mark in the period's review index (null: none). */
  setReviewMark(code: string, period: string, mark: ReviewMark | null): void {
    const key = `review:${partitionOf(code)}:${period}`;
    const { [code]: _old, ...others } = this.get<Record<string, ReviewMark>>(key) ?? {};
    this.put(key, mark ? { ...others, [code]: mark } : others);
  }

  bumpRev(code: string, period: string): void {
    this.put(`rev:${code}:${period}`, (this.get<number>(`rev:${code}:${period}`) ?? 0) + 1);
  }

  /** Writes a report (encoded) and counts it in the school's reports revision. */
  putReport(code: string, period: string, json: string): void {
    this.put(`reports:${code}`, { ...(this.get<Record<string, string>>(`reports:${code}`) ?? {}), [period]: json });
    this.put(`reports-rev:${code}`, (this.get<number>(`reports-rev:${code}`) ?? 0) + 1);
  }

  /** A school change's revision checks: the period's records, and (with a report) the reports revision. */
  schoolChangeHolds(w: SchoolChange): boolean {
    if ((this.get<number>(`rev:${w.code}:${w.period}`) ?? 0) !== w.expectedRev) return false;
    return w.expectedReportsRev === undefined || (this.get<number>(`reports-rev:${w.code}`) ?? 0) === w.expectedReportsRev;
  }

  /** Appends history entries as stream fields, keeping the newest historyMax as the Redis script trims its stream. */
  appendHistory(code: string, entries: readonly HistoryEntry[]): void {
    const all = [...(this.get<Record<string, string>[]>(`history:${code}`) ?? []), ...entries.map(historyFields)];
    this.put(`history:${code}`, all.slice(-this.historyMax));
  }

  setStatus(code: string, period: string, status: IndexedStatus | null): void {
    const p = partitionOf(code);
    for (const s of INDEXED_STATUSES) {
      const set = new Set(this.set(`status:${p}:${period}:${s}`));
      if (s === status) set.add(code);
      else set.delete(code);
      this.put(`status:${p}:${period}:${s}`, set);
    }
    this.bumpDerived(code);
  }

  private bumpDerived(code: string): void {
    const key = `derived-rev:${partitionOf(code)}`;
    this.put(key, (this.get<number>(key) ?? 0) + 1);
  }

  // ── The outbox ──

  entryKey(partition: number, id: string): string {
    return `outbox:${partition}:${id}`;
  }

  /** Due times of a partition's pending entries (leased ones: until their lease ends). */
  dueMap(partition: number): Map<string, number> {
    return this.mapAt(`outbox-due:${partition}`);
  }

  /** When each failed entry of a partition gave up. */
  failedMap(partition: number): Map<string, number> {
    return this.mapAt(`outbox-failed:${partition}`);
  }

  private mapAt(key: string): Map<string, number> {
    let map = this.get<Map<string, number>>(key);
    if (!map) {
      map = new Map();
      this.put(key, map);
    }
    return map;
  }

  /** Writes an entry unless its id is taken in the owner's partition; true when written. */
  enqueue(owner: string, init: EntryInit, now: number): boolean {
    const p = partitionOf(owner);
    const key = this.entryKey(p, init.id);
    if (this.get(key) !== undefined) return false;
    const entry: StoredEntry = {
      ...structuredClone(init),
      owner,
      state: 'pending',
      failures: 0,
      createdAt: now,
      firstFailedAt: null,
      finishedAt: null,
      lastError: null,
      progress: 0,
      result: emptyResult(),
      media: null,
      lease: null,
    };
    this.put(key, entry);
    this.dueMap(p).set(init.id, init.due);
    return true;
  }
}

/** An entry as the memory outbox keeps it: with the token of whoever leases it. */
export type StoredEntry = Entry & { lease: string | null };
