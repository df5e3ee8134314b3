import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './redis-server';
import { SAMPLE } from './sample';

/**
 * `node --import tsx`, not the tsx binary: that one runs the program in a child process, which a
 * SIGKILL of the parent would leave running.
 */
const NODE = [process.execPath, '--import', 'tsx'] as const;

/** The environment `npm start` and the CLI get in these tests: the sample credentials, a stand-in, a Redis and a key prefix. */
export function processEnv(apiUrl: string, redisUrl: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    WECOM_CORP_ID: SAMPLE.corpId,
    WECOM_AGENT_ID: SAMPLE.agentId,
    WECOM_SECRET: SAMPLE.secret,
    WECOM_TOKEN: SAMPLE.token,
    WECOM_ENCODING_AES_KEY: SAMPLE.encodingAesKey,
    WECOM_API_BASE: apiUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...extra,
  };
}

export interface Instance {
  port: number;
  child: ChildProcess;
  /** Log lines (JSON) so far. */
  lines: string[];
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the server (src/main.ts through tsx, or `args` for Node: src/main.ts built as `npm start`
 * builds it, with any flags before it) and resolves once it answers HTTP (whatever its log level).
 */
export async function startInstance(env: Record<string, string>, port?: number, args?: string[]): Promise<Instance> {
  const p = port ?? (await freePort());
  const child = spawn(NODE[0], args ?? [...NODE.slice(1), 'src/main.ts'], { env: { ...env, PORT: String(p) }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let err = '';
  let gone = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      gone = true;
      resolve(code);
    }),
  );
  child.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  for (;;) {
    if (gone) throw new Error(`src/main.ts exited with ${child.exitCode}: ${err}`);
    const up = await fetch(`http://127.0.0.1:${p}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
      () => true,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port: p,
    child,
    lines,
    exited,
    kill: (signal) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      return exited;
    },
  };
}

/** Runs the CLI; `onLine` sees each line of its output as it comes. */
export function runCli(args: string[], env: Record<string, string>, onLine?: (line: string, child: ChildProcess) => void): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> } {
  const child = spawn(NODE[0], [...NODE.slice(1), 'src/cli/cli.ts', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const line of d.toString().split('\n')) if (line) onLine?.(line, child);
  });
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { child, done: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out }))) };
}
