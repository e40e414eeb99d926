import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';

/** Debian's chromium package (.ci/run installs it when it is missing); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Nothing but the page under test: no GPU, no sandbox (root), and no calls home (updates, sync, QUIC probes). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  /** A new tab; its console lines (the browser's own, such as a CORS refusal, included) are collected in `consoleLines`. */
  newPage(): Promise<{ page: Page; consoleLines: string[] }>;
  close(): Promise<void>;
}

function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is missing: ${CHROMIUM_PATH} does not exist (apt-get install -y chromium; .ci/run does it)`);
  }
}

/** Headless Chromium as Playwright's Browser: each `newContext()` gets a fresh temporary profile of its own. */
export function launchChromium(): Promise<Browser> {
  assertChromium();
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/** A folder for the screenshots a test takes (outside the repository, never committed). */
export function screenshotDirectory(label: string): string {
  return mkdtempSync(join(tmpdir(), `autoseo-${label}-`));
}

/** Headless Chromium with a profile of its own in a temporary folder, removed by close(). */
export async function launchBrowser(): Promise<TestBrowser> {
  assertChromium();
  const userDataDir = mkdtempSync(join(tmpdir(), 'autoseo-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    newPage: async () => {
      const page = await context.newPage();
      const consoleLines: string[] = [];
      page.on('console', (message) => consoleLines.push(message.text()));
      return { page, consoleLines };
    },
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export interface PageServer {
  /** http://127.0.0.1:PORT, as the browser sends it in Origin. */
  origin: string;
  close(): Promise<void>;
}

/** Serves one HTML page at every path from its own loopback origin (a port of its own), as a front end's host would. */
export async function servePage(html: string): Promise<PageServer> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
