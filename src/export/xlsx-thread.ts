import { Worker } from 'node:worker_threads';
import type { ReportBook } from './write-table';

/**
 * Writes a workbook on a worker thread. ExcelJS is synchronous: a province-wide workbook of 20,000
 * schools is about 20 s of CPU, and on the server's own thread it held every callback of the
 * process that long, past WeCom's 5 s (bench:day at 20,000 schools). The thread lives for one
 * workbook: ExcelJS's few hundred MiB go when it ends.
 *
 * The entry is the bundle's dist/xlsx-worker.js next to dist/main.js and dist/cli.js (npm start,
 * npm run cli), or from the TypeScript source xlsx-worker-source.mjs, which loads it through tsx
 * (tests, the demo, the benches' --tsx).
 */
export function writeBookOffThread(book: ReportBook, title: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const worker = startWorker({ book, title });
    let file: Buffer | null = null;
    worker.once('message', (bytes: Uint8Array) => (file = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
    worker.once('error', reject);
    worker.once('exit', (code) => (file ? resolve(file) : reject(new Error(`the workbook's thread ended (exit ${code}) without a workbook`))));
  });
}

function startWorker(workerData: unknown): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  return new Worker(new URL(fromSource ? './xlsx-worker-source.mjs' : './xlsx-worker.js', import.meta.url), { workerData });
}
