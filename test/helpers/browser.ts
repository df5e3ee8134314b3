import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core (no browser download). Locally the browser tests
 * skip, saying so, when no Chromium is installed; in CI a missing Chromium is a failure.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));

export const chromiumPath: string | null = CANDIDATES.find((p) => existsSync(p)) ?? null;

const inCi = Boolean(process.env.CI);

/** Why the browser tests do not run here, or null when they do. */
export const browserSkipReason: string | null =
  chromiumPath || inCi ? null : 'browser tests skipped: no Chromium found (install it with `apt-get install chromium`, or set CHROMIUM_PATH)';

if (browserSkipReason) process.stderr.write(`\n${browserSkipReason}\n`);

export interface TestBrowser {
  /** One browser profile, fresh for the run; pages a link opens in a new tab belong to it too. */
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<TestBrowser> {
  if (!chromiumPath) throw new Error('Chromium not found at /usr/bin/chromium: CI must install it (apt-get install chromium)');
  const profile = mkdtempSync(join(tmpdir(), 'yb-chromium-'));
  // A fresh, empty profile (--user-data-dir) for each run.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
    // The machine's network is closed: without these, Chromium keeps trying to reach Google's hosts.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
