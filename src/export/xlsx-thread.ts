import { Worker } from 'node:worker_threads';
import type { PeriodCalendar } from '../calendar/period';
import type { Form } from '../conversation/form';
import type { FormDef } from '../conversation/form-schema';
import type { ReportBookInput } from './report-book';

/** What the workbook's thread is given: plain data (the form as its definition, loaded again there). */
export interface WorkbookJob {
  form: FormDef;
  cal: PeriodCalendar;
  input: ReportBookInput;
  title: string;
}

type Answer = { id: number; file: Uint8Array; rows: number } | { id: number; error: unknown };

/**
 * The thread, kept between workbooks while they come (starting one and loading ExcelJS in it is
 * about 150 ms of CPU, and staff asking all day would pay it each time) and ended once none has
 * come for `idleMs`, which gives back ExcelJS's memory. Its heap is capped at `maxHeapMb`: a
 * workbook past it ends the thread (the export fails, and says why) rather than growing the
 * server's memory until the system kills the whole process; a province-wide workbook of 20,000
 * schools is written within 128 MB (rows are streamed). `started` counts the threads made (tests).
 */
export const workbookThread = { idleMs: 60_000, maxHeapMb: 512, started: 0 };

/** A workbook too big for the thread's heap (workbookThread.maxHeapMb). */
export class WorkbookTooLarge extends Error {
  constructor(readonly maxHeapMb: number) {
    super(`the workbook needed more than the ${maxHeapMb} MB its thread may use`);
    this.name = 'WorkbookTooLarge';
  }
}

interface Thread {
  worker: Worker;
  /** Workbooks posted and not yet answered, by job id. */
  pending: Map<number, { resolve: (a: Answer) => void; reject: (e: unknown) => void }>;
  /** Ends the thread once it has been idle for idleMs. */
  idle: NodeJS.Timeout | null;
}

let current: Thread | null = null;
let nextId = 0;

/**
 * Assembles and writes an export's workbook on a worker thread, from what was read on this one.
 * Both are synchronous CPU: a province-wide workbook of 20,000 schools is tens of seconds of it
 * (sorting, a table per city, the breakdowns, ExcelJS), and on the server's own thread it held
 * every callback of the process that long, past WeCom's 5 s (bench:day at 20,000 schools). Here
 * this thread only reads and hands the data over.
 *
 * The entry is the bundle's dist/xlsx-worker.js next to dist/main.js and dist/cli.js (npm start,
 * npm run cli), or from the TypeScript source xlsx-worker-source.mjs, which loads it through tsx
 * (tests, the demo, the benches' --tsx).
 */
export async function writeReportWorkbook(form: Form, cal: PeriodCalendar, input: ReportBookInput, title: string): Promise<{ file: Buffer; rows: number }> {
  const thread = (current ??= startThread());
  if (thread.idle) clearTimeout(thread.idle);
  thread.idle = null;
  // Held by the process while it works (a CLI waits for it), let go while idle.
  thread.worker.ref();
  const id = ++nextId;
  const job: WorkbookJob & { id: number } = { id, form: form.def, cal, input, title };
  try {
    const answer = await new Promise<Answer>((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage(job);
    });
    if ('error' in answer) throw answer.error;
    return { file: Buffer.from(answer.file.buffer, answer.file.byteOffset, answer.file.byteLength), rows: answer.rows };
  } finally {
    thread.pending.delete(id);
    if (current === thread && thread.pending.size === 0) {
      thread.worker.unref();
      thread.idle = setTimeout(() => {
        if (current === thread) current = null;
        void thread.worker.terminate();
      }, workbookThread.idleMs);
      thread.idle.unref();
    }
  }
}

/**
 * Ends the workbook thread now (a server shutting down). A workbook it was making fails, as if the
 * thread had died: its export stays in the outbox and is made again by whoever holds it next.
 */
export async function endWorkbookThread(): Promise<void> {
  const thread = current;
  if (!thread) return;
  current = null;
  if (thread.idle) clearTimeout(thread.idle);
  await thread.worker.terminate();
}

function startThread(): Thread {
  const fromSource = import.meta.url.endsWith('.ts');
  const maxHeapMb = workbookThread.maxHeapMb;
  const worker = new Worker(new URL(fromSource ? './xlsx-worker-source.mjs' : './xlsx-worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
  workbookThread.started++;
  const thread: Thread = { worker, pending: new Map(), idle: null };
  worker.on('message', (answer: Answer) => thread.pending.get(answer.id)?.resolve(answer));
  // A thread that died (out of memory, say) fails what it held; the next workbook starts another.
  const fail = (error: unknown) => {
    if (current === thread) current = null;
    for (const { reject } of thread.pending.values()) reject(error);
    thread.pending.clear();
  };
  worker.on('error', (error: Error & { code?: string }) => fail(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new WorkbookTooLarge(maxHeapMb) : error));
  worker.on('exit', (code) => fail(new Error(`the workbook's thread ended (exit ${code}) before the workbook was written`)));
  return thread;
}
