import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error';

/** Real callback bodies are under 2 KB; anything past the cap is refused without reading it all. */
export const CALLBACK_BODY_LIMIT = 64 * 1024;

/** Reads the request body as UTF-8, refusing (413) more than `limit` bytes. */
export async function readRawBody(req: IncomingMessage, limit = CALLBACK_BODY_LIMIT): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, 'body too large');
  // Listeners rather than `for await`: async iteration costs a promise per chunk on the hot path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new HttpError(413, 'body too large'));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}
