/**
 * Bench target: the least a callback turn can do, and nothing else; prints {"port":N}. Koa reads
 * the body, the signature is checked and the message decrypted and parsed (the project's own
 * CallbackCrypto and XML reader), three Redis round trips stand for the roster lookup, the begin
 * script and the commit (SET NX, GET, SET through the production client), and the reply is
 * encrypted and signed. No conversation, no validation, no logging: its ratio to bare Koa is the
 * ceiling any real turn on this stack can reach on this machine.
 */
import Koa from 'koa';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedisClient } from '../../src/store/redis-client';
import { CallbackCrypto } from '../../src/wecom/callback-crypto';
import { parseWecomXml } from '../../src/wecom/xml';
import { sealPassiveText } from '../../src/wecom/passive-reply';
import { readRawBody } from '../../src/http/raw-body';
import { deletePrefix } from '../../test/helpers/redis-server';
import { SAMPLE } from '../../test/helpers/sample';

const redis = createRedisClient({ redisUrl: process.env.BENCH_REDIS_URL!, redisClusterNodes: undefined });
await redis.connect();
const prefix = `bench:${randomBytes(4).toString('hex')}:`;
const crypto = new CallbackCrypto({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, receiveId: SAMPLE.corpId });

const app = new Koa();
app.use(async (ctx) => {
  const q = new URLSearchParams(ctx.querystring);
  const envelope = parseWecomXml(await readRawBody(ctx.req));
  const encrypted = envelope.Encrypt!;
  crypto.verify(q.get('msg_signature')!, q.get('timestamp')!, q.get('nonce')!, encrypted);
  const message = parseWecomXml(crypto.decrypt(encrypted));
  const user = `${prefix}${message.FromUserName}`;
  await redis.set(`${user}:turn:${message.MsgId}`, '1', 'PX', 60_000, 'NX');
  const session = await redis.get(`${user}:session`);
  await redis.set(`${user}:session`, String(Number(session ?? 0) + 1), 'PX', 60_000);
  ctx.type = 'application/xml';
  ctx.body = sealPassiveText(crypto, { toUser: message.FromUserName!, corpId: SAMPLE.corpId, content: '帮助', now: new Date() });
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
});
process.on('SIGTERM', async () => {
  server.close();
  await deletePrefix(redis as Redis, prefix);
  redis.disconnect();
  process.exit(0);
});
