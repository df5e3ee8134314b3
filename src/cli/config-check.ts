import { ConfigError, loadConfig } from '../config/config';
import { describeTarget, openRedis, redisTarget, RedisCredentialsRefused } from '../store/redis-client';
import { cliContext } from './context';

/** Validates the environment, reaches Redis, fetches an access token: one line per check. */
export async function configCheck(env: NodeJS.ProcessEnv, print: (line: string) => void): Promise<boolean> {
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    print(`✗ configuration: ${error.problems.length} problem(s)`);
    for (const p of error.problems) print(`    ${p.key}: ${p.problem}. ${p.fix}`);
    return false;
  }
  print(`✓ configuration: valid (CorpID ${config.wecom.corpId}, AgentID ${config.wecom.agentId}, zone ${config.timezone}, due day ${config.dueDay})`);
  let ctx;
  try {
    ctx = cliContext(config);
  } catch (error) {
    print(`✗ redis: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
  const target = redisTarget(config);
  const where = describeTarget(target);
  const keyToFix = { cluster: 'REDIS_CLUSTER_NODES', sentinel: 'REDIS_SENTINELS and REDIS_SENTINEL_NAME', single: 'REDIS_URL' }[target.kind];
  let ok = true;
  try {
    const started = Date.now();
    try {
      await openRedis(ctx.redis);
      await ctx.stores.ping();
      print(`✓ redis: reachable at ${where} (${Date.now() - started} ms)`);
    } catch (error) {
      ok = false;
      if (error instanceof RedisCredentialsRefused) print(`✗ redis: ${where}: ${error.message}`);
      else print(`✗ redis: not reachable at ${where}: ${error instanceof Error ? error.message : String(error)}. Start Redis or fix ${keyToFix}.`);
      return false;
    }
    try {
      // A fresh gettoken, not the cached token: it proves today's CorpID and Secret.
      await ctx.client.fetchToken();
      print(`✓ wecom: access token fetched from ${config.wecom.apiBase}`);
    } catch (error) {
      ok = false;
      print(`✗ wecom: ${error instanceof Error ? error.message : String(error)}`);
    }
  } finally {
    await ctx.close();
  }
  return ok;
}
