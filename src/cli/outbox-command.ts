import type { Entry } from '../outbox/entry';
import type { OutboxStore } from '../store/outbox-store';
import { ALL_PARTITIONS } from '../store/partition';

const MINUTE = 60_000;

function age(ms: number): string {
  if (ms < MINUTE) return `${Math.round(ms / 1000)} 秒`;
  if (ms < 60 * MINUTE) return `${Math.round(ms / MINUTE)} 分钟`;
  if (ms < 48 * 60 * MINUTE) return `${(ms / (60 * MINUTE)).toFixed(1)} 小时`;
  return `${(ms / (24 * 60 * MINUTE)).toFixed(1)} 天`;
}

function recipients(entry: Entry): string {
  const p = entry.payload;
  if (p.kind === 'message') return `${p.to.length} 人`;
  if (p.kind === 'export' || p.kind === 'report' || p.kind === 'card-update') return p.to;
  if (p.kind === 'nudge') return `${p.schools.length} 所学校`;
  if (p.kind === 'recall') return p.label;
  if (p.kind === 'workbench') return p.userId;
  if (p.kind === 'workbench-template' || p.kind === 'workbench-fanout') return '工作台';
  return p.school;
}

/** Every partition's pending and failed entries. */
async function everything(outbox: OutboxStore): Promise<{ pending: Entry[]; failed: Entry[] }> {
  const parts = await Promise.all(ALL_PARTITIONS.map((p) => outbox.inspect(p)));
  return { pending: parts.flatMap((x) => x.pending), failed: parts.flatMap((x) => x.failed) };
}

/** `outbox status`: pending (with the oldest's age and what is waiting for later), failed with reasons. */
export async function outboxStatus(outbox: OutboxStore, now: number, print: (line: string) => void): Promise<number> {
  const { pending, failed } = await everything(outbox);
  const waiting = pending.filter((e) => e.due > now);
  const oldest = pending.reduce<Entry | null>((a, e) => (a === null || e.createdAt < a.createdAt ? e : a), null);
  print(`待发 ${pending.length} 条${waiting.length ? `（其中 ${waiting.length} 条定时稍后发出）` : ''}${oldest ? `，最早的已等 ${age(now - oldest.createdAt)}（${oldest.id}）` : ''}。`);
  const retrying = pending.filter((e) => e.lastError);
  for (const e of retrying.slice(0, 20)) print(`  重试中 ${e.id} → ${recipients(e)}：已失败 ${e.failures} 次，${e.lastError}`);
  print(`失败 ${failed.length} 条${failed.length ? '：' : '。'}`);
  for (const e of failed.sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0)).slice(0, 50)) print(`  ${e.id} → ${recipients(e)}：${e.lastError ?? '未知原因'}（${age(now - (e.finishedAt ?? now))}前，失败 ${e.failures} 次）`);
  if (failed.length > 50) print(`  ……还有 ${failed.length - 50} 条`);
  if (failed.length) print('修好原因后，运行 npm run cli -- outbox retry --failed 重发（或 outbox retry <id>）。');
  return 0;
}

/** `outbox retry <id|--failed>`: puts failed entries back in the queue, due now. */
export async function outboxRetry(outbox: OutboxStore, target: { id?: string; failed?: boolean }, now: number, print: (line: string) => void): Promise<number> {
  if (target.failed) {
    const { failed } = await everything(outbox);
    let n = 0;
    for (const e of failed) if (await outbox.retry({ owner: e.owner, id: e.id }, now)) n++;
    print(n ? `已将 ${n} 条失败的消息重新放入待发队列；运行中的服务会马上发送。` : '没有失败的消息。');
    return 0;
  }
  if (!target.id) {
    print('请给出要重发的消息编号，或 --failed 重发全部失败的消息。');
    return 2;
  }
  const entry = await outbox.find(target.id);
  if (!entry) {
    print(`没有编号为 ${target.id} 的消息（或已过保留期）。`);
    return 1;
  }
  if (entry.state !== 'failed') {
    print(`${target.id} 不是失败状态（现在：${entry.state}），无需重发。`);
    return 1;
  }
  await outbox.retry({ owner: entry.owner, id: entry.id }, now);
  print(`已将 ${target.id} 重新放入待发队列。`);
  return 0;
}
