import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';

/** Debian's chromium package (installed by .ci/run when missing); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A headless Chromium for end-to-end tests of the pages the service serves. Playwright gives it a fresh,
 * temporary profile; the flags keep it from calling home (updates, sync, QUIC), so it only talks to loopback.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A folder for the screenshots a test takes (outside the repository, never committed). */
export function screenshotDirectory(label: string): string {
  return mkdtempSync(join(tmpdir(), `autoseo-${label}-`));
}
