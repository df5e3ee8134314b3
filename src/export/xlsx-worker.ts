/**
 * The workbook thread's entry: each job posted to it is one export's workbook, assembled from
 * what was read and written, posted back as bytes with its row count (or the error). Started and
 * ended by xlsx-thread.ts.
 */
import { parentPort } from 'node:worker_threads';
import { loadForm } from '../conversation/form';
import { assembleReportBook } from './report-book';
import { bookToXlsx } from './write-table';
import type { WorkbookJob } from './xlsx-thread';

parentPort!.on('message', (job: WorkbookJob & { id: number }) => {
  void (async () => {
    try {
      const book = assembleReportBook(loadForm(job.form), job.cal, job.input);
      const file = await bookToXlsx(book, job.title);
      parentPort!.postMessage({ id: job.id, file: new Uint8Array(file.buffer, file.byteOffset, file.byteLength), rows: book.main.rows.length });
    } catch (error) {
      parentPort!.postMessage({ id: job.id, error });
    }
  })();
});
