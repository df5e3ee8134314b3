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
 * The Node options `npm start` gives the server (package.json's start script, between `node` and
 * the entry): the benches run every target with them, so what they measure is what production runs.
 */
export function startNodeOptions(): string[] {
  const start = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  return nodeOptionsOf(start);
}

/**
 * The options of `node <options> <entry>`: each written `--name` or `--name=value`, the entry last.
 * Anything else (a value apart from its option, a short flag, arguments after the entry) is refused
 * rather than guessed at: the benches would measure another server than the one production runs.
 */
export function nodeOptionsOf(command: string): string[] {
  const words = command.split(/\s+/).filter(Boolean);
  const entry = words.findIndex((w, i) => i > 0 && !w.startsWith('-'));
  const options = words.slice(1, entry);
  if (words[0] !== 'node' || entry !== words.length - 1 || options.some((o) => !/^--[a-z0-9-]+(=\S+)?$/.test(o))) {
    throw new Error(`the start script is not "node [--option[=value] …] <entry>": ${command}`);
  }
  return options;
}

/** The Node arguments of a target: npm start's options, then BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=prof"). */
export function targetNodeArgs(): string[] {
  return [...startNodeOptions(), ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
}

/**
 * Starts a bench target (a script that prints {"port":N}) as production runs the server: bundled
 * by the build into plain JavaScript (bare Koa too, for a fair baseline), or with --tsx through
 * tsx. Its Node gets the options of `npm start` and BENCH_NODE_ARGS (targetNodeArgs).
 */
export async function startTarget(script: string, env: Record<string, string>): Promise<Target> {
  let args: string[];
  if (THROUGH_TSX) args = ['--import', 'tsx', script];
  else {
    await buildEntries([script, 'src/export/xlsx-worker.ts'], 'dist/bench');
    args = [`dist/bench/${basename(script, '.ts')}.js`];
  }
  const child = spawn(process.execPath, [...targetNodeArgs(), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
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

/**
 * CPU seconds a process has used (user + system, all its threads; /proc/<pid>/stat). Per request,
 * it is the bench's steadiest figure: on a shared machine throughput moves ±30 % from run to run
 * with the neighbours' load, the CPU a request costs much less.
 */
export function cpuSeconds(pid: number): number {
  // The fields after the command name (which is in parentheses and may hold spaces): utime and stime are the 12th and 13th.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** USER_HZ: Linux reports process times in hundredths of a second on every architecture it runs on. */
const CLOCK_TICKS = 100;

/** One target's figures under load. */
export interface Result {
  name: string;
  rps: number;
  /** CPU microseconds of the target per request answered. */
  cpuUs: number;
  p50: number;
  p99: number;
  /** Failed requests: socket errors, timeouts and non-2xx answers. */
  errors: number;
  rssMiB: number;
}

/**
 * The table of results, then each measured path against bare Koa and the goals it is held to. A
 * floor (bench/targets/floor.ts: the signature, the crypto and three Redis round trips, nothing
 * else) is what no turn can beat on this machine: each path is shown against it too.
 */
export function printResults(baseline: Result, measured: [Result, number][], floor?: Result): void {
  const rows = [baseline, ...(floor ? [floor] : []), ...measured.map(([r]) => r)].map((r) => [r.name.padEnd(22), r.rps.toFixed(0).padStart(8), `${r.cpuUs.toFixed(0)} µs`.padStart(9), `${r.p50.toFixed(1)} ms`.padStart(9), `${r.p99.toFixed(1)} ms`.padStart(9), `${r.rssMiB.toFixed(0)} MiB`.padStart(9), String(r.errors).padStart(7)].join(' '));
  process.stdout.write(['target                    req/s  CPU/req       p50       p99  peak RSS  errors', ...rows].join('\n') + '\n');
  if (floor) process.stdout.write(`${floor.name}: ${(floor.rps / baseline.rps).toFixed(2)} × bare Koa throughput, ${(baseline.cpuUs / floor.cpuUs).toFixed(2)} × its CPU per request: the most a turn can reach here\n`);
  for (const [r, goal] of measured) {
    const ofFloor = floor ? ` (${(r.rps / floor.rps).toFixed(2)} × the floor)` : '';
    process.stdout.write(`${r.name}: ${(r.rps / baseline.rps).toFixed(2)} × bare Koa throughput${ofFloor} (goal ≥ ${goal}), ${(baseline.cpuUs / r.cpuUs).toFixed(2)} × its CPU per request; p99 ${r.p99.toFixed(1)} ms (goal < 50 ms); peak RSS ${r.rssMiB.toFixed(0)} MiB (goal < 150)\n`);
  }
}
