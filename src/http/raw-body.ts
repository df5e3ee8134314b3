import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error';

/** Real callback bodies are under 2 KB; anything past the cap is refused without reading it all. */
export const CALLBACK_BODY_LIMIT = 64 * 1024;

/** Reads the request body as UTF-8, refusing (413) more than `limit` bytes. */
export async function readRawBody(req: IncomingMessage, limit = CALLBACK_BODY_LIMIT): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, 'body too large');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new HttpError(413, 'body too large');
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
