import { spawn } from 'node:child_process';
import { periodIndex } from '../../src/queries/period-queries';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { deletePrefix } from '../helpers/redis-server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { WeComApiStub } from '../helpers/wecom-api-stub';
import { SAMPLE } from '../helpers/test-server';
import { appMenu } from '../../src/wecom/app-menu';
import { redisKeys } from '../../src/store/keys';
import { partitionOf } from '../../src/store/partition';
import { redisStores } from '../../src/store/stores';
import { report, seedDraft, seedReport } from '../helpers/records';

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  // Node with tsx's loader, not the tsx binary (which starts a second Node): one process start per command.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/cli.ts', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

// Each test starts several CLI processes: on a loaded machine a start can take a few seconds.
describe('npm run cli', { timeout: 60_000 }, () => {
  const prefix = `yb-test:${randomBytes(6).toString('hex')}:`;
  let api: WeComApiStub;
  let env: Record<string, string>;
  beforeAll(async () => {
    // The corp's address book: u9 exists outside the app's 可见范围; anyone not listed does not exist.
    api = await new WeComApiStub({
      corpId: SAMPLE.corpId,
      secret: SAMPLE.secret,
      agentId: Number(SAMPLE.agentId),
      members: ['u1', 'u2', 'u3', 'u7', 'sheng1', 'zz1'],
      directory: { u1: { name: '张一' }, u2: { name: '王二' }, u3: { name: '李三' }, u7: { name: '赵七' }, u9: { name: '外单位' }, sheng1: { name: '王敏' }, zz1: { name: '周周' } },
    }).start();
    env = {
      WECOM_CORP_ID: SAMPLE.corpId,
      WECOM_AGENT_ID: SAMPLE.agentId,
      WECOM_SECRET: SAMPLE.secret,
      WECOM_TOKEN: SAMPLE.token,
      WECOM_ENCODING_AES_KEY: SAMPLE.encodingAesKey,
      WECOM_API_BASE: api.url,
      REDIS_URL: inject('redisUrl'),
      // This run's own keys on the shared test Redis, removed afterwards.
      REDIS_KEY_PREFIX: prefix,
    };
  });
  afterAll(async () => {
    await api.stop();
    const redis = new Redis(inject('redisUrl'));
    await deletePrefix(redis, prefix);
    redis.disconnect();
  });

  it('config check: one line per check, all passing', async () => {
    const { code, out } = await cli(['config', 'check'], env);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`✓ configuration: valid (CorpID ${SAMPLE.corpId}, AgentID 1000002, zone Asia/Shanghai, due day 10)`);
    expect(lines[1]).toMatch(/^✓ redis: reachable at redis:\/\/127\.0\.0\.1:\d+ \(\d+ ms\)$/);
    expect(lines[2]).toBe(`✓ wecom: access token fetched from ${api.url}`);
    expect(out).not.toContain(SAMPLE.secret);
    expect(code).toBe(0);
  });

  it('config check: a wrong secret fails with what to fix', async () => {
    const { code, out } = await cli(['config', 'check'], { ...env, WECOM_SECRET: 'not-the-secret' });
    expect(out).toContain('✗ wecom: WeCom gettoken answered 40001 invalid credential — WECOM_SECRET is wrong or was reset');
    expect(out).not.toContain('not-the-secret');
    expect(code).toBe(1);
  });

  it('config check: an unreachable Redis fails with what to do, password masked', async () => {
    const { code, out } = await cli(['config', 'check'], { ...env, REDIS_URL: 'redis://:hunter2@127.0.0.1:1' });
    expect(out).toMatch(/✗ redis: not reachable at redis:\/\/\*\*\*@127\.0\.0\.1:1: .*Start Redis or fix REDIS_URL\./);
    expect(out).not.toContain('hunter2');
    expect(code).toBe(1);
  });

  it('config check: bad configuration lists every problem', async () => {
    const { code, out } = await cli(['config', 'check'], { REDIS_URL: 'http://x' });
    expect(out).toContain('✗ configuration: 6 problem(s)');
    expect(out).toContain('REDIS_URL: must start with redis:// or rediss://');
    expect(code).toBe(1);
  });

  it('roster import --dry-run checks a file and changes nothing; a bad file exits 1 naming the line', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/yb-cli-');
    await writeFile(`${dir}/schools.csv`, 'code,name,city,level,category,pilot,contacts\n0101,甲学院,郑州,高职,A,否,u1\n');
    await writeFile(`${dir}/bad.csv`, 'code,name,city,level,category,pilot,contacts\n0101,甲学院,郑州,高职,C,否,u1\n');
    const dry = await cli(['roster', 'import', `${dir}/schools.csv`, '--dry-run'], env);
    expect(dry.out).toBe('（试运行，未做更改）学校：新增 1，变更 0，删除 0，不变 0\n  新增：0101\n填报人：新增 1，移除 0\n已向企业微信核对 1 个账号：全部可以读取。\n');
    expect(dry.code).toBe(0);
    const bad = await cli(['roster', 'import', `${dir}/bad.csv`], env);
    expect(bad.out).toBe(`${dir}/bad.csv 有 1 处问题，未做任何更改：\n  第 2 行：类别 C 属于中职，与层次「高职」不符\n`);
    expect(bad.code).toBe(1);
  });

  it('roster import checks every UserID with WeCom: unknown and out-of-range ones listed by line, --strict rejects, --offline skips', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/yb-cli-');
    await writeFile(`${dir}/schools.csv`, 'code,name,city,level,category,pilot,contacts\n0101,甲学院,郑州,高职,A,否,u1|ghost\n0102,乙学校,洛阳,中职,C,否,u9\n');
    const strict = await cli(['roster', 'import', `${dir}/schools.csv`, '--strict'], env);
    expect(strict.out).toBe(`${dir}/schools.csv 有 2 个账号企业微信无法读取，未做任何更改（--strict）：\n  第 2 行：ghost（通讯录中没有此 UserID）\n  第 3 行：u9（不在应用的可见范围内）\n`);
    expect(strict.code).toBe(1);
    const warned = await cli(['roster', 'import', `${dir}/schools.csv`], env);
    expect(warned.code).toBe(0);
    expect(warned.out).toContain('已导入。学校：新增 2');
    expect(warned.out).toContain('已向企业微信核对 3 个账号：2 个无法读取（下面列出；这些人收不到消息，请核对账号或应用的可见范围）。\n  第 2 行：ghost（通讯录中没有此 UserID）\n  第 3 行：u9（不在应用的可见范围内）\n');
    expect(api.callsTo('user/get').map((c) => c.query.get('userid'))).toEqual(expect.arrayContaining(['u1', 'ghost', 'u9']));
    const offline = await cli(['roster', 'import', `${dir}/schools.csv`, '--offline'], env);
    expect(offline.out).toContain('未向企业微信核对账号（--offline）。');
  });

  it('jobs run close --dry-run runs through the CLI and names unknown jobs', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/yb-cli-');
    await writeFile(`${dir}/schools.csv`, 'code,name,city,level,category,pilot,contacts\n0102,乙学校,洛阳,中职,C,否,u2\n');
    expect((await cli(['roster', 'import', `${dir}/schools.csv`], env)).code).toBe(0);
    const dry = await cli(['jobs', 'run', 'close', '--at', '2026-11-11T00:05:00+08:00', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^（试运行）关账 2026年10月：将有 1 所学校记为零申报（未报）：\n.*0102/);
    const unknown = await cli(['jobs', 'run', 'sweep'], env);
    expect(unknown).toMatchObject({ code: 2, out: '没有「sweep」这个任务。可用：nudge、close、notice、digest、open。\n' });
    const badAt = await cli(['jobs', 'run', 'close', '--at', 'tomorrow'], env);
    expect(badAt).toMatchObject({ code: 1, out: '--at「tomorrow」不是 ISO-8601 时间，如 2026-11-11T00:05:00+08:00。\n' });
  });

  it('reads the deployment’s clock: FAKE_NOW anchored by the first process, the same for every command after it', async () => {
    const clockEnv = { ...env, REDIS_KEY_PREFIX: `${prefix}clock:`, FAKE_NOW: '2026-11-05T09:00:00+08:00' };
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/yb-cli-');
    await writeFile(`${dir}/schools.csv`, 'code,name,city,level,category,pilot,contacts\n0401,戊学院,郑州,高职,A,否,u5\n0402,己学校,洛阳,中职,C,否,u6\n');
    const started = Date.now();
    expect((await cli(['roster', 'import', `${dir}/schools.csv`], clockEnv)).code).toBe(0);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await cli(['roster', 'import', `${dir}/schools.csv`], clockEnv)).code).toBe(0);
    const redis = new Redis(inject('redisUrl'));
    const store = redisStores(redis, `${prefix}clock:`);
    const stamps = (await store.audit.read()).map((a) => a.at);
    const fake = Date.parse('2026-11-05T09:00:00+08:00');
    // The import is stamped on the business clock, which the second command reads on from the first's anchor.
    expect(stamps[0]! - fake).toBeGreaterThanOrEqual(0);
    expect(stamps[0]! - fake).toBeLessThan(Date.now() - started);
    expect(stamps[1]! - stamps[0]!).toBeGreaterThanOrEqual(1_500);
    // The first roster set where the records begin: October, being filed on 5 November.
    expect((await store.markers.readCalendar()).startedAt).toBe(stamps[0]);
    // A close run in January catches up every month not closed since, oldest first; none before October.
    const close = await cli(['jobs', 'run', 'close', '--at', '2027-01-12T10:05:00+08:00'], clockEnv);
    expect(close.code).toBe(0);
    expect(close.out.split('\n').filter((l) => l.includes('新记零申报'))).toEqual([
      '关账 2026年10月：新记零申报 2 所，之前已记 0 所。',
      '关账 2026年11月：新记零申报 2 所，之前已记 0 所。',
      '关账 2026年12月：新记零申报 2 所，之前已记 0 所。',
    ]);
    expect((await store.markers.readCalendar()).closed).toEqual(['2026-10', '2026-11', '2026-12']);
    expect((await store.records.read('0401', '2026-09')).reports['2026-09']).toBeUndefined();
    redis.disconnect();
  });

  it('outbox status lists what waits and what failed, with reasons; outbox retry puts failed ones back', async () => {
    const redis = new Redis(inject('redisUrl'));
    const { outbox } = redisStores(redis, prefix);
    const now = Date.now();
    const msg = (id: string, due: number) => ({ id, payload: { kind: 'message' as const, to: ['u9'], messages: [{ msgtype: 'text' as const, text: { content: 'x' } }] }, due });
    await outbox.enqueue('u9', [msg('cli:waiting', now + 3_600_000), msg('cli:broken', now)], now - 120_000);
    const [held] = await outbox.lease(partitionOf('u9'), ['cli:broken'], now, 30_000);
    await outbox.finish(held!, { state: 'failed', error: 'WeCom message/send answered 40008 invalid message type', result: { msgIds: [], invalid: [], unlicensed: [] }, at: now, keepMs: 60_000 });
    redis.disconnect();
    const status = await cli(['outbox', 'status'], env);
    expect(status.code).toBe(0);
    expect(status.out).toContain('待发 1 条（其中 1 条定时稍后发出），最早的已等 2 分钟（cli:waiting）。');
    expect(status.out).toContain('失败 1 条：\n  cli:broken → 1 人：WeCom message/send answered 40008 invalid message type');
    expect(status.out).toContain('npm run cli -- outbox retry --failed');
    expect(await cli(['outbox', 'retry', 'nope'], env)).toMatchObject({ code: 1, out: '没有编号为 nope 的消息（或已过保留期）。\n' });
    expect(await cli(['outbox', 'retry', 'cli:broken'], env)).toMatchObject({ code: 0, out: '已将 cli:broken 重新放入待发队列。\n' });
    expect((await cli(['outbox', 'status'], env)).out).toContain('失败 0 条。');
  });

  it('reindex rebuilds the status index and the year’s sums from the records and says what it changed', async () => {
    const redis = new Redis(inject('redisUrl'));
    const stores = redisStores(redis, prefix);
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/yb-cli-');
    await writeFile(`${dir}/schools.csv`, 'code,name,city,level,category,pilot,contacts\n0301,丙学院,郑州,高职,A,否,u3\n0302,丁学院,郑州,高职,A,否,u4\n');
    expect((await cli(['roster', 'import', `${dir}/schools.csv`], env)).code).toBe(0);
    await seedReport(stores, report('0301', '2026-10', 'filed', { trainees_students: 40 }));
    await seedDraft(stores, '0302', '2026-10', { projects_fiscal: 1 });
    // The derived data gone wrong (an older version, a manual edit): 0301 shown as drafting, its sums lost.
    const p = partitionOf('0301');
    const k = redisKeys(prefix);
    await redis.srem(k.status(p, '2026-10', 'filed'), '0301');
    await redis.sadd(k.status(p, '2026-10', 'drafting'), '0301');
    await redis.hdel(k.ytd(p, 2026), '0301');
    // …and its report as one written before the review index: no review mark.
    await redis.hdel(k.reviews(p, '2026-10'), '0301');
    expect(await stores.records.reviewMarks('2026-10')).toEqual({});
    const fixed = await cli(['reindex', '--year', '2026'], env);
    expect(fixed.code).toBe(0);
    expect(fixed.out).toBe('2026 年状态索引：更正了 1 所学校的 1 个月份：\n  0301 2026-10：填报中 → 已报\n2026 年度累计：更正了 1 所学校。\n2026 年审核标记：更正了 1 所学校。\n');
    expect(await stores.records.reviewMarks('2026-10')).toEqual({ '0301': 'pending' });
    expect((await periodIndex(stores, '2026-10')).status).toMatchObject({ filed: ['0301'], drafting: ['0302'] });
    expect((await stores.records.yearToDate(2026))['0301']).toMatchObject({ trainees: 40 });
    expect((await cli(['reindex', '--year', '2026'], env)).out).toMatch(/^2026 年的状态索引、审核标记和年度累计与记录一致（\d+ 所学校），没有改动。\n$/);
    expect(await cli(['reindex', '--year', 'soon'], env)).toMatchObject({ code: 1, out: '--year「soon」应写成四位年份，如 2026。\n' });
    redis.disconnect();
  });

  it('audit lists the newest staff actions by name; history lists a school’s changes with the form’s labels', async () => {
    const logEnv = { ...env, REDIS_KEY_PREFIX: `${prefix}log:` };
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/yb-cli-');
    await writeFile(`${dir}/schools.csv`, 'code,name,city,level,category,pilot,contacts\n0501,庚学院,郑州,高职,A,否,u7\n');
    await writeFile(`${dir}/staff.csv`, 'userid,name,role,city\nsheng1,王敏,province,\n');
    expect((await cli(['roster', 'import', `${dir}/schools.csv`, '--by', 'ops'], logEnv)).code).toBe(0);
    expect((await cli(['staff', 'import', `${dir}/staff.csv`, '--by', 'ops'], logEnv)).code).toBe(0);
    const redis = new Redis(inject('redisUrl'));
    const stores = redisStores(redis, `${prefix}log:`);
    const at = (s: string) => Date.parse(`${s}+08:00`);
    await stores.audit.append({ action: 'nudge', by: 'sheng1', at: at('2026-11-08T09:00:00'), period: '2026-10', schools: 1 });
    await stores.audit.append({ action: 'export', by: 'sheng1', at: at('2026-11-11T10:30:00'), period: '2026-10', rows: 1 });
    const cells = (old: number | null, n: number) => [{ id: 'projects_fiscal', old, new: n }];
    for (const [type, time, c] of [['edit', '2026-11-03T08:00:00', cells(null, 2)], ['submit', '2026-11-04T09:15:00', cells(2, 3)], ['reopen', '2026-11-12T14:00:00', []]] as const) {
      const snap = await stores.records.read('0501', '2026-10');
      await stores.records.commit({ code: '0501', period: '2026-10', expectedRev: snap.rev, history: [{ type, period: '2026-10', by: type === 'reopen' ? 'sheng1' : 'u7', at: at(time), cells: [...c] }] });
    }
    redis.disconnect();

    const two = await cli(['audit', '--limit', '2'], logEnv);
    expect(two).toMatchObject({ code: 0, out: '最近 2 条操作记录（时间 · 操作 · 操作人 · 内容）：\n  2026-11-08 09:00 · 催报 · 王敏（sheng1） · period=2026-10 schools=1\n  2026-11-11 10:30 · 导出 · 王敏（sheng1） · period=2026-10 rows=1\n' });
    const imports = await cli(['audit', '--action', 'roster-import'], logEnv);
    expect(imports.out.split('\n').filter((l) => l.includes('导入学校名单 · ops'))).toHaveLength(1);
    expect((await cli(['audit', '--action', 'broadcast'], logEnv)).out).toBe('审计日志里没有「broadcast」的记录。\n');

    const history = await cli(['history', '0501', '--limit', '2'], logEnv);
    expect(history).toMatchObject({ code: 0, out: '庚学院（0501）最近 2 条记录：\n  2026-11-04 09:15 · 2026-10 · 提交 · 庚学院 联系人 u7 · 培训项目/班次数 · 财政资金项目 2→3\n  2026-11-12 14:00 · 2026-10 · 重新打开 · 王敏（sheng1）\n' });
    expect((await cli(['history', '0501'], logEnv)).out).toContain('2026-11-03 08:00 · 2026-10 · 修改 · 庚学院 联系人 u7 · 培训项目/班次数 · 财政资金项目 空→2');
    expect(await cli(['history', '9999'], logEnv)).toMatchObject({ code: 1, out: '名单里没有代码为「9999」的学校。\n' });
    expect(await cli(['audit', '--limit', 'all'], logEnv)).toMatchObject({ code: 1, out: '--limit「all」应是 1 到 10000 之间的整数。\n' });
  });

  it('menu sync pushes 填报 / 查询进度 / 帮助', async () => {
    const { code, out } = await cli(['menu', 'sync'], env);
    expect(out).toContain('menu pushed to agent 1000002: 填报 / 查询进度 / 帮助');
    expect(api.menu).toEqual(appMenu);
    expect(code).toBe(0);
  });
});
