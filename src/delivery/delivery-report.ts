import { FINAL_STATES, reached, type Entry } from '../outbox/entry';

/** How a set of message entries fared, from what the outbox recorded. */
export interface DeliverySummary {
  /** Entries that are final. */
  done: number;
  /** Entries still waiting or being sent. */
  pending: number;
  reached: string[];
  invalid: string[];
  failed: { userId: string; reason: string }[];
}

export function summarize(entries: readonly (Entry | null)[]): DeliverySummary {
  const out: DeliverySummary = { done: 0, pending: 0, reached: [], invalid: [], failed: [] };
  for (const entry of entries) {
    if (entry === null) continue;
    if (!FINAL_STATES.has(entry.state)) {
      out.pending++;
      continue;
    }
    out.done++;
    if (entry.payload.kind !== 'message') continue;
    if (entry.state === 'failed') {
      out.failed.push(...entry.payload.to.map((userId) => ({ userId, reason: entry.lastError ?? '发送失败' })));
      continue;
    }
    out.reached.push(...reached(entry));
    out.invalid.push(...entry.result.invalid, ...entry.result.unlicensed);
  }
  const uniq = (xs: string[]) => [...new Set(xs)];
  return { ...out, reached: uniq(out.reached), invalid: uniq(out.invalid) };
}

/** 「…，送达 N 人。」 then the notes, invalid and failed recipients, for the staff member who asked. */
export function deliveryReportText(head: string, summary: DeliverySummary, notes: readonly string[] = []): string {
  const lines = [`${head}，送达 ${summary.reached.length} 人。`, ...notes.filter(Boolean)];
  const invalid = summary.invalid;
  if (invalid.length) lines.push(`无效或无权限的账号 ${invalid.length} 个：${invalid.slice(0, 10).join('、')}${invalid.length > 10 ? ' 等' : ''}`);
  if (summary.failed.length) lines.push(`发送失败 ${summary.failed.length} 人：${summary.failed[0]!.reason}`);
  return lines.join('\n');
}
