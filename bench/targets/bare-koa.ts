/** Bench baseline: a bare Koa app answering 200 on the same machine; prints {"port":N}. */
import Koa from 'koa';

const app = new Koa();
app.use((ctx) => {
  ctx.body = 'ok';
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
});
process.on('SIGTERM', () => {
  server.close();
  process.exit(0);
});
