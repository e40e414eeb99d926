// The invariants of a chaos run (issue 15), checked over the whole history of the run and the rows
// left at its end. Pure: no I/O, so test/unit/chaos-checker.spec.ts can feed it made-up histories.
import { createHash } from 'node:crypto';

export type FaultKind =
  'kill-worker' | 'term-worker' | 'redis-restart' | 'redis-wipe' | 'db-stop' | 'ai-refused' | 'ai-slow' | 'ai-error' | 'ai-malformed';

/** A fault as it really happened (times in ms since the start of the run). */
export interface FaultEvent {
  kind: FaultKind;
  start: number;
  end: number;
  detail?: string;
  /** kill-worker, term-worker: the number of the worker it hit (the `?worker=N` its AI calls carry). */
  worker?: number;
}

export type ApiOperation = 'create' | 'patch' | 'reprocess' | 'delete';

/** One request of the load and its answer; `status` 0 means no answer at all (connection error, timeout). */
export interface ApiCall {
  op: ApiOperation;
  at: number;
  end: number;
  status: number;
  /** The record (create: the id its 201 named). */
  id?: number;
  /** create and patch: the company_context sent. */
  original?: string;
}

/** What the fake AI did with one call. `fault` is what it was told to do to it. */
export interface AiCall {
  n: number;
  at: number;
  digest: string;
  /** cut: in flight when the AI began refusing connections (its connection was dropped). */
  fault: 'none' | 'slow' | 'error' | 'malformed' | 'cut';
  /** answered; disconnected: the client went away first (timeout, killed worker). */
  outcome: 'answered' | 'disconnected' | 'hung up' | 'pending';
  /** The worker that made the call (its number), when known. */
  worker?: number;
  /** When the outcome was settled (answer sent, connection gone); undefined while pending. */
  end?: number;
}

export interface FinalRow {
  id: number;
  context_status: string;
  company_context: string;
  company_context_original: string;
}

export interface History {
  faults: FaultEvent[];
  api: ApiCall[];
  ai: AiCall[];
}

export interface CheckOptions {
  /** How long after the database is back the API may still answer 503, and must answer again by. */
  databaseGraceMs: number;
  /** How long after a Redis restart a job it took from a worker may come back (reconcile, stalled check) and call again. */
  disruptionWindowMs: number;
  /** How long an attempt may hold its job before its AI call (the run's JOB_TIMEOUT_MS bounds a whole attempt). */
  jobTimeoutMs: number;
  /**
   * How long after its AI answer a worker may still hold the claim to write the result (the database up).
   * Milliseconds on an idle machine; seconds on a loaded one (the short run of `npm test` saw 2 s).
   */
  writeMs: number;
}

export const DEFAULT_CHECK_OPTIONS: CheckOptions = {
  databaseGraceMs: 15_000,
  disruptionWindowMs: 20_000,
  jobTimeoutMs: 20_000,
  writeMs: 5_000,
};

export interface InvariantResult {
  name: string;
  /** What was checked, e.g. "412 records". */
  checked: string;
  violations: string[];
  notes: string[];
}

export interface Recovery {
  fault: FaultEvent;
  /** From the fault's end to the next AI call (the queue moving); null when none followed. */
  queueMovingMs: number | null;
}

export interface CheckReport {
  invariants: InvariantResult[];
  recoveries: Recovery[];
  ok: boolean;
}

/** The digest the fake AI writes into each answer ("Referencia de la versión: …"): sha256 of the trimmed original. */
export function digestOf(original: string): string {
  return createHash('sha256').update(original.trim()).digest('hex').slice(0, 8);
}

/** The call number the chaos fake appends to each answer, e.g. "(llamada 17)". */
export const CALL_MARK = /\(llamada (\d+)\)/;
const DIGEST_MARK = /Referencia de la versión: ([0-9a-f]{8})/;

/**
 * The SIGKILL that cut the attempt of this AI call, if one did: a kill of the worker that made the call,
 * after the call began, while the call was in flight (its connection dropped by the kill, or its answer sent
 * to the dying process) or while the worker held the answer and the claim to write it (within `writeMs` of
 * the answer, or longer while the
 * database was down and the write waited for it). A kill of another worker, or long after, explains nothing.
 */
