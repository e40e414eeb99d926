// Small helpers shared by the benchmark parts: statistics, timing, machine facts.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The q-quantile (0..1) of unsorted numbers, nearest-rank; NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return quantileSorted(sorted, q);
}

export function quantileSorted(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

export function median(values: number[]): number {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function fmt(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toFixed(digits);
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function loadAverage(): string {
  try {
    const [one, five, fifteen] = readFileSync('/proc/loadavg', 'utf8').split(' ');
    return `${one} ${five} ${fifteen}`;
  } catch {
    return 'n/a';
  }
}

export function oneMinuteLoad(): number {
  return Number(loadAverage().split(' ')[0]);
}

/** Waits (up to maxWaitMs) for the 1-minute load average to fall under `threshold`; returns the load seen last. */
export async function waitForLowLoad(threshold: number, maxWaitMs: number, log: (line: string) => void): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let load = oneMinuteLoad();
  if (load < threshold) return load;
  log(`load average ${loadAverage()} is above ${threshold}; waiting up to ${Math.round(maxWaitMs / 1000)} s for it to fall`);
  while (Date.now() < deadline) {
    await sleep(5_000);
    load = oneMinuteLoad();
    if (load < threshold) break;
  }
  log(`load average now ${loadAverage()}`);
  return load;
}

function tryRun(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'n/a';
  }
}

export interface MachineInfo {
  nproc: string;
  cpuModel: string;
  ramGiB: string;
  node: string;
  mariadb: string;
  redis: string;
  kernel: string;
  date: string;
  /** node's flags for the API and the workers (serviceNodeArgs: package.json's start:prod, work:prod); absent in older results. */
  serviceNodeArgs?: string;
}

export function machineInfo(mariadbVersion: string, redisVersion: string): MachineInfo {
  let cpuModel = cpus()[0]?.model ?? 'n/a';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('model name'));
    if (line) cpuModel = line.split(':').slice(1).join(':').trim();
  } catch {
    // keep os.cpus()
  }
  return {
    nproc: tryRun('nproc', []),
    cpuModel,
    ramGiB: (totalmem() / 1024 ** 3).toFixed(1),
    node: process.version,
    mariadb: mariadbVersion,
    redis: redisVersion,
    kernel: tryRun('uname', ['-sr']),
    date: new Date().toISOString(),
  };
}

/** Polls `check` every `everyMs` until it returns true, or throws after `timeoutMs`. */
export async function waitFor(
  description: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  everyMs = 200,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await sleep(everyMs);
  }
}
