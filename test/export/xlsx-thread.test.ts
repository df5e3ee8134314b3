import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { assembleReportBook, readReportBook } from '../../src/export/report-book';
import { bookToXlsx } from '../../src/export/write-table';
import { endWorkbookThread, workbookThread, WorkbookTooLarge, writeReportWorkbook } from '../../src/export/xlsx-thread';
import { loadForm } from '../../src/conversation/form';
import monthlyReport from '../../conversations/monthly-report';
import { memoryStores } from '../../src/store/stores';
import { report } from '../fixtures/records';
import { seedReport } from '../helpers/records';

const cal = { timezone: 'Asia/Shanghai', dueDay: 10 };
const form = loadForm(monthlyReport);

async function provinceBook(schools: number) {
  const stores = memoryStores();
  await stores.roster.replaceSchools(Array.from({ length: schools }, (_, i) => ({ code: `S${i}`, name: `学校${i}`, city: ['郑州', '开封', '洛阳'][i % 3]!, level: '高职' as const, category: 'A' as const, pilot: false, contacts: [`c${i}`] })));
  // Every other school filed October, with a figure in each of its cells.
  const values = Object.fromEntries(form.parts.flatMap((p) => p.cells).map((c, j) => [c.id, j + 1]));
  for (let i = 0; i < schools; i += 2) await seedReport(stores, report(`S${i}`, '2026-10', 'filed', values));
  return readReportBook(stores, form, '2026-10', { now: new Date('2026-11-05T09:00:00+08:00') });
}

/** The longest the event loop was held while `work` ran, in ms: the widest gap between ticks of a 5 ms timer. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let widest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    widest = Math.max(widest, now - last);
    last = now;
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(widest, performance.now() - last);
}

describe('the workbook thread', () => {
  it('writes the same workbook as on the main thread, and leaves the event loop free while it does', async () => {
    const input = await provinceBook(1500);
    let here: Buffer = Buffer.alloc(0);
    let there: { file: Buffer; rows: number } = { file: Buffer.alloc(0), rows: 0 };
    const onMain = await longestStall(async () => (here = await bookToXlsx(assembleReportBook(form, cal, input), '十月')));
    const offMain = await longestStall(async () => (there = await writeReportWorkbook(form, cal, input, '十月')));
    expect(there.rows).toBe(1500);
    // On the main thread the loop is held for the whole build (316–600 ms on the machines seen); on
    // the thread only to hand the data over. The floor only says the comparison means something.
    expect(onMain).toBeGreaterThan(150);
    expect(offMain).toBeLessThan(onMain / 4);
    const read = async (file: Buffer) => {
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(file as never);
      return wb.worksheets.map((ws) => [ws.name, ws.rowCount, ws.getCell('A1').value, ws.getRow(ws.rowCount).getCell(1).value]);
    };
    expect(await read(there.file)).toEqual(await read(here));
    expect((await read(there.file))[0]).toEqual(['2026-10', expect.any(Number), expect.stringContaining('2026 年 10 月'), expect.anything()]);
  }, 60_000);

  it('rejects with the thread’s error when the workbook cannot be written, and the thread goes on', async () => {
    const started = workbookThread.started;
    await expect(writeReportWorkbook(form, cal, { data: null } as never, '十月')).rejects.toThrow(TypeError);
    const small = await provinceBook(10);
    expect((await writeReportWorkbook(form, cal, small, '十月')).rows).toBe(10);
    expect(workbookThread.started - started).toBeLessThanOrEqual(1);
  });

  it('keeps its thread while workbooks come, and ends it once none has come for a while', async () => {
    const input = await provinceBook(10);
    workbookThread.idleMs = 300;
    try {
      await writeReportWorkbook(form, cal, input, '十月');
      const started = workbookThread.started;
      // Three more at once and one after the other: the same thread.
      await Promise.all([1, 2, 3].map(() => writeReportWorkbook(form, cal, input, '十月')));
      await writeReportWorkbook(form, cal, input, '十月');
      expect(workbookThread.started).toBe(started);
      // Idle past idleMs: the thread is ended, and the next workbook starts another.
      await new Promise((r) => setTimeout(r, 600));
      expect((await writeReportWorkbook(form, cal, input, '十月')).rows).toBe(10);
      expect(workbookThread.started).toBe(started + 1);
    } finally {
      workbookThread.idleMs = 60_000;
    }
  });

  it('ends a thread whose workbook outgrows its heap, fails that export with why, and makes the next on a new thread', async () => {
    const [small, input] = [await provinceBook(10), await provinceBook(8000)];
    await endWorkbookThread();
    const cap = workbookThread.maxHeapMb;
    workbookThread.maxHeapMb = 32;
    try {
      const started = workbookThread.started;
      // The thread and ExcelJS fit in the cap (a small workbook is written): what outgrows it is the workbook.
      expect((await writeReportWorkbook(form, cal, small, '十月')).rows).toBe(10);
      const failed = writeReportWorkbook(form, cal, input, '十月');
      await expect(failed).rejects.toBeInstanceOf(WorkbookTooLarge);
      await expect(failed).rejects.toThrow('the workbook needed more than the 32 MB its thread may use');
      expect(workbookThread.started).toBe(started + 1);
    } finally {
      workbookThread.maxHeapMb = cap;
    }
    // The server's own thread is untouched, and the next workbook gets a thread of the usual size.
    expect((await writeReportWorkbook(form, cal, input, '十月')).rows).toBe(8000);
  }, 90_000);

  it('fails the workbook of a thread that ends mid-way, and starts another for the next', async () => {
    const input = await provinceBook(1500);
    const making = writeReportWorkbook(form, cal, input, '十月');
    const started = workbookThread.started;
    // The thread is at work (the data went over); it ends as a shutdown or a crash would end it.
    await new Promise((r) => setTimeout(r, 200));
    await endWorkbookThread();
    await expect(making).rejects.toThrow(/the workbook's thread ended \(exit 1\) before the workbook was written/);
    expect((await writeReportWorkbook(form, cal, await provinceBook(10), '十月')).rows).toBe(10);
    expect(workbookThread.started).toBe(started + 1);
  }, 60_000);
});
