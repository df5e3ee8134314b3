import { describe, expect, it } from 'vitest';
import { nodeOptionsOf, startNodeOptions } from '../../bench/targets/start-target';

describe("the Node options of npm start, as the benches give them to every target", () => {
  it('takes the options between node and the entry', () => {
    expect(nodeOptionsOf('node --max-semi-space-size=8 --heap-growing-percent=50 dist/main.js')).toEqual(['--max-semi-space-size=8', '--heap-growing-percent=50']);
    expect(nodeOptionsOf('node dist/main.js')).toEqual([]);
    expect(startNodeOptions()).toEqual(['--max-semi-space-size=8', '--heap-growing-percent=50']);
  });

  it('refuses a start script it would have to guess at', () => {
    for (const command of ['tsx src/main.ts', 'node --max-old-space-size 512 dist/main.js', 'node -r ./x dist/main.js', 'node --x dist/main.js --verbose', 'node --x', '']) {
      expect(() => nodeOptionsOf(command), command).toThrow('the start script is not');
    }
  });
});
