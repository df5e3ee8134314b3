/**
 * The build: each entry bundled with esbuild into one plain JavaScript file under dist/ (the
 * packages stay in node_modules). `npm start` and `npm run cli` run these, so production runs no
 * TypeScript loader: no transform at start, no loader hooks on each import, no source held for
 * source maps. Tests and the demo run the TypeScript through tsx.
 *
 *   node scripts/build.mjs            src/main.ts → dist/main.js, src/cli/cli.ts → dist/cli/cli.js
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

/** Bundles `entries` (paths from the repository root) under `outdir`, keeping their paths below `outbase`. */
export async function buildEntries(entries, outdir = 'dist', outbase = 'src') {
  await build({
    entryPoints: entries,
    outdir,
    outbase,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildEntries(['src/main.ts', 'src/cli/cli.ts']);
