import pLimit from 'p-limit';
import type { Store } from '../store/store';
import { mergeReports, type SendReport, type TextCard, type WeComSender } from '../wecom/sender';

export interface Message {
  /** What the marker is about (a school code, a staff UserID). */
  key: string;
  users: string[];
  text: string;
  /** Sent after the text, under the same marker (the staff digest's dashboard card). */
  card?: TextCard;
}

export interface SendOnceResult {
  /** Messages sent by this call. */
  sent: number;
  /** Messages marked before (an earlier run, another instance, or 催报 within the hour). */
  skipped: number;
  report: SendReport;
}

/** Sends in flight at once: quick, yet well under WeCom's concurrency limit (45033). */
const CONCURRENCY = 8;

/**
 * Sends each message at most once per scope: every message is marked (in one round trip) before
 * it goes out, so a re-run, a second instance or a crash mid-run never sends one twice.
 */
export async function sendOnce(
  store: Store,
  sender: WeComSender,
  scope: string,
  messages: readonly Message[],
  ttlMs: number,
  onProgress?: (done: number, total: number) => void,
): Promise<SendOnceResult> {
  const withUsers = messages.filter((m) => m.users.length > 0);
  const fresh = await store.markOnce(scope, withUsers.map((m) => m.key), ttlMs);
  const due = withUsers.filter((_, i) => fresh[i]);
  const limit = pLimit(CONCURRENCY);
  let done = 0;
  const step = Math.max(1, Math.ceil(due.length / 10));
  const reports = await Promise.all(
    due.map((m) =>
      limit(async () => {
        const report = await sender.sendText(m.users, m.text);
        if (m.card && report.sent.length > 0) await sender.sendTextCard(report.sent, m.card);
        if (++done % step === 0 || done === due.length) onProgress?.(done, due.length);
        return report;
      }),
    ),
  );
  return { sent: due.length, skipped: withUsers.length - due.length, report: mergeReports(reports) };
}
