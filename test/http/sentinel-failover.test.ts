import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { newSession } from '../../src/session/session';
import { redisKeys } from '../../src/store/keys';
import { NotReplicatedError } from '../../src/store/redis/durability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRoster } from '../../src/cli/roster-command';
import { connectRedis, createRedisClient } from '../../src/store/redis-client';
import { redisStores, type Stores } from '../../src/store/stores';
import { processEnv, startInstance, type Instance } from '../helpers/processes';
import { FILING_MESSAGES, FILING_NOW, FILING_SCHOOLS_CSV, postCallback, referenceValues } from '../helpers/reference-filing';
import { sentinelConfig } from '../helpers/redis';
import { startRedisSentinelGroup, type ThrowawaySentinelGroup } from '../helpers/redis-server';
import { SAMPLE } from '../helpers/sample';
import { WeComApiStub } from '../helpers/wecom-api-stub';
import { WeComPlatform } from '../helpers/wecom-platform';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quiet = { error: () => undefined, info: () => undefined, warn: () => undefined } as never;

/**
 * A master and a replica under three Sentinels (their own group: the master is killed), two real
 * server processes with REDIS_SENTINELS and REDIS_WAIT_REPLICAS=1, a school filing through signed
 * callbacks with WeCom's retries.
 */
describe('failover under Sentinel', () => {
  const prefix = `yb-test:${randomBytes(6).toString('hex')}:`;
  let group: ThrowawaySentinelGroup;
  let api: WeComApiStub;
  let redis: Redis;
  let stores: Stores;
  let env: Record<string, string>;
  const instances: Instance[] = [];
  const platform = new WeComPlatform({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, corpId: SAMPLE.corpId, agentId: SAMPLE.agentId });
  let msgId = 9_800_000_000_000_000_000n;

  beforeAll(async () => {
    group = await startRedisSentinelGroup('yb-failover');
    api = await new WeComApiStub({ corpId: SAMPLE.corpId, secret: SAMPLE.secret, agentId: Number(SAMPLE.agentId) }).start();
    // The test's own client rides out the failover as a server's does.
    redis = createRedisClient(sentinelConfig(group.sentinels.join(','), group.name), undefined, 'server') as Redis;
    redis.on('error', () => undefined);
    await connectRedis(redis, quiet);
    stores = redisStores(redis, prefix);
    env = processEnv(api.url, '', prefix, { REDIS_SENTINELS: group.sentinels.join(','), REDIS_SENTINEL_NAME: group.name, REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '300', FAKE_NOW: FILING_NOW });
    await importRoster(stores, 'schools', 'schools.csv', Buffer.from(FILING_SCHOOLS_CSV), { dryRun: false, by: 'ops', now: new Date(FILING_NOW) }, () => undefined);
    await importRoster(stores, 'staff', 'staff.csv', Buffer.from('userid,name,role,city\nsheng,王省,province,\n'), { dryRun: false, by: 'ops', now: new Date(FILING_NOW) }, () => undefined);
    instances.push(await startInstance(env), await startInstance(env));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.kill('SIGKILL')));
    redis?.disconnect();
    await api?.stop();
    await group?.stop();
  });

  /** One message as WeCom sends it: the first try, then up to three retries a few seconds apart, to either instance. */
  const deliver = async (content: string, onFirstTry?: () => Promise<void>, from = 'zhangsan') => {
    const xml = platform.textXml({ from, content, msgId: String(++msgId) });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const sent = postCallback(platform, instances[(Number(msgId) + attempt) % 2]!.port, xml);
      if (attempt === 0 && onFirstTry) await onFirstTry();
      const { status, body } = await sent;
      statuses.push(status);
      if (status === 200) return { statuses, reply: platform.openReply(body).Content ?? '' };
      await sleep(3_000);
    }
    return { statuses, reply: null };
  };

  it('holds the 200 while the replica does not confirm the turn (503, WeCom retries), and answers the retry once it does', async () => {
    const replica = group.replicaPort;
    // A provincial officer's turns (the school's contact files in the next test, from a fresh session).
    const first = await deliver('帮助', undefined, 'sheng');
    expect(first.statuses).toEqual([200]);
    group.signal(replica, 'SIGSTOP');
    const xml = platform.textXml({ from: 'sheng', content: '未报', msgId: String(++msgId) });
    const stalled = await postCallback(platform, instances[0]!.port, xml);
    // Committed on the master, not on the replica within REDIS_WAIT_TIMEOUT_MS: not acknowledged.
    expect(stalled.status).toBe(503);
    group.signal(replica, 'SIGCONT');
    await sleep(300);
    const retried = await postCallback(platform, instances[1]!.port, xml);
    expect(retried.status).toBe(200);
    expect(platform.openReply(retried.body).Content).toContain('河南工业职业技术学院');
    // The turn was applied once: the retry replayed it (the log of the instance that answered says so).
    await sleep(100);
    expect(instances[1]!.lines.some((l) => l.includes('retried delivery answered with its replies'))).toBe(true);
  }, 30_000);

  it('refuses to acknowledge what the stalled replica has not confirmed: a turn, its retry, an outbox entry, a roster import', async () => {
    const acked = redisStores(redis, `${prefix}ack:`, { durability: { replicas: 1, timeoutMs: 100 } });
    const turn = { home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L1', keepMs: 60_000, record: { replies: ['好的'], late: null }, session: { session: newSession(), expectedRev: 0, ttlMs: 60_000 }, outbox: [], now: 100 };
    expect((await acked.turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L1', lockTtlMs: 10_000 })).kind).toBe('ready');
    group.signal(group.replicaPort, 'SIGSTOP');
    try {
      await expect(acked.turns.commit(turn)).rejects.toBeInstanceOf(NotReplicatedError);
      // WeCom's retry finds the turn applied on the master, and is held to the same rule.
      await expect(acked.turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L2', lockTtlMs: 10_000 })).rejects.toBeInstanceOf(NotReplicatedError);
      await expect(acked.outbox.enqueue('u', [{ id: 'e1', payload: { kind: 'message', to: ['u'], messages: [{ msgtype: 'text', text: { content: 'x' } }] }, due: 0 }], 0)).rejects.toBeInstanceOf(NotReplicatedError);
      await expect(acked.roster.replaceStaff([])).rejects.toBeInstanceOf(NotReplicatedError);
    } finally {
      group.signal(group.replicaPort, 'SIGCONT');
    }
    const retried = await acked.turns.begin({ home: 'u', userId: 'u', deliveryId: 'm:1', lock: 'L3', lockTtlMs: 10_000 });
    expect(retried.kind).toBe('applied');
  }, 30_000);

  it('files a whole report while the master is killed mid-turn: 503s in the gap, the promoted replica carries on, every answered cell is in the report', async () => {
    const expected = await referenceValues();
    const all: number[] = [];
    let killedAt = 0;
    let backAt = 0;
    let restarted: Promise<void> | undefined;
    for (const [i, content] of FILING_MESSAGES.entries()) {
      // A third of the way in, the master dies a moment after the message reaches an instance.
      const killNow = i === Math.floor(FILING_MESSAGES.length / 3);
      const { statuses } = await deliver(content, killNow ? async () => {
        await sleep(Math.floor(Math.random() * 15));
        killedAt = Date.now();
        await group.kill(group.masterPort);
        // Its supervisor starts it again once the Sentinels have promoted the replica (an empty master
        // back before they notice would be synced from: README, Sentinel); they make it the new replica.
        restarted = (async () => {
          for (let i = 0; (await group.currentMaster().catch(() => 0)) !== group.replicaPort; i++) {
            if (i > 600) throw new Error(`the Sentinels never promoted the replica: ${await group.describe(group.replicaPort)}`);
            await sleep(100);
          }
          await group.restart(group.masterPort);
        })();
        restarted.catch(() => undefined); // awaited below, after the filing
      } : undefined);
      if (killedAt && !backAt && statuses.at(-1) === 200) backAt = Date.now();
      all.push(...statuses);
      expect(statuses.at(-1), `«${content}» (message ${i + 1}) got no 200 after WeCom's retries: ${statuses.join(', ')}`).toBe(200);
    }
    expect(killedAt).toBeGreaterThan(0);
    // The gap was answered 503 (or the connection failed), never a 200 that did not hold.
    expect(all.filter((s) => s !== 200).length).toBeGreaterThan(0);
    expect(all.every((s) => s === 200 || s === 503 || s === 0)).toBe(true);
    expect(await group.currentMaster()).toBe(group.replicaPort);
    expect(backAt - killedAt).toBeLessThan(15_000);
    const report = (await stores.records.read('4101010001', '2026-10')).reports['2026-10'];
    const reportsKey = redisKeys(prefix).reports('4101010001');
    expect(report, 'the report was submitted').toBeDefined();
    for (const [cell, value] of Object.entries(expected)) expect(report!.values[cell], cell).toBe(value);
    expect(Object.keys(report!.values).sort()).toEqual(Object.keys(expected).sort());
    expect((await stores.records.history('4101010001')).map((h) => h.type)).toEqual(['submit']);
    // The old master, started again, is made the new master's replica and synced: it holds the report too.
    await restarted;
    const back = new Redis(group.masterPort, '127.0.0.1');
    back.on('error', () => undefined);
    try {
      for (let i = 0; !/master_link_status:up/.test(await back.info('replication').catch(() => '')); i++) {
        if (i > 600) throw new Error(`the old master never became a replica in sync: ${await group.describe(group.masterPort)}`);
        await sleep(100);
      }
      expect(await back.hget(reportsKey, '2026-10')).toBe(await redis.hget(reportsKey, '2026-10'));
    } finally {
      back.disconnect();
    }
    // Both instances said the outage and the way back in their logs.
    for (const instance of instances) expect(instance.lines.some((l) => l.includes('Redis reachable again'))).toBe(true);
  }, 150_000);
});
