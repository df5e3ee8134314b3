import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs `npm run bench:day` (a bench, not a timed test) at a small size: its correctness check must hold. */
function bench(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/day-bench.ts', ...args], { env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

describe('the simulated deadline day (npm run bench:day)', () => {
  it('at 30 schools and 60 contacts: every cell exported as sent, nothing twice, the nudge and the close run', async () => {
    const { code, out } = await bench(['--schools', '30', '--contacts', '60', '--concurrency', '16']);
    expect(out).toContain('filed 29 schools');
    expect(out).toMatch(/export: 30 schools, 1479 cells compared; 1 zero reports/);
    expect(out).toMatch(/nudge: 催报 2026年10月（5日）完成/);
    expect(out).toMatch(/close: 关账 2026年10月完成/);
    expect(out).not.toContain('differs:');
    expect(out).toMatch(/\nlost 0, duplicated 0 \(/);
    expect(code).toBe(0);
  }, 120_000);
});
