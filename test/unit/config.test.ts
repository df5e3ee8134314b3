import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config';

const valid = {
  WECOM_CORP_ID: 'ww1436e0e65a779aee',
  WECOM_AGENT_ID: '1000002',
  WECOM_SECRET: 's3cret',
  WECOM_TOKEN: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  WECOM_ENCODING_AES_KEY: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.key}: ${p.problem}`);
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('reads REDIS_CLUSTER_NODES as host:port pairs, and refuses a malformed list with the form to use', () => {
    expect(loadConfig({ ...valid, REDIS_CLUSTER_NODES: '10.0.0.1:7000,redis-2.internal:7001' }).redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-2.internal', port: 7001 },
    ]);
    expect(problems({ ...valid, REDIS_CLUSTER_NODES: '10.0.0.1,10.0.0.2:7000' })).toEqual(['REDIS_CLUSTER_NODES: must be host:port[,host:port…]']);
  });

  it('reads REDIS_SENTINELS with REDIS_SENTINEL_NAME and REDIS_WAIT_REPLICAS; refuses the keys that do not go together', () => {
    const config = loadConfig({ ...valid, REDIS_SENTINELS: '10.0.0.1:26379,10.0.0.2:26379', REDIS_SENTINEL_NAME: 'mymaster', REDIS_WAIT_REPLICAS: '1' });
    expect(config).toMatchObject({ redisSentinels: [{ host: '10.0.0.1', port: 26379 }, { host: '10.0.0.2', port: 26379 }], redisSentinelName: 'mymaster', redisWaitReplicas: 1, redisWaitTimeoutMs: 500 });
    expect(problems({ ...valid, REDIS_SENTINELS: '10.0.0.1:26379' })).toEqual(['REDIS_SENTINEL_NAME: is not set while REDIS_SENTINELS is']);
    expect(problems({ ...valid, REDIS_SENTINEL_NAME: 'mymaster' })).toEqual(['REDIS_SENTINELS: is not set while REDIS_SENTINEL_NAME is']);
    expect(problems({ ...valid, REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'm', REDIS_CLUSTER_NODES: '10.0.0.1:7000' })).toEqual(['REDIS_SENTINELS: is set together with REDIS_CLUSTER_NODES']);
    expect(problems({ ...valid, REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_WAIT_REPLICAS: '1' })).toEqual(['REDIS_WAIT_REPLICAS: is set with REDIS_CLUSTER_NODES']);
    expect(problems({ ...valid, REDIS_WAIT_TIMEOUT_MS: '5000' })).toEqual(['REDIS_WAIT_TIMEOUT_MS: must be 10–1500']);
  });

  it('reads REDIS_PASSWORD, REDIS_USERNAME and REDIS_SENTINEL_PASSWORD; refuses a password given twice, a user without one, a Sentinel password without Sentinels', () => {
    const sentinels = { REDIS_SENTINELS: '10.0.0.1:26379', REDIS_SENTINEL_NAME: 'mymaster' };
    expect(loadConfig({ ...valid, ...sentinels, REDIS_PASSWORD: 'p@ss:word', REDIS_USERNAME: 'yuebao', REDIS_SENTINEL_PASSWORD: 'sp' })).toMatchObject({ redisPassword: 'p@ss:word', redisUsername: 'yuebao', redisSentinelPassword: 'sp' });
    expect(loadConfig({ ...valid, REDIS_URL: 'redis://10.0.0.1:6379', REDIS_PASSWORD: 'p' }).redisPassword).toBe('p');
    // A password is taken as given: spaces at its ends are part of it.
    expect(loadConfig({ ...valid, REDIS_URL: 'redis://10.0.0.1:6379', REDIS_PASSWORD: ' p w ' }).redisPassword).toBe(' p w ');
    expect(problems({ ...valid, REDIS_URL: 'redis://:p@10.0.0.1:6379', REDIS_PASSWORD: 'p' })).toEqual(['REDIS_PASSWORD: is set while REDIS_URL carries a password too']);
    expect(problems({ ...valid, REDIS_URL: 'redis://yuebao:p@10.0.0.1:6379', REDIS_PASSWORD: 'p' })).toEqual(['REDIS_PASSWORD: is set while REDIS_URL carries a password too']);
    expect(problems({ ...valid, REDIS_URL: 'redis://10.0.0.1:6379', REDIS_USERNAME: 'yuebao' })).toEqual(['REDIS_PASSWORD: is not set while REDIS_USERNAME is']);
    expect(problems({ ...valid, REDIS_URL: 'redis://10.0.0.1:6379', REDIS_SENTINEL_PASSWORD: 'sp' })).toEqual(['REDIS_SENTINEL_PASSWORD: is set without REDIS_SENTINELS']);
    // A password never appears in what is said about it.
    const said = (() => {
      try {
        loadConfig({ ...valid, REDIS_URL: 'redis://:hunter2@10.0.0.1:6379', REDIS_PASSWORD: 'hunter2' });
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(said).toContain('REDIS_PASSWORD');
    expect(said).not.toContain('hunter2');
  });

  it('fills the documented defaults', () => {
    const config = loadConfig(valid);
    expect(config).toMatchObject({
      wecom: { corpId: 'ww1436e0e65a779aee', agentId: 1000002, apiBase: 'https://qyapi.weixin.qq.com' },
      // No Redis is assumed: REDIS_URL or REDIS_CLUSTER_NODES must say where (the client factory refuses neither).
      redisUrl: undefined,
      redisClusterNodes: undefined,
      redisSentinels: undefined,
      redisWaitReplicas: 0,
      port: 3000,
      host: '0.0.0.0',
      timezone: 'Asia/Shanghai',
      dueDay: 10,
      fakeNow: undefined,
      logLevel: 'info',
    });
  });

  it('lists every problem at once, each with what to do', () => {
    const env = { WECOM_AGENT_ID: 'abc', WECOM_ENCODING_AES_KEY: 'tooshort', PORT: '70000', REPORT_TIMEZONE: 'Mars/Olympus', REPORT_DUE_DAY: '31', LOG_LEVEL: 'loud', FAKE_NOW: 'tomorrow' };
    expect(problems(env)).toEqual([
      'WECOM_CORP_ID: is not set',
      'WECOM_AGENT_ID: must be a whole number',
      'WECOM_SECRET: is not set',
      'WECOM_TOKEN: is not set',
      'WECOM_ENCODING_AES_KEY: must be exactly 43 letters or digits',
      'PORT: must be 1–65535',
      'REPORT_TIMEZONE: is not a known IANA time zone',
      'REPORT_DUE_DAY: must be 1–28',
      'FAKE_NOW: must be an ISO-8601 instant such as 2026-11-05T09:00:00+08:00',
      expect.stringMatching(/^LOG_LEVEL: /),
    ]);
    expect(() => loadConfig(env)).toThrow(/WECOM_ENCODING_AES_KEY: must be exactly 43 letters or digits\. Copy the EncodingAESKey/);
  });

  it('refuses an EncodingAESKey of 44 characters and a Token over 32', () => {
    expect(problems({ ...valid, WECOM_ENCODING_AES_KEY: `${valid.WECOM_ENCODING_AES_KEY}x`, WECOM_TOKEN: 'x'.repeat(33) })).toEqual([
      'WECOM_TOKEN: must be 1–32 letters or digits',
      'WECOM_ENCODING_AES_KEY: must be exactly 43 letters or digits',
    ]);
  });

  it('reads the dashboard keys: a public base URL, a link secret derived from the app secret unless given, 24-hour links', () => {
    const plain = loadConfig(valid);
    expect(plain.publicBaseUrl).toBeUndefined();
    expect(plain.dashboardLinkHours).toBe(24);
    expect(plain.dashboardLinkSecret).toMatch(/^[0-9a-f]{64}$/);
    expect(plain.dashboardLinkSecret).not.toContain(valid.WECOM_SECRET);
    expect(loadConfig({ ...valid, WECOM_SECRET: 'other' }).dashboardLinkSecret).not.toBe(plain.dashboardLinkSecret);
    const set = loadConfig({ ...valid, PUBLIC_BASE_URL: 'https://yuebao.example.cn/', DASHBOARD_LINK_SECRET: 'k'.repeat(40), DASHBOARD_LINK_HOURS: '8' });
    expect(set).toMatchObject({ publicBaseUrl: 'https://yuebao.example.cn', dashboardLinkSecret: 'k'.repeat(40), dashboardLinkHours: 8 });
    expect(() => loadConfig({ ...valid, PUBLIC_BASE_URL: 'yuebao.example.cn', DASHBOARD_LINK_SECRET: 'short', DASHBOARD_LINK_HOURS: '0' })).toThrow(
      /PUBLIC_BASE_URL: must be an http\(s\) URL[\s\S]*DASHBOARD_LINK_SECRET: must be at least 32 characters[\s\S]*DASHBOARD_LINK_HOURS: must be 1–168/,
    );
  });

  it('takes a Redis key prefix, yb: by default, without braces', () => {
    expect(loadConfig(valid).redisKeyPrefix).toBe('yb:');
    expect(loadConfig({ ...valid, REDIS_KEY_PREFIX: 'yb-kaifeng:' }).redisKeyPrefix).toBe('yb-kaifeng:');
    expect(() => loadConfig({ ...valid, REDIS_KEY_PREFIX: 'yb{x}:' })).toThrow(/REDIS_KEY_PREFIX: must be 1–64 letters, digits or _ \. : -/);
  });

  it('takes FAKE_NOW with an offset', () => {
    expect(loadConfig({ ...valid, FAKE_NOW: '2026-11-05T09:00:00+08:00' }).fakeNow?.toISOString()).toBe('2026-11-05T01:00:00.000Z');
  });

  it('refuses FAKE_NOW in production', () => {
    expect(problems({ ...valid, NODE_ENV: 'production', FAKE_NOW: '2026-11-05T09:00:00+08:00' })).toEqual(['FAKE_NOW: is set while NODE_ENV=production']);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...valid, PORT: '', REDIS_URL: ' ' }).port).toBe(3000);
    expect(problems({ ...valid, WECOM_SECRET: '' })).toEqual(['WECOM_SECRET: is not set']);
  });
});
