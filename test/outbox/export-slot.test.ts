import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { memoryStores, type Stores } from '../../src/store/stores';
import { endWorkbookThread, workbookThread } from '../../src/export/xlsx-thread';
import { jobParts } from '../helpers/job-deps';
import { SAMPLE } from '../helpers/sample';
import { WeComApiStub } from '../helpers/wecom-api-stub';

/**
 * Staff exports build one workbook at a time per process: several asked together (a province-wide
 * one of 20,000 schools is seconds of CPU and hundreds of MiB) must not starve the callbacks.
 */
describe('export workbooks', () => {
  let api: WeComApiStub;
  let stores: Stores;
  beforeEach(async () => {
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    stores = memoryStores();
    await stores.roster.replaceSchools(Array.from({ length: 40 }, (_, i) => ({ code: `S${i}`, name: `学校${i}`, city: i % 2 ? '郑州' : '开封', level: '高职' as const, category: 'A' as const, pilot: false, contacts: [`c${i}`] })));
    await stores.roster.replaceStaff(['s1', 's2', 's3', 's4'].map((userId) => ({ userId, name: userId, role: 'province' as const, city: null })));
  });
  afterEach(async () => api.stop());

  it('are built one at a time, each delivered to its staff member once', async () => {
    // Count the builds in progress: each starts by reading the roster (slowly, here).
    let building = 0;
    let most = 0;
    const read = stores.roster.read.bind(stores.roster);
    stores.roster.read = async () => {
      most = Math.max(most, ++building);
      await new Promise((r) => setTimeout(r, 30));
      try {
        return await read();
      } finally {
        building--;
      }
    };
    const clock = new ManualClock('2026-11-05T09:00:00+08:00');
    const parts = jobParts(stores, api, clock);
    const now = clock.now().getTime();
    const staff = ['s1', 's2', 's3', 's4'];
    for (const to of staff) await stores.outbox.enqueue(to, [{ id: `export:${to}`, payload: { kind: 'export', to, by: to, period: '2026-10', filter: {}, fileName: `2026年10月月报表-${to}.xlsx` }, due: now }], now);
    await parts.worker.runDue();
    expect(most).toBe(1);
    expect(api.uploads).toHaveLength(4);
    const files = api.delivered.filter((d) => d.msgtype === 'file');
    expect(files.map((d) => d.userId).sort()).toEqual(staff);
  });

  it('tell the staff member at once when the workbook outgrows its thread, and do not build it again', async () => {
    const clock = new ManualClock('2026-11-05T09:00:00+08:00');
    const parts = jobParts(stores, api, clock);
    const now = clock.now().getTime();
    await endWorkbookThread();
    const cap = workbookThread.maxHeapMb;
    workbookThread.maxHeapMb = 32;
    try {
      // Under the cap the 40 schools' workbook is made and sent: the thread itself fits.
      await stores.outbox.enqueue('s2', [{ id: 'export:s2', payload: { kind: 'export', to: 's2', by: 's2', period: '2026-10', filter: {}, fileName: '2026年10月月报表.xlsx' }, due: now }], now);
      await parts.worker.runDue();
      expect(api.uploads).toHaveLength(1);
      await stores.roster.replaceSchools(Array.from({ length: 8000 }, (_, i) => ({ code: `S${i}`, name: `学校${i}`, city: i % 2 ? '郑州' : '开封', level: '高职' as const, category: 'A' as const, pilot: false, contacts: [`c${i}`] })));
      const started = workbookThread.started;
      await stores.outbox.enqueue('s1', [{ id: 'export:s1', payload: { kind: 'export', to: 's1', by: 's1', period: '2026-10', filter: {}, fileName: '2026年10月月报表.xlsx' }, due: now }], now);
      await parts.worker.runDue();
      clock.advance(10 * 60_000);
      await parts.worker.runDue();
      expect(api.uploads).toHaveLength(1);
      expect(api.textsTo('s1')).toEqual(['月报表发送失败：表格超出了导出可用的内存（32 MB）。请管理员用命令行导出 CSV 表格（npm run cli -- export --format csv）。']);
      // No second try (the thread that failed was the one the first export used): too big now is too big the next time.
      expect(workbookThread.started).toBe(started);
    } finally {
      workbookThread.maxHeapMb = cap;
      await endWorkbookThread();
    }
  }, 90_000);

  it('leave an export whose lease ran out while it waited (or built) to the instance that took it: one file each', async () => {
    let reads = 0;
    const read = stores.roster.read.bind(stores.roster);
    stores.roster.read = async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 100));
      return read();
    };
    const clock = new ManualClock('2026-11-05T09:00:00+08:00');
    // Two instances on one store; in this process they share the one workbook slot, as two workers of one instance would.
    const first = jobParts(stores, api, clock).worker;
    const second = jobParts(stores, api, clock).worker;
    const now = clock.now().getTime();
    for (const to of ['s1', 's2']) await stores.outbox.enqueue(to, [{ id: `export:${to}`, payload: { kind: 'export', to, by: to, period: '2026-10', filter: {}, fileName: `2026年10月月报表-${to}.xlsx` }, due: now }], now);
    const running = first.runDue();
    // The first build is under way, the second waits for the slot; then both leases run out.
    while (reads === 0) await new Promise((r) => setTimeout(r, 5));
    clock.advance(31_000);
    await Promise.all([running, second.runDue()]);
    const files = api.delivered.filter((d) => d.msgtype === 'file').map((d) => d.userId).sort();
    expect(files).toEqual(['s1', 's2']);
  });
});

