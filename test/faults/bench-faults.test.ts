import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench:faults` at a small size (the full size is a benchmark run by hand): a fault
 * table of zeros, for every fault — Redis stopped, paused, killed; a server killed; a server
 * stopped under load.
 */
describe('npm run bench:faults (small)', () => {
  it('loses nothing, applies nothing twice and puts nothing in the wrong cell, under each fault', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/faults-bench.ts', '--contacts', '4', '--answers', '8', '--outage', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const rows = out.split('\n').filter((l) => /^(none|Redis|one server)/.test(l));
    expect(rows.map((r) => r.replace(/\s{2,}.*$/, ''))).toEqual(['none', 'Redis SHUTDOWN NOSAVE for 2 s', 'Redis paused (SIGSTOP) 2.4 s', 'Redis SIGKILL, restarted', 'one server SIGKILL, restarted', 'one server SIGTERM under load, restarted']);
    for (const row of rows) {
      // answered, lost, twice, wrong cell
      const [answered, lost, twice, wrong] = row.slice(44).trim().split(/\s+/).map(Number);
      expect([answered, lost, twice, wrong], row).toEqual([32, 0, 0, 0]);
    }
    expect(out).toContain('all faults: nothing lost, nothing applied twice, nothing in the wrong cell');
    expect(code).toBe(0);
  }, 180_000);
});
