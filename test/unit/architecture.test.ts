import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * What each folder of src/ may import (README, How it is built). A folder not listed here fails
 * the test until it is given its place.
 */
const MAY_IMPORT: Record<string, string[]> = {
  clock: [],
  config: [],
  log: ['config'],
  roster: [],
  targets: ['roster'],
  calendar: [],
  session: [],
  report: ['calendar', 'roster', 'targets'],
  conversation: ['calendar', 'report', 'roster', 'session', 'targets'],
  wecom: ['clock', 'conversation', 'log', 'store'],
  outbox: ['conversation', 'roster', 'wecom'],
  store: ['calendar', 'clock', 'log', 'outbox', 'report', 'roster', 'session'],
  queries: ['calendar', 'conversation', 'report', 'roster', 'session', 'store', 'targets'],
  export: ['calendar', 'conversation', 'report', 'roster', 'store', 'targets'],
  nudge: ['calendar', 'conversation', 'outbox', 'report', 'roster', 'store', 'wecom'],
  delivery: ['clock', 'log', 'outbox', 'store', 'wecom'],
  dashboard: ['calendar', 'clock', 'config', 'conversation', 'http', 'log', 'outbox', 'queries', 'report', 'roster', 'store', 'targets'],
  dispatch: ['calendar', 'clock', 'conversation', 'dashboard', 'delivery', 'export', 'log', 'nudge', 'outbox', 'queries', 'report', 'roster', 'session', 'store', 'targets', 'wecom'],
  jobs: ['calendar', 'clock', 'conversation', 'dashboard', 'delivery', 'log', 'nudge', 'outbox', 'queries', 'report', 'roster', 'store', 'targets', 'wecom'],
  http: ['clock', 'dispatch', 'log', 'wecom'],
  cli: ['calendar', 'clock', 'config', 'conversation', 'dashboard', 'delivery', 'dispatch', 'export', 'jobs', 'outbox', 'report', 'roster', 'store', 'targets', 'wecom'],
  demo: ['(root)', 'cli', 'clock', 'config', 'conversation', 'http', 'jobs', 'log', 'report', 'roster', 'store'],
};

const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));
const folderOf = (file: string) => (file.split('/').length > 2 ? file.split('/')[1]! : '(root)');

/** Each source file's imports of other source files (type-only imports count: they tie the code too). */
function graph(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of files('src')) {
    const targets = [...readFileSync(file, 'utf8').matchAll(/^import [^'\n]*from '(\.[^']+)'/gm)].map((m) => `${normalize(join(dirname(file), m[1]!))}.ts`).filter((t) => t.startsWith('src/'));
    out.set(file, targets);
  }
  return out;
}

describe('the shape of src/', () => {
  const g = graph();

  it('has no import cycle between files', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const next of g.get(file) ?? []) {
        if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].map((f) => relative('src', f)).join(' → '));
        else if (!state.has(next)) visit(next, [...path, next]);
      }
      state.set(file, 'done');
    };
    for (const file of g.keys()) if (!state.has(file)) visit(file, [file]);
    expect(cycles).toEqual([]);
  });

  it('keeps every folder to what it may import, so that no two folders import each other', () => {
    const wrong: string[] = [];
    for (const [file, targets] of g) {
      const from = folderOf(file);
      if (from === '(root)') continue; // main.ts and server.ts compose everything
      for (const target of targets) {
        const to = folderOf(target);
        if (to !== from && !(MAY_IMPORT[from] ?? []).includes(to)) wrong.push(`${relative('src', file)} → ${relative('src', target)}`);
      }
    }
    expect(wrong).toEqual([]);
    for (const [from, allowed] of Object.entries(MAY_IMPORT)) for (const to of allowed) expect(MAY_IMPORT[to]?.includes(from) ?? false, `${from} ↔ ${to}`).toBe(false);
  });

  it('keeps the conversation free of dispatch, storage, WeCom and HTTP', () => {
    for (const banned of ['dispatch', 'store', 'wecom', 'http']) expect(MAY_IMPORT.conversation).not.toContain(banned);
  });
});
