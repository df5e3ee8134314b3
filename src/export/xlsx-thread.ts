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

/**
 * Assembles and writes an export's workbook on a worker thread, from what was read on this one.
 * Both are synchronous CPU: a province-wide workbook of 20,000 schools is tens of seconds of it
 * (sorting, a table per city, the breakdowns, ExcelJS), and on the server's own thread it held
 * every callback of the process that long, past WeCom's 5 s (bench:day at 20,000 schools). Here
 * this thread only reads and hands the data over. The thread lives for one workbook: ExcelJS's
 * few hundred MiB go when it ends.
 *
 * The entry is the bundle's dist/xlsx-worker.js next to dist/main.js and dist/cli.js (npm start,
 * npm run cli), or from the TypeScript source xlsx-worker-source.mjs, which loads it through tsx
 * (tests, the demo, the benches' --tsx).
 */
export function writeReportWorkbook(form: Form, cal: PeriodCalendar, input: ReportBookInput, title: string): Promise<{ file: Buffer; rows: number }> {
  const job: WorkbookJob = { form: form.def, cal, input, title };
  return new Promise((resolve, reject) => {
    const worker = startWorker(job);
    let done: { file: Buffer; rows: number } | null = null;
    worker.once('message', (m: { file: Uint8Array; rows: number }) => (done = { file: Buffer.from(m.file.buffer, m.file.byteOffset, m.file.byteLength), rows: m.rows }));
    worker.once('error', reject);
    worker.once('exit', (code) => (done ? resolve(done) : reject(new Error(`the workbook's thread ended (exit ${code}) without a workbook`))));
  });
}

function startWorker(workerData: WorkbookJob): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  return new Worker(new URL(fromSource ? './xlsx-worker-source.mjs' : './xlsx-worker.js', import.meta.url), { workerData });
}