export function killThatCut(call: AiCall, faults: FaultEvent[], options: CheckOptions = DEFAULT_CHECK_OPTIONS): FaultEvent | undefined {
  if (call.worker === undefined) return undefined;
  const waitedForDatabase = (from: number, to: number) =>
    faults.some((fault) => fault.kind === 'db-stop' && fault.start <= to && fault.end >= from - options.writeMs);
  return faults.find((kill) => {
    if (kill.kind !== 'kill-worker' || kill.worker !== call.worker || kill.start < call.at) return false;
    if (call.outcome === 'pending') return true;
    if (call.end === undefined) return false;
    if (call.outcome === 'disconnected' || call.outcome === 'hung up') return call.end >= kill.start;
    // Answered: the kill came before the worker could write the answer. An answer sent just after the signal
    // (end > kill.start) went to a dying process.
    return kill.start - call.end <= options.writeMs || waitedForDatabase(call.end, kill.start);
  });
}

/**
 * A Redis restart (with or without its data) that may have taken the job of `previous`'s attempt from its
 * worker, so the job ran again and made `call`: it began while that attempt could hold the job (at most
 * `jobTimeoutMs` before the earlier call, at the latest `writeMs` after its answer) and was over before
 * the repeat, which came within `disruptionWindowMs` of Redis being back.
 */
function redisFaultThatRequeued(previous: AiCall, call: AiCall, faults: FaultEvent[], options: CheckOptions): FaultEvent | undefined {
  const heldUntil = (previous.end ?? previous.at) + options.writeMs;
  return faults.find(
    (fault) =>
      (fault.kind === 'redis-restart' || fault.kind === 'redis-wipe') &&
      fault.start >= previous.at - options.jobTimeoutMs &&
      fault.start <= heldUntil &&
      fault.end <= call.at &&
      call.at - fault.end <= options.disruptionWindowMs,
  );
}

/** A database stop the earlier call's answer waited for (it came back while the database was down, or just before). */
function databaseStopAfterAnswer(previous: AiCall, faults: FaultEvent[], options: CheckOptions): FaultEvent | undefined {
  if (previous.end === undefined) return undefined;
  const end = previous.end;
  return faults.find((fault) => fault.kind === 'db-stop' && fault.start - options.writeMs <= end && end <= fault.end);
}
const EXPECTED_STATUS: Record<ApiOperation, number> = { create: 201, patch: 200, reprocess: 202, delete: 204 };

/** What the load knows about one record: its acknowledged originals, in order, and whether it was deleted. */
interface RecordStory {
  id: number;
  createdAt: number;
  /** Originals the API acknowledged (201/200), in order. */
  acknowledged: { at: number; original: string }[];
  /** Originals sent without a clear answer (no answer or 5xx): may or may not have been stored. */
  uncertain: string[];
  /** When the record last got a new original or a reprocess (acknowledged). */
  lastChangeAt: number;
  deleted: 'yes' | 'maybe' | 'no';
  reprocessedAt: number[];
}

function stories(api: ApiCall[]): Map<number, RecordStory> {
  const result = new Map<number, RecordStory>();
  for (const call of [...api].sort((a, b) => a.at - b.at)) {
    if (call.op === 'create') {
      if (call.status === 201 && call.id !== undefined && call.original !== undefined) {
        result.set(call.id, {
          id: call.id,
          createdAt: call.at,
          acknowledged: [{ at: call.at, original: call.original }],
          uncertain: [],
          lastChangeAt: call.at,
          deleted: 'no',
          reprocessedAt: [],
        });
      }
      continue;
    }
    const story = call.id === undefined ? undefined : result.get(call.id);
    if (!story) continue;
    const ok = call.status === EXPECTED_STATUS[call.op];
    const unclear = call.status === 0 || (call.status >= 500 && call.status !== 503);
    if (call.op === 'patch' && call.original !== undefined) {
      if (ok) {
        story.acknowledged.push({ at: call.at, original: call.original });
        story.lastChangeAt = call.at;
      } else if (unclear) story.uncertain.push(call.original);
    } else if (call.op === 'reprocess' && ok) {
      story.lastChangeAt = call.at;
      story.reprocessedAt.push(call.at);
    } else if (call.op === 'delete') {
      if (ok) story.deleted = 'yes';
      else if (unclear && story.deleted === 'no') story.deleted = 'maybe';
    }
  }
  return result;
}

