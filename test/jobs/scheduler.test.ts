import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/clock';
import { importRoster } from '../../src/cli/roster-command';
import { Scheduler } from '../../src/jobs/scheduler';
import { redisStores, type Stores } from '../../src/store/stores';
import { testBacking, type TestBacking } from '../helpers/redis';
import { SAMPLE } from '../helpers/sample';
import { jobParts } from '../helpers/job-deps';
import { report, seedReport } from '../helpers/records';
import { WeComApiStub } from '../helpers/wecom-api-stub';

// On a single Redis and on a real Redis Cluster.
describe.each(['redis', 'cluster'] as const)('the scheduler on two instances (%s)', (backing) => {
  let r: TestBacking;
  let stores: Stores;
  let api: WeComApiStub;
  const clock = new ManualClock('2026-12-01T00:00:00+08:00');

  beforeEach(async () => {
    r = await testBacking(backing);
    stores = redisStores(r.redis, r.prefix);
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    const schools = ['code,name,city,level,category,pilot,contacts', '4101,甲学院,郑州,高职,A,否,a1', '4102,乙学院,郑州,高职,B,否,b1', '4103,丙学校,洛阳,中职,C,否,c1'].join('\n');
    await importRoster(stores, 'schools', 'schools.csv', Buffer.from(schools), { dryRun: false, by: 't', now: clock.now() }, () => undefined);
    await seedReport(stores, report('4102', '2026-11'));
  });
  afterEach(async () => {
    await api.stop();
    await r.cleanup();
  });

  function instance(options: { prefix?: string; dueDay?: number; firstPeriod?: string } = {}): Scheduler {
    // Each instance has its own ports and client, sharing one Redis, as separate processes would.
    const own = redisStores(r.redis, options.prefix ?? r.prefix);
    const { worker: _w, ...parts } = jobParts(own, api, clock);
    const cal = { ...parts.cal, ...(options.dueDay ? { dueDay: options.dueDay } : {}) };
    return new Scheduler({ ...parts, cal, ...(options.firstPeriod ? { firstPeriod: options.firstPeriod } : {}), clock, logger: pino({ level: 'silent' }) });
  }
  const statusOf = async (code: string, period: string) => {
    return (await stores.records.read(code, period)).reports[period]?.status ?? null;
  };
  const periods = (fires: { job: string; period: string }[]) => fires.map((f) => `${f.job} ${f.period}`);
  /** What a server's outbox worker delivers at `iso`. */
  const deliverAt = (iso: string) => jobParts(stores, api, new ManualClock(iso)).worker.runDue();
  const at = (iso: string) => new Date(iso);
  const stages = (fires: { job: string; stage: string }[]) => fires.map((f) => `${f.job} ${f.stage}`);

  it('runs each fire once, however many instances tick', async () => {
    const a = instance();
    const b = instance();
    const [ra, rb] = await Promise.all([a.tick(at('2026-12-04T09:11:00+08:00')), b.tick(at('2026-12-04T09:11:00+08:00'))]);
    expect([...stages(ra), ...stages(rb)]).toEqual(['nudge day-5']);
    await deliverAt('2026-12-04T09:11:00+08:00');
    expect(api.delivered.map((d) => d.userId).sort()).toEqual(['a1', 'c1']);
    expect(stages(await b.tick(at('2026-12-04T09:12:00+08:00')))).toEqual([]);
    await deliverAt('2026-12-04T09:12:00+08:00');
    expect(api.delivered).toHaveLength(2);
  });

  it('sends nothing in quiet hours, and catches a missed nudge up in the morning', async () => {
    const a = instance();
    expect(stages(await a.tick(at('2026-12-08T23:00:00+08:00')))).toEqual([]);
    await deliverAt('2026-12-08T23:00:00+08:00');
    expect(api.delivered).toHaveLength(0);
    // The day-8 staff digest was missed too: it runs (nobody on the staff list here).
    expect(stages(await a.tick(at('2026-12-09T08:15:00+08:00')))).toEqual(['nudge day-8', 'digest day-8']);
    await deliverAt('2026-12-09T08:15:00+08:00');
    expect(api.delivered).toHaveLength(2);
  });

  it('records the close at night; its notices wait in the outbox for the morning', async () => {
    const a = instance();
    expect(stages(await a.tick(at('2026-12-11T00:06:00+08:00')))).toEqual(['close close']);
    expect((await stores.records.read('4101', '2026-11')).reports['2026-11']!.status).toBe('defaulted');
    await deliverAt('2026-12-11T00:07:00+08:00');
    expect(api.delivered).toHaveLength(0);
    expect(stages(await a.tick(at('2026-12-11T08:11:00+08:00')))).toEqual([]);
    await deliverAt('2026-12-11T08:11:00+08:00');
    expect(api.textsTo('a1')[0]).toMatch(/^【月报】甲学院：2026年11月培训月报已于 12月10日截止，贵校未提交，按规定记为零申报/);
    expect(api.textsTo('b1')).toEqual([]);
  });

  it('records a close missed by days on the next tick, and a month missed altogether, once each', async () => {
    const a = instance();
    // Every instance was down from 1 December to 13 January: both closes were missed.
    expect(periods((await a.tick(at('2027-01-13T10:11:00+08:00'))).filter((f) => f.job === 'close'))).toEqual(['close 2026-11', 'close 2026-12']);
    expect(await statusOf('4101', '2026-11')).toBe('defaulted');
    expect(await statusOf('4101', '2026-12')).toBe('defaulted');
    expect(await statusOf('4102', '2026-11')).toBe('filed');
    expect((await stores.markers.readCalendar()).closed).toEqual(['2026-11', '2026-12']);
    expect(periods((await a.tick(at('2027-01-13T10:12:00+08:00'))).filter((f) => f.job === 'close'))).toEqual([]);
    // Long after a fire's done mark has gone, a closed month stays closed.
    expect(periods((await a.tick(at('2027-09-13T10:12:00+08:00'))).filter((f) => f.job === 'close' && f.period < '2027-01'))).toEqual([]);
  });

  it('never closes a month before the deployment began, unless FIRST_PERIOD says it began earlier', async () => {
    // The roster came on 1 December, while November was being filed: October is before the start.
    expect(periods(await instance().tick(at('2026-12-11T00:06:00+08:00')))).toEqual(['close 2026-11']);
    expect(await statusOf('4101', '2026-10')).toBeNull();
    expect(periods(await instance({ firstPeriod: '2026-10' }).tick(at('2026-12-11T00:07:00+08:00')))).toEqual(['close 2026-10']);
    expect(await statusOf('4101', '2026-10')).toBe('defaulted');
  });

  it('closes nothing on a fresh install without a roster', async () => {
    const empty = `${r.prefix}fresh:`;
    expect(periods(await instance({ prefix: empty }).tick(at('2026-12-11T00:06:00+08:00')))).toEqual([]);
    expect((await redisStores(r.redis, empty).markers.readCalendar())).toEqual({ startedAt: null, closed: [] });
  });

  it('with a due day of 28, closes January on 1 March in a non-leap year', async () => {
    const late = instance({ dueDay: 28, firstPeriod: '2027-01' });
    expect(periods((await late.tick(at('2027-02-28T23:59:00+08:00'))).filter((f) => f.job === 'close'))).toEqual([]);
    expect(periods((await late.tick(at('2027-03-01T00:06:00+08:00'))).filter((f) => f.job === 'close'))).toEqual(['close 2027-01']);
    expect(await statusOf('4102', '2027-01')).toBe('defaulted');
  });

  it('leaves a fire another instance is running alone, and resumes it once that lease lapses', async () => {
    const a = instance();
    // Another instance holds the day-10 nudge's lease (and died holding it).
    const held = await stores.markers.tryLock('fire:nudge:2026-11:day-10', 100);
    expect(held).not.toBeNull();
    expect(stages(await a.tick(at('2026-12-10T09:11:00+08:00')))).toEqual([]);
    await new Promise((res) => setTimeout(res, 150));
    expect(stages(await a.tick(at('2026-12-10T09:12:00+08:00')))).toEqual(['nudge day-10']);
    await deliverAt('2026-12-10T09:12:00+08:00');
    expect(api.textsTo('a1')).toEqual(['【月报提醒】甲学院：2026年11月培训月报还没有开始，回复「填报」开始。今天（12月10日）截止。']);
  });

  it('waits for a running tick before it stops (SIGTERM finishes the job it is in)', async () => {
    const a = instance();
    const tick = a.tick(at('2026-12-04T09:11:00+08:00'));
    await a.stop(5_000);
    // Stopped: the run it was in has finished and is marked done, without waiting on the tick here.
    expect(await stores.markers.isMarked('fire-done', 'nudge:2026-11:day-5')).toBe(true);
    expect(stages(await tick)).toEqual(['nudge day-5']);
  });
});
