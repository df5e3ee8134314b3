import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importRoster } from '../../src/cli/roster-command';
import { redisStores, type Stores } from '../../src/store/stores';
import { createRedisClient, openRedis } from '../../src/store/redis-client';
import { deletePrefix } from '../helpers/redis-server';
import { processEnv, runCli, startInstance, type Instance } from '../helpers/processes';
import { FILING_MESSAGES, FILING_NOW, FILING_SCHOOLS_CSV, referenceValues } from '../helpers/reference-filing';
import { SAMPLE } from '../helpers/sample';
import { WeComApiStub } from '../helpers/wecom-api-stub';
import { WeComPlatform } from '../helpers/wecom-platform';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Real processes killed with SIGKILL at random moments, and WeCom's retries of every request that
 * got no 200 (to whichever instance answers): nothing lost, nothing applied or sent twice.
 */
describe('SIGKILL of real processes', () => {
  const prefix = `yb-test:${randomBytes(6).toString('hex')}:`;
  let redis: Redis;
  let stores: Stores;
  let api: WeComApiStub;
  const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
  const instances: Instance[] = [];
  beforeAll(async () => {
    // The test's own client as the CLI makes it (the one factory), not a differently tuned one.
    redis = createRedisClient({ redisUrl: inject('redisUrl'), redisClusterNodes: undefined }, undefined, 'cli') as Redis;
    await openRedis(redis);
    stores = redisStores(redis, prefix);
  });
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.kill('SIGKILL')));
    await api?.stop();
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  const start = async (env: Record<string, string>) => {
    const instance = await startInstance(env);
    instances.push(instance);
    return instance;
  };

  it('files a whole report while an instance is killed every few answers: the report equals the answers, cell by cell', async () => {
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    await importRoster(stores, 'schools', 'schools.csv', Buffer.from(FILING_SCHOOLS_CSV), { dryRun: false, by: 'ops', now: new Date() }, () => undefined);
    const env = processEnv(api.url, inject('redisUrl'), prefix, { FAKE_NOW: FILING_NOW });
    const pool: Instance[] = [await start(env), await start(env)];
    const expected = await referenceValues();
    let kills = 0;
    let msgId = 9_600_000_000_000_000_000n;
    for (const [i, content] of FILING_MESSAGES.entries()) {
      const xml = platform.textXml({ from: 'zhangsan', content, msgId: String(++msgId) });
      let answered = false;
      for (let attempt = 0; attempt < 4 && !answered; attempt++) {
        // Load-balanced: each attempt goes to one of the instances that are up.
        const target = pool[(i + attempt) % pool.length]!;
        const { query, body } = platform.envelope(xml);
        const request = fetch(`http://127.0.0.1:${target.port}/wecom/callback?${query}`, { method: 'POST', body }).then(
          (res) => res.status === 200,
          () => false,
        );
        if (attempt === 0 && i % 6 === 3) {
          // SIGKILL at a random moment of the turn, then the instance comes back.
          await sleep(Math.floor(Math.random() * 30));
          await target.kill('SIGKILL');
          kills++;
          const slot = pool.indexOf(target);
          pool[slot] = await start(env);
        }
        answered = await request;
        // WeCom retries within about 15 s: three more tries, a few seconds apart.
        if (!answered) await sleep(2_000);
      }
      expect(answered, `«${content}» (message ${i + 1}) got no 200 after WeCom's retries`).toBe(true);
    }
    expect(kills).toBe(9);
    const report = (await stores.records.read('4101010001', '2026-10')).reports['2026-10']!;
    expect(report, 'the report was submitted').toBeDefined();
    for (const [cell, value] of Object.entries(expected)) expect(report.values[cell], cell).toBe(value);
    expect(Object.keys(report.values).sort()).toEqual(Object.keys(expected).sort());
    expect((await stores.records.history('4101010001')).map((h) => h.type)).toEqual(['submit']);
  }, 120_000);

  it('nudges every owing contact once when the nudge run is killed part-way and started again', async () => {
    await api?.stop();
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), latencyMs: 15 }).start();
    const rows = Array.from({ length: 300 }, (_, n) => `N${String(n).padStart(4, '0')},学校${n},郑州,高职,A,否,n${n}`);
    await importRoster(stores, 'schools', 'schools.csv', Buffer.from(['code,name,city,level,category,pilot,contacts', ...rows].join('\n')), { dryRun: false, by: 'ops', now: new Date() }, () => undefined);
    const env = processEnv(api.url, inject('redisUrl'), prefix, { OUTBOX_LEASE_SECONDS: '15' });
    // The day-10 nudge of October, run after the fact: its entries are due at once (in real time).
    const first = runCli(['jobs', 'run', 'nudge', '--at', '2026-11-10T09:10:00+08:00'], env);
    while (api.delivered.length < 60 && first.child.exitCode === null) await sleep(5);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const before = api.delivered.length;
    expect(before).toBeGreaterThanOrEqual(60);
    expect(before).toBeLessThan(300);
    // Run again: the same fire, the entries it wrote kept, the rest written; what the dead run held goes out once its lease ends.
    const second = await runCli(['jobs', 'run', 'nudge', '--at', '2026-11-10T09:10:30+08:00'], env).done;
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/催报 2026年10月（10日）：新写入发件箱 \d+ 条，之前已写入 \d+ 条。/);
    expect(second.out).toContain('催报 2026年10月（10日）完成：送达 300 人，无效账号 0，失败 0。');
    const perUser = new Map<string, number>();
    for (const d of api.delivered) perUser.set(d.userId, (perUser.get(d.userId) ?? 0) + 1);
    expect(perUser.size).toBe(300);
    expect([...perUser.values()].every((n) => n === 1)).toBe(true);
    // Any copy resent after the kill was the same request, and WeCom's duplicate check dropped it.
    for (const copy of api.duplicates) expect(copy.enable_duplicate_check).toBe(1);
  }, 120_000);

  it('delivers a 广播 to each of 2,500 people once when the instance sending it is killed and another takes over', async () => {
    await api?.stop();
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId), latencyMs: 1_500 }).start();
    // A new stand-in: the token the last one issued (cached in Redis) means nothing to it.
    await redis.del(`${prefix}{wecom}:token`);
    const rows = Array.from({ length: 1250 }, (_, n) => `B${String(n).padStart(4, '0')},学校${n},郑州,高职,A,否,b${n}a|b${n}b`);
    await importRoster(stores, 'schools', 'schools.csv', Buffer.from(['code,name,city,level,category,pilot,contacts', ...rows].join('\n')), { dryRun: false, by: 'ops', now: new Date() }, () => undefined);
    await importRoster(stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nsheng,王省,province,\n'), { dryRun: false, by: 'ops', now: new Date() }, () => undefined);
    const env = processEnv(api.url, inject('redisUrl'), prefix, { OUTBOX_LEASE_SECONDS: '15' });
    const a = await start(env);
    let msgId = 9_700_000_000_000_000_000n;
    const say = async (content: string) => {
      const { query, body } = platform.envelope(platform.textXml({ from: 'sheng', content, msgId: String(++msgId) }));
      const res = await fetch(`http://127.0.0.1:${a.port}/wecom/callback?${query}`, { method: 'POST', body });
      return res.status === 200 ? (platform.openReply(await res.text()).Content ?? '') : `HTTP ${res.status}`;
    };
    await say('广播');
    await say('请于周五前完成月报。');
    expect(await say('全部')).toContain('1250 所学校共 2500 人');
    expect(await say('确认')).toContain('正在发给');
    // The first 1,000 are in WeCom's hands (it answers after 1.5 s): the instance dies before the answer.
    while (api.callsTo('message/send').length === 0) await sleep(5);
    await a.kill('SIGKILL');
    const b = await start(env);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && !api.textsTo('sheng').some((t) => t.startsWith('广播已发送'))) await sleep(200);
    // What the dead instance had sent was sent again by the other, as the same requests: WeCom dropped the copies.
    expect(api.duplicates.length).toBeGreaterThan(0);
    const perUser = new Map<string, number>();
    // The audience only: entries the first test's killed instances left (its cards to zhangsan) may go out now too.
    for (const d of api.delivered) if (/^b\d+[ab]$/.test(d.userId)) perUser.set(d.userId, (perUser.get(d.userId) ?? 0) + 1);
    expect(perUser.size).toBe(2500);
    expect([...perUser.values()].every((n) => n === 1)).toBe(true);
    expect(api.textsTo('sheng').filter((t) => t.startsWith('广播已发送'))).toEqual(['广播已发送（全省 学校的填报人），送达 2500 人。']);
    await b.kill('SIGTERM');
  }, 120_000);
});