function describeCalls(calls: AiCall[]): string {
  if (calls.length === 0) return 'no AI call';
  return calls
    .map(
      (call) =>
        `#${call.n} at ${seconds(call.at)} ${call.fault}/${call.outcome}${call.worker === undefined ? '' : ` (worker ${call.worker})`}`,
    )
    .join(', ');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

function faultsAround(faults: FaultEvent[], from: number, to: number): FaultEvent[] {
  return faults.filter((fault) => fault.start <= to && fault.end >= from);
}

function describeFaults(faults: FaultEvent[]): string {
  return faults.length === 0
    ? 'no fault around'
    : faults
        .map(
          (fault) =>
            `${fault.kind} ${seconds(fault.start)}–${seconds(fault.end)}${fault.worker === undefined ? '' : ` (worker ${fault.worker})`}`,
        )
        .join(', ');
}

/** Runs every invariant; `ok` is false when any of them has a violation. */
export function checkRun(history: History, rows: FinalRow[], options: CheckOptions = DEFAULT_CHECK_OPTIONS): CheckReport {
  const records = stories(history.api);
  const rowsById = new Map(rows.map((row) => [row.id, row]));
  const callsByDigest = new Map<string, AiCall[]>();
  for (const call of [...history.ai].sort((a, b) => a.at - b.at)) {
    callsByDigest.set(call.digest, [...(callsByDigest.get(call.digest) ?? []), call]);
  }
  const callsByNumber = new Map(history.ai.map((call) => [call.n, call]));
  const aroundRecord = (id: number, from: number, to: number) =>
    describeFaults(faultsAround(history.faults, from - options.disruptionWindowMs, to + options.disruptionWindowMs));

  // 1. Every 201 names a record that exists, unless the run deleted it.
  const exists: InvariantResult = {
    name: '1. every 201 names a record that exists (unless deleted)',
    checked: '',
    violations: [],
    notes: [],
  };
  let deleted = 0;
  for (const story of records.values()) {
    const row = rowsById.get(story.id);
    if (story.deleted === 'yes') {
      deleted += 1;
      if (row) exists.violations.push(`record ${story.id}: its DELETE answered 204 but the row is still there`);
    } else if (!row && story.deleted === 'no') {
      exists.violations.push(
        `record ${story.id}: created (201 at ${seconds(story.createdAt)}) and never deleted, but missing; ` +
          aroundRecord(story.id, story.createdAt, story.createdAt),
      );
    }
  }
  exists.checked = `${records.size} records answered 201, ${deleted} deleted by the load`;

  // 2. Every surviving record ends processed, or failed only where every attempt met an injected AI fault.
  const ends: InvariantResult = {
    name: '2. every surviving record ends processed (or failed by injected faults only)',
    checked: '',
    violations: [],
    notes: [],
  };
  let processed = 0;
  let excusedFailures = 0;
  let killedAttempts = 0;
  for (const story of records.values()) {
    const row = rowsById.get(story.id);
    if (!row) continue;
    if (row.context_status === 'processed') {
      processed += 1;
      continue;
    }
    const calls = (callsByDigest.get(digestOf(row.company_context_original)) ?? []).filter((call) => call.at >= story.lastChangeAt);
    const cut = calls.filter((call) => call.fault === 'none' && killThatCut(call, history.faults, options));
    if (row.context_status === 'failed' && calls.length > 0 && calls.every((call) => call.fault !== 'none' || cut.includes(call))) {
      excusedFailures += 1;
      if (cut.length > 0) killedAttempts += 1;
      continue;
    }
    ends.violations.push(
      `record ${story.id}: ends ${row.context_status}; calls for its original since its last change: ${describeCalls(calls)}; ` +
        aroundRecord(story.id, story.lastChangeAt, calls.at(-1)?.at ?? story.lastChangeAt),
    );
  }
  ends.checked = `${rows.length} rows: ${processed} processed, ${excusedFailures} failed after injected faults on every attempt`;
  if (excusedFailures > 0) {
    ends.notes.push(
      `${excusedFailures} records failed with every attempt on an injected fault (allowed)` +
        (killedAttempts > 0 ? `, ${killedAttempts} of them with an attempt cut by a SIGKILLed worker` : ''),
    );
  }

  // 3. Every processed description comes from the record's latest original, through a call that answered it.
  const latest: InvariantResult = {
    name: '3. every processed description comes from the latest original',
    checked: '',
    violations: [],
    notes: [],
  };
  let traced = 0;
  for (const row of rows) {
    if (row.context_status !== 'processed') continue;
    const story = records.get(row.id);
    const label = `record ${row.id}`;
    if (story) {
      const last = story.acknowledged.at(-1)?.original;
      const allowed = [last, ...story.uncertain];
      if (!allowed.includes(row.company_context_original)) {
        latest.violations.push(`${label}: its stored original is not the latest one the API acknowledged`);
        continue;
      }
    }
    const wanted = digestOf(row.company_context_original);
    const found = DIGEST_MARK.exec(row.company_context)?.[1];
    const callNumber = Number(CALL_MARK.exec(row.company_context)?.[1]);
    const call = callsByNumber.get(callNumber);
    if (found !== wanted) {
      const earlier = story?.acknowledged.find((entry) => digestOf(entry.original) === found);
      latest.violations.push(
        `${label}: description from ${earlier ? 'an earlier' : 'an unknown'} original (${found ?? 'no digest'}), latest is ${wanted}`,
      );
    } else if (!call || call.digest !== wanted || call.fault !== 'none') {
      latest.violations.push(
        `${label}: description names AI call ${Number.isNaN(callNumber) ? '(none)' : `#${callNumber}`}, which did not answer this original`,
      );
    } else traced += 1;
  }
  latest.checked = `${traced} processed descriptions traced to one good AI call of their latest original`;

  // 4. AI calls per original: every call beyond the first is explained by a fault or a reprocess.
  const calls: InvariantResult = { name: '4. AI calls per original: every extra call explained', checked: '', violations: [], notes: [] };
  const reprocessTimes = new Map<string, number[]>();
  for (const story of records.values()) {
    for (const entry of story.acknowledged) {
      const digest = digestOf(entry.original);
      reprocessTimes.set(digest, [...(reprocessTimes.get(digest) ?? []), ...story.reprocessedAt]);
    }
  }
  const explained: Record<string, number> = {};
  const count = (reason: string) => (explained[reason] = (explained[reason] ?? 0) + 1);
  let extra = 0;
  for (const [digest, list] of callsByDigest) {
    for (let index = 1; index < list.length; index += 1) {
      extra += 1;
      const call = list[index];
      const previous = list[index - 1];
      if (previous.fault !== 'none') {
        count(`retry after an injected AI ${previous.fault}`);
        continue;
      }
      if ((reprocessTimes.get(digest) ?? []).some((at) => at >= previous.at - 1_000 && at <= call.at)) {
        count('reprocess asked for by the load');
        continue;
      }
      // The earlier call's attempt was cut: its worker killed during the call or before it wrote the answer;
      // Redis restarted while the attempt held its job (the reconciler or the stalled check queued it again);
      // or the answer waited for a stopped database.
      const killed = killThatCut(previous, history.faults, options);
      // The job runs again only once its worker is gone (Bull's stalled check after QUEUE_STALLED_MS).
      if (killed && call.at >= killed.start) {
        count("kill-worker cut the earlier call's attempt");
        continue;
      }
      const redis = redisFaultThatRequeued(previous, call, history.faults, options);
      if (redis) {
        count(`${redis.kind} while the earlier call's attempt held its job`);
        continue;
      }
      if (databaseStopAfterAnswer(previous, history.faults, options)) {
        count('db-stop while the earlier answer waited to be written');
        continue;
      }
      calls.violations.push(
        `original ${digest}: call #${call.n} at ${seconds(call.at)} repeats #${previous.n} ` +
          `(${previous.fault}/${previous.outcome}, ${seconds(previous.at)}–${previous.end === undefined ? '?' : seconds(previous.end)}) ` +
          `with no fault or reprocess that explains it (earlier call on worker ${previous.worker ?? '?'}, ` +
          `repeat on worker ${call.worker ?? '?'}; ${describeFaults(faultsAround(history.faults, previous.at - options.jobTimeoutMs, call.at))})`,
      );
    }
  }
  calls.checked = `${history.ai.length} AI calls for ${callsByDigest.size} originals, ${extra} beyond the first`;
  for (const [reason, n] of Object.entries(explained).sort((a, b) => b[1] - a[1])) calls.notes.push(`${n} × ${reason}`);

  // 5. The API never answered 5xx other than 503 while the database was down, and answered again soon after.
  const api: InvariantResult = {
    name: '5. the API answered as documented (503 only while the database was down)',
    checked: '',
    violations: [],
    notes: [],
  };
  const dbStops = history.faults.filter((fault) => fault.kind === 'db-stop');
  const duringStop = (at: number, end: number) => dbStops.some((stop) => at <= stop.end + options.databaseGraceMs && end >= stop.start);
  for (const call of history.api) {
    if (call.status === EXPECTED_STATUS[call.op]) continue;
    const what = `${call.op}${call.id === undefined ? '' : ` of record ${call.id}`} at ${seconds(call.at)}`;
    if (call.status === 503 && duringStop(call.at, call.end)) continue;
    if (call.status === 0) api.violations.push(`${what}: no answer`);
    else
      api.violations.push(
        `${what}: answered ${call.status}; ${describeFaults(faultsAround(history.faults, call.at - 2_000, call.end + 2_000))}`,
      );
  }
  for (const stop of dbStops) {
    const next = history.api
      .filter((call) => call.at >= stop.end && call.status === EXPECTED_STATUS[call.op])
      .sort((a, b) => a.end - b.end)[0];
    const later = history.api.some((call) => call.at >= stop.end + options.databaseGraceMs);
    if (!next) {
      if (later) api.violations.push(`database back at ${seconds(stop.end)}: the API never answered successfully again`);
      continue;
    }
    const ms = next.end - stop.end;
    api.notes.push(`database back at ${seconds(stop.end)}: API answering again after ${(ms / 1000).toFixed(1)} s`);
    if (ms > options.databaseGraceMs)
      api.violations.push(`database back at ${seconds(stop.end)}: the API took ${(ms / 1000).toFixed(1)} s to answer again`);
  }
  const served = history.api.filter((call) => call.status === 503).length;
  api.checked = `${history.api.length} requests, ${served} answered 503 while the database was down`;

  const recoveries = history.faults.map((fault) => {
    const next = history.ai.filter((call) => call.at >= fault.end).sort((a, b) => a.at - b.at)[0];
    return { fault, queueMovingMs: next ? next.at - fault.end : null };
  });
  const invariants = [exists, ends, latest, calls, api];
  return { invariants, recoveries, ok: invariants.every((result) => result.violations.length === 0) };
}

/** The report as Markdown lines (printed and written to docs/CHAOS.md). */
export function formatReport(report: CheckReport): string[] {
  const lines: string[] = [];
  for (const result of report.invariants) {
    lines.push(`- ${result.violations.length === 0 ? 'PASS' : `FAIL (${result.violations.length})`} ${result.name}: ${result.checked}`);
    for (const note of result.notes) lines.push(`  - ${note}`);
    for (const violation of result.violations.slice(0, 20)) lines.push(`  - VIOLATION ${violation}`);
    if (result.violations.length > 20) lines.push(`  - … and ${result.violations.length - 20} more`);
  }
  lines.push('', '| fault | at | lasted | queue moving again after |', '|---|---|---|---|');
  for (const { fault, queueMovingMs } of report.recoveries) {
    const moving = queueMovingMs === null ? 'no AI call followed' : `${(queueMovingMs / 1000).toFixed(1)} s`;
    lines.push(
      `| ${fault.kind}${fault.detail ? ` (${fault.detail})` : ''} | ${seconds(fault.start)} | ` +
        `${seconds(fault.end - fault.start)} | ${moving} |`,
    );
  }
  return lines;
}
