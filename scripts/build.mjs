/**
 * The build: each entry bundled with esbuild into one plain JavaScript file under dist/ (the
 * packages stay in node_modules). `npm start` and `npm run cli` run these, so production runs no
 * TypeScript loader: no transform at start, no loader hooks on each import, no source held for
 * source maps. Tests and the demo run the TypeScript through tsx.
 *
 *   node scripts/build.mjs            src/main.ts → dist/main.js, src/cli/cli.ts → dist/cli.js,
 *                                     src/export/xlsx-worker.ts → dist/xlsx-worker.js
 *
 * Every entry lands in dist/ itself: the bundles find the workbook thread's entry next to them.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** Bundles `entries` (paths from the repository root) into `outdir`, each named after its file. */
export async function buildEntries(entries, outdir = 'dist') {
  await build({
    entryPoints: entries.map((path) => ({ in: path, out: path.replace(/^.*\//, '').replace(/\.ts$/, '') })),
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildEntries(['src/main.ts', 'src/cli/cli.ts', 'src/export/xlsx-worker.ts']);
