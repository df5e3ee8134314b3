/**
 * A worker thread's entry: one workbook written from its data (workerData), posted back as bytes.
 * Started by writeBookOffThread; the thread ends with the workbook, and its memory with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bookToXlsx, type ReportBook } from './write-table';

const { book, title } = workerData as { book: ReportBook; title: string };
const file = await bookToXlsx(book, title);
parentPort!.postMessage(new Uint8Array(file.buffer, file.byteOffset, file.byteLength));
