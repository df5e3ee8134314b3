import { loadConfig, type Config } from '../../src/config/config';

/** Tencent's published sample credentials (WXBizMsgCrypt samples): a real-world key and corp. */
export const SAMPLE = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  corpId: 'ww1436e0e65a779aee',
  agentId: '1000002',
  secret: 'sample-secret',
};

export function testConfig(apiBase: string, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    WECOM_CORP_ID: SAMPLE.corpId,
    WECOM_AGENT_ID: SAMPLE.agentId,
    WECOM_SECRET: SAMPLE.secret,
    WECOM_TOKEN: SAMPLE.token,
    WECOM_ENCODING_AES_KEY: SAMPLE.encodingAesKey,
    WECOM_API_BASE: apiBase,
    // The stand-in serves WeCom's 网页授权 pages as well as its API.
    WECOM_OAUTH_BASE: apiBase,
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}
