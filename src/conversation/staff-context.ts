import { dateLabel, dueDateLabel, periodLabel, windowFor, type Period, type PeriodCalendar, type Window } from '../calendar/period';
import type { PaceBasis, YearToDate } from '../report/progress';
import type { HistoryEntry, Report } from '../report/records';
import type { ReviewState } from '../report/review';
import type { IndexedStatus, PeriodIndex } from '../report/status';
import type { School, StaffMember } from '../roster/roster';
import type { NudgeState } from '../session/session';
import type { YearTargets } from '../targets/targets';
import type { BroadcastEffect, BroadcastRecord } from './broadcast';
import type { TextCard } from './reply';
import type { ButtonCard } from './buttons';
import type { SchoolFilter, StaffCommand } from './staff-words';


/** What each staff command needs, loaded by the dispatcher before the (pure) step. */
export type StaffData =
  | { kind: 'progress'; index: PeriodIndex; schools: Record<string, School>; ytd: Record<string, YearToDate>; targets: YearTargets; year: number; pace: PaceBasis; reviews: Record<string, ReviewState>; reviewInUse: boolean }
  | { kind: 'owing'; codes: string[]; schools: Record<string, School>; status: Record<string, IndexedStatus> }
  | { kind: 'school'; matches: School[]; elsewhere: School[]; records: { report: Report | null; hasDraft: boolean; reopened: boolean } | null; ytd: YearToDate | null; targets: YearTargets; pace: PaceBasis; history?: { entries: HistoryEntry[]; people: Record<string, string>; labels: Record<string, string> } }
  /** 广播记录 / 撤回: the broadcasts the member may see (their own; every one for provincial staff), newest first. */
  | { kind: 'broadcasts'; list: BroadcastRecord[] }
  /** 待审: the filed reports in scope awaiting review. */
  | { kind: 'pending'; reports: Report[]; schools: Record<string, School> }
  | { kind: 'none' };

export interface StaffContext {
  member: StaffMember;
  command: StaffCommand;
  window: Window;
  /** The period the command is about (unlock: its own period). */
  period: Period;
  /** The deployment's first period (null: no roster imported yet); nothing before it was asked for. */
  firstPeriod: Period | null;
  data: StaffData;
  /** A 催报 shown and waiting for 「确认」. */
  pendingNudge: NudgeState | null;
  /** When a nudge asked for now would go out (quiet hours put it off), and the quiet hours' text. */
  nudgeSendAt: Date;
  quietHours: string;
  /** A school is nudged at most once within this many hours, whoever asks. */
  nudgeIntervalHours: number;
}

/** What a staff step knows besides the data: the 催报 waiting for 「确认」, and the nudge policy. */
export type StaffSettings = Pick<StaffContext, 'pendingNudge' | 'nudgeSendAt' | 'quietHours' | 'nudgeIntervalHours'>;

/** A period before the deployment's first: no school was asked for it, so none owes it. */
export function beforeStartText(period: Period, first: Period, cal: PeriodCalendar): string {
  const w = windowFor(first, cal);
  return `本系统从${periodLabel(first)}月报起收集，${periodLabel(period)}在此之前，没有应报的学校。${periodLabel(first)}月报 ${dateLabel(w.opensAt, cal)}开始填报，${dueDateLabel(w, cal)}截止。`;
}

export type StaffEffect =
  | { kind: 'nudge'; by: string; period: Period; schools: string[]; sendAt: number; label: string }
  | { kind: 'card'; card: TextCard }
  | { kind: 'export'; by: string; period: Period; filter: SchoolFilter; fileName: string }
  | { kind: 'reopen'; school: string; period: Period; by: string; contacts: string[]; notice: string }
  | { kind: 'review'; school: string; period: Period; decision: 'approve' | 'return'; reason: string; by: string; byName: string; submittedAt: number; contacts: string[]; notice: string }
  | { kind: 'recall'; by: string; broadcast: BroadcastRecord }
  /** Buttons for what the reply offers (通过 / 退回 after 查), sent as a card after it. */
  | { kind: 'buttons'; card: ButtonCard }
  | BroadcastEffect;

export interface StaffResult {
  text: string;
  effects: StaffEffect[];
  /** The 催报 waiting for 「确认」 after this step (undefined: as it was). */
  nudge?: NudgeState | null;
}

/** The filter a command may use: city staff are held to their own city. */
export function scopedFilter(member: StaffMember, filter: SchoolFilter): SchoolFilter | { refused: string } {
  if (member.role === 'province') return filter;
  if (filter.city && filter.city !== member.city) return { refused: `您只能查看和处理${member.city}的学校。` };
  return { ...filter, city: member.city! };
}

export function inScope(member: StaffMember, school: School): boolean {
  return member.role === 'province' || school.city === member.city;
}

