// The fault schedule of a chaos run, drawn from its seed: two lanes that may overlap, one for the
// infrastructure (workers, Redis, MariaDB) and one for the AI, each fault after a random pause.
import { Random } from '../../test/support/fuzz';
import type { FaultKind } from './checker';

export interface PlannedFault {
  lane: 'infrastructure' | 'ai';
  kind: FaultKind;
  /** ms since the start of the run. */
  at: number;
  /** How long the service stays away (db-stop, redis-*, ai-*); 0 for a kill or a stop. */
  durationMs: number;
  /** Which worker (index among the running ones) a kill or stop hits. */
  worker: number;
}

const INFRASTRUCTURE: ReadonlyArray<readonly [number, FaultKind]> = [
  [3, 'kill-worker'],
  [2, 'term-worker'],
  [2, 'redis-restart'],
  [2, 'redis-wipe'],
  [2, 'db-stop'],
];
const AI: ReadonlyArray<readonly [number, FaultKind]> = [
  [1, 'ai-refused'],
  [1, 'ai-slow'],
  [1, 'ai-error'],
  [1, 'ai-malformed'],
];

function duration(random: Random, kind: FaultKind): number {
  if (kind === 'db-stop') return random.int(3_000, 8_000);
  if (kind === 'redis-restart' || kind === 'redis-wipe') return random.int(1_000, 4_000);
  if (kind.startsWith('ai-')) return random.int(2_000, 8_000);
  return 0;
}

/** Faults from `firstAt` until `lastAt` (ms since the start), the same for the same seed. */
export function planFaults(seed: number, firstAt: number, lastAt: number, workers: number): PlannedFault[] {
  const random = new Random(seed);
  const plan: PlannedFault[] = [];
  for (const [lane, choices, pause] of [
    ['infrastructure', INFRASTRUCTURE, [6_000, 14_000]],
    ['ai', AI, [5_000, 15_000]],
  ] as const) {
    let at = firstAt + random.int(0, pause[0]);
    while (at < lastAt) {
      const kind = random.weighted(choices);
      const durationMs = duration(random, kind);
      plan.push({ lane, kind, at, durationMs, worker: random.int(0, workers - 1) });
      at += durationMs + random.int(pause[0], pause[1]);
    }
  }
  return plan.sort((a, b) => a.at - b.at);
}
