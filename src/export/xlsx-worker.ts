/**
 * A worker thread's entry: one export's workbook assembled from what was read (workerData) and
 * written, posted back as bytes with its row count. Started by writeReportWorkbook; the thread ends
 * with the workbook, and its memory with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadForm } from '../conversation/form';
import { assembleReportBook } from './report-book';
import { bookToXlsx } from './write-table';
import type { WorkbookJob } from './xlsx-thread';

const job = workerData as WorkbookJob;
const book = assembleReportBook(loadForm(job.form), job.cal, job.input);
const file = await bookToXlsx(book, job.title);
parentPort!.postMessage({ file: new Uint8Array(file.buffer, file.byteOffset, file.byteLength), rows: book.main.rows.length });
