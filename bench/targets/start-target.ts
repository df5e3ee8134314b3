import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
// @ts-expect-error: a plain .mjs module without types (scripts/build.mjs).
import { buildEntries } from '../../scripts/build.mjs';

export interface Target {
  child: ChildProcess;
  port: number;
}

/** --tsx runs the targets through tsx, as the tests do, instead of built as `npm start` runs. */
export const THROUGH_TSX = process.argv.includes('--tsx');

/**
 * Starts a bench target (a script that prints {"port":N}) as production runs the server: bundled
 * by the build into plain JavaScript (bare Koa too, for a fair baseline), or with --tsx through
 * tsx. BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=prof") goes to its Node.
 */
export async function startTarget(script: string, env: Record<string, string>): Promise<Target> {
  let args: string[];
  if (THROUGH_TSX) args = ['--import', 'tsx', script];
  else {
    await buildEntries([script], 'dist/bench', 'bench/targets');
    args = [`dist/bench/${basename(script, '.ts')}.js`];
  }
  const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

/** Peak resident set size of a process (Linux VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}
