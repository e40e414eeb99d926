// The service under test: compiled from src/ into bench/out/app, so that other builds of dist/ during
// the run cannot pull the files from under the processes.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, ROOT, ServiceProcess } from './processes';
import { log } from './results';
import { BenchDatabase } from './stores';
import { waitFor } from './common';

// BENCH_APP_DIR (with --no-build) runs another build of the service, e.g. a patched copy to try a fix.
export const APP_DIR = process.env.BENCH_APP_DIR ?? join(BENCH_DIR, 'out', 'app');

/**
 * Compiles src/ into `outDir` with the build's tsconfig and copies the assets nest-cli.json copies into dist/
 * (the prompts and the dashboard's page). The benchmark and the chaos run each run a build of their own.
 */
export function compileService(outDir: string): void {
  mkdirSync(outDir, { recursive: true });
  try {
    execFileSync(
      process.execPath,
      [
        require.resolve('typescript/bin/tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        outDir,
        '--tsBuildInfoFile',
        `${outDir}.tsbuildinfo`,
        '--sourceMap',
        'false',
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
  } finally {
    for (const folder of [join('ai', 'prompt'), join('dashboard', 'public')]) {
      cpSync(join(ROOT, 'src', folder), join(outDir, folder), { recursive: true });
    }
  }
}

export function buildService(): void {
  log('building the service into bench/out/app (tsc -p tsconfig.build.json)');
  try {
    compileService(APP_DIR);
  } catch {
    if (!existsSync(join(APP_DIR, 'main.js'))) throw new Error('the service did not build');
    log('warning: tsc reported errors (files being edited?); running what it emitted');
  }
}

export async function stopAll(processes: ServiceProcess[], graceMs = 10_000): Promise<void> {
  await Promise.all(processes.map((process) => process.stop(graceMs)));
}

export async function waitForDrain(db: BenchDatabase, n: number, timeoutS: number): Promise<void> {
  await waitFor(
    `${n} records processed`,
    async () => {
      const state = await db.drainState();
      return state.processed + state.failed >= n;
    },
    timeoutS * 1000,
    500,
  );
}
