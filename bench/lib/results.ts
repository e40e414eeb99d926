// What a run measures (one field per figure of RESULTS.md), the context every part shares, and saving both.
import { readFileSync, writeFileSync } from 'node:fs';
import { MachineInfo } from './common';
import { Options } from './options';
import { FakeAiProcess } from './processes';
import { MysqlBench, RedisBench } from './stores';

export const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

export interface LatencyRun {
  load: string;
  postP50: number;
  postP99: number;
  liveP50: number;
  liveP99: number;
  posts: number;
  achievedRate: number;
  non2xx: number;
  errors: number;
}

export interface MemoryRun {
  part: string;
  load: string;
  apiMiB: number;
  workerMiB: number;
}

export interface Results {
  machine: MachineInfo;
  latency: Map<number, { runs: LatencyRun[]; post: number[]; live: number[] }>;
  latencyNotes: string[];
  capacity: { rate: number; p50: number; p99: number; load: string; apiMiB?: number }[];
  /**
   * jobs/s drained: ours, the same work by hand on bare Bull (absent in runs saved before it existed), a bare no-op;
   * the CPU ms per job of our worker process and of the hand-written one; our worker's peak RSS (MiB).
   */
  overhead: Map<
    number,
    { ours: number; hand?: number; bare: number; load: string; oursCpuMs?: number; handCpuMs?: number; workerMiB?: number }[]
  >;
  overheadNotes: string[];
  utilisation: Map<string, { total: number; runs: { rate: number; limit: number; maxInFlight: number; calls: number; load: string }[] }>;
  memory: MemoryRun[];
  driver: Map<string, { rate: number; load: string }[]>;
  profile: string[];
  explain: { step: string; n: number; p50: number; mean: number }[];
  explainLoad?: string;
  started: Date;
  loadAtStart: string;
}

export interface Context {
  mysql: MysqlBench;
  redis: RedisBench;
  fake: FakeAiProcess;
  notes: string[];
  resetStores(): Promise<void>;
}

const MAP_FIELDS = ['latency', 'overhead', 'utilisation', 'driver'] as const;

export function saveResults(file: string, options: Options, results: Results): void {
  const plain: Record<string, unknown> = { ...results };
  for (const field of MAP_FIELDS) plain[field] = [...results[field]];
  const { parts, ...rest } = options;
  writeFileSync(file, JSON.stringify({ options: { ...rest, parts: [...parts] }, results: plain }));
}

export function loadResults(file: string): { options: Options; results: Results } {
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  const results = saved.results;
  for (const field of MAP_FIELDS) results[field] = new Map(results[field]);
  return { options: { ...saved.options, parts: new Set(saved.options.parts) }, results };
}
