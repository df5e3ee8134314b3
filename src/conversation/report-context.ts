import type { ButtonCard } from './buttons';
import type { Reply } from './reply';
import type { Window } from '../calendar/period';
import type { Draft, HistoryEntry, Report } from '../report/records';
import type { PastReport } from '../report/rules';
import type { SchoolProgress } from '../report/progress';
import type { School } from '../roster/roster';
import type { ReportState } from '../session/session';
import type { Command } from './vocabulary';

/** What the engine knows about the school and period; loaded by the dispatcher before each step. */
export interface SchoolContext {
  userId: string;
  school: School;
  /** The window of the period filing is about now (open, or the one that just closed). */
  window: Window;
  /** Filing is allowed: the window is open, or staff reopened the period for this school. */
  open: boolean;
  reopened: boolean;
  /** The next window to open, for messages when filing is closed. */
  next: Window;
  draft: Draft | null;
  report: Report | null;
  /** The form changed under the school's draft: what to tell the contact first (null: nothing). */
  formNotice: string | null;
  /** Every report of the school, any period and status. */
  allReports: Report[];
  /** The school's earlier filed reports, oldest first (R10). */
  history: PastReport[];
  /** The year of the period: the school's sums so far against its target. */
  progress: SchoolProgress;
  /**
   * A month the contact asked for (「补报 9月」) that takes no answers, and why: closed and not
   * reopened (filed or not), not begun (future), or — 补报 with nothing reopened — none at all.
   */
  requested?: { period: string | null; why: 'closed' | 'filed' | 'future' | 'none' } | null;
  /** REVIEW_REQUIRED: a submission counts once its city approves it. */
  reviewRequired?: boolean;
}

export interface RecordChange {
  draft?: Draft | null;
  report?: Report;
  reopened?: boolean;
  history: HistoryEntry[];
}

export interface EngineResult {
  state: ReportState | null;
  replies: Reply[];
  change: RecordChange | null;
  /** Buttons for what the reply asks (确认提交, 同上月 …): sent as a card after it. */
  card?: ButtonCard;
}

export interface EngineInput {
  /** The message as typed. */
  text: string;
  /** The command it stands for (typed word or menu click), if any. */
  command: Command | null;
  /** The normalised text, for 「修改 …」. */
  normalized: string;
}
