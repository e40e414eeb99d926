import { AiCall, ApiCall, checkRun, digestOf, FaultEvent, FinalRow, History, killThatCut } from '../../scripts/chaos/checker';
import { planFaults } from '../../scripts/chaos/schedule';
import { expectedTextFor } from '../support/fake-ai-answers';

// A small history the chaos run could have recorded: record 1 created and processed, record 2 created,
// edited and processed from its edit, record 3 created and deleted. Each test breaks one thing.
const A = 'Empresa A fabrica muebles de madera maciza en Valencia desde 1980 y los vende en toda España.';
const B1 = 'Empresa B ofrece servicios de limpieza industrial para naves, oficinas y comunidades de vecinos.';
const B2 = 'Empresa B, ahora también jardinería: limpieza industrial y mantenimiento de zonas verdes.';
const C = 'Empresa C organiza rutas guiadas por la sierra de Gredos para grupos y colegios todo el año.';

const answer = (original: string, call: number) => `${expectedTextFor(original)} (llamada ${call})`;
// Each call takes 200 ms and is made by worker 1 unless the test says otherwise.
const aiCall = (
  n: number,
  at: number,
  original: string,
  fault: AiCall['fault'] = 'none',
  outcome: AiCall['outcome'] = 'answered',
  worker = 1,
): AiCall => ({
  n,
  at,
  end: at + 200,
  digest: digestOf(original),
  fault,
  outcome,
  worker,
});
const kill = (worker: number, start: number): FaultEvent => ({ kind: 'kill-worker', start, end: start + 2_000, worker });

function goodRun(): { history: History; rows: FinalRow[] } {
  const api: ApiCall[] = [
    { op: 'create', at: 1_000, end: 1_050, status: 201, id: 1, original: A },
    { op: 'create', at: 2_000, end: 2_050, status: 201, id: 2, original: B1 },
    { op: 'patch', at: 2_500, end: 2_550, status: 200, id: 2, original: B2 },
    { op: 'create', at: 3_000, end: 3_050, status: 201, id: 3, original: C },
    { op: 'delete', at: 3_200, end: 3_250, status: 204, id: 3 },
  ];
  const ai = [aiCall(1, 1_100, A), aiCall(2, 2_100, B1), aiCall(3, 2_600, B2), aiCall(4, 3_100, C, 'none', 'disconnected')];
  const faults: FaultEvent[] = [{ kind: 'kill-worker', start: 30_000, end: 30_400, detail: 'worker 1', worker: 1 }];
  const rows: FinalRow[] = [
    { id: 1, context_status: 'processed', company_context: answer(A, 1), company_context_original: A },
    { id: 2, context_status: 'processed', company_context: answer(B2, 3), company_context_original: B2 },
  ];
  return { history: { faults, api, ai }, rows };
}

function failing(history: History, rows: FinalRow[]): Record<string, string[]> {
  const report = checkRun(history, rows);
  return Object.fromEntries(
    report.invariants.filter((result) => result.violations.length > 0).map((result) => [result.name.slice(0, 2), result.violations]),
  );
}

describe('the chaos run checker', () => {
  it('passes a run where every invariant holds', () => {
    const { history, rows } = goodRun();
    const report = checkRun(history, rows);
    expect(report.invariants.flatMap((result) => result.violations)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.recoveries).toEqual([{ fault: history.faults[0], queueMovingMs: null }]);
  });

  it('finds a record that answered 201 and is gone (1)', () => {
    const { history, rows } = goodRun();
    expect(failing(history, rows.slice(1))).toEqual({ '1.': [expect.stringContaining('record 1: created')] });
  });

  it('finds a record still there after its DELETE answered 204 (1)', () => {
    const { history, rows } = goodRun();
    const kept: FinalRow = { id: 3, context_status: 'processed', company_context: answer(C, 4), company_context_original: C };
    expect(failing(history, [...rows, kept])['1.']).toEqual([expect.stringContaining('record 3: its DELETE answered 204')]);
  });

  it('finds a record left pending, and one failed with a good AI answer among its attempts (2)', () => {
    const { history, rows } = goodRun();
    rows[0] = { ...rows[0], context_status: 'pending', company_context: A };
    rows[1] = { ...rows[1], context_status: 'failed', company_context: B2 };
    const found = failing(history, rows)['2.'];
    expect(found).toEqual([expect.stringContaining('record 1: ends pending'), expect.stringContaining('record 2: ends failed')]);
  });

  it('accepts a failed record whose every attempt met an injected AI fault (2)', () => {
    const { history, rows } = goodRun();
    history.ai = history.ai.filter((call) => call.n !== 3);
    history.ai.push(aiCall(5, 2_600, B2, 'error'), aiCall(6, 3_600, B2, 'slow', 'disconnected'), aiCall(7, 5_600, B2, 'malformed'));
    rows[1] = { ...rows[1], context_status: 'failed', company_context: B2 };
    const report = checkRun(history, rows);
    expect(report.ok).toBe(true);
    expect(report.invariants[1].notes).toEqual([expect.stringContaining('1 records failed')]);
  });

  // QUEUE_TRIES counts an attempt cut by a SIGKILLed worker (a job that kills its worker every time must end).
  it('accepts a failed record whose one good call was cut by a kill of its own worker, and no other kill (2)', () => {
    const { history, rows } = goodRun();
    history.ai = history.ai.filter((call) => call.n !== 3);
    // Attempt 1 on worker 2: in flight when worker 2 was SIGKILLed; then two attempts on injected AI faults.
    history.ai.push(
      { ...aiCall(5, 2_600, B2, 'none', 'disconnected', 2), end: 2_700 },
      aiCall(6, 6_000, B2, 'error', 'answered', 3),
      aiCall(7, 7_000, B2, 'malformed', 'answered', 3),
    );
    rows[1] = { ...rows[1], context_status: 'failed', company_context: B2 };
    // Unexplained, the cut call fails invariant 2 (a failed record with a good call) and 4 (the call after it).
    const unexplained = {
      '2.': [expect.stringContaining('record 2: ends failed; calls for its original since its last change: #5')],
      '4.': [expect.stringContaining('call #6 at 6.0s repeats #5 (none/disconnected, 2.6s–2.7s)')],
    };

    // No kill; a kill of another worker at that moment; a kill of worker 2 after the call was over; one before it began.
    expect(failing(history, rows)).toEqual(unexplained);
    history.faults.push(kill(1, 2_700), kill(2, 2_750), kill(2, 2_500));
    expect(failing(history, rows)).toEqual(unexplained);

    history.faults.push(kill(2, 2_690));
    const report = checkRun(history, rows);
    expect(report.ok).toBe(true);
    expect(report.invariants[1].notes).toEqual([
      '1 records failed with every attempt on an injected fault (allowed), 1 of them with an attempt cut by a SIGKILLed worker',
    ]);
  });

  it('counts a kill as cutting an attempt that held an answer only until the answer could be written', () => {
    const answered = aiCall(5, 10_000, B2, 'none', 'answered', 2); // answered at 10.2 s
    expect(killThatCut(answered, [kill(2, 12_500)])).toEqual(kill(2, 12_500));
    // Seed 2: the answer went out 0.1 s after the SIGKILL, to the dying worker.
    expect(killThatCut(answered, [kill(2, 10_100)])).toEqual(kill(2, 10_100));
    expect(killThatCut(answered, [kill(2, 9_900)])).toBeUndefined();
    expect(killThatCut(answered, [kill(2, 16_000)])).toBeUndefined();
    // While the database was down the worker kept the answer and its claim, waiting to write.
    const stop: FaultEvent = { kind: 'db-stop', start: 10_500, end: 17_000 };
    expect(killThatCut(answered, [stop, kill(2, 16_000)])).toEqual(kill(2, 16_000));
    expect(killThatCut({ ...answered, worker: undefined }, [kill(2, 11_000)])).toBeUndefined();
  });

  it('finds a description written from an earlier original (3)', () => {
    const { history, rows } = goodRun();
    rows[1] = { ...rows[1], company_context: answer(B1, 2) };
    expect(failing(history, rows)).toEqual({ '3.': [expect.stringContaining('record 2: description from an earlier original')] });
  });

  it('finds a description naming a call that did not answer it (3)', () => {
    const { history, rows } = goodRun();
    rows[0] = { ...rows[0], company_context: answer(A, 2) };
    expect(failing(history, rows)).toEqual({ '3.': [expect.stringContaining('record 1: description names AI call #2')] });
  });

  it('finds an original answered twice with no fault or reprocess near the first call (4)', () => {
    const { history, rows } = goodRun();
    history.ai.push(aiCall(5, 60_000, A));
    expect(failing(history, rows)).toEqual({ '4.': [expect.stringContaining('call #5 at 60.0s repeats #1')] });
  });

  it('explains a repeat by a kill only when it cut the earlier call on the worker that made it (4)', () => {
    const { history, rows } = goodRun();
    history.ai[0] = { ...aiCall(1, 1_100, A, 'none', 'disconnected', 2), end: 1_250 };
    history.ai.push(aiCall(5, 6_000, A, 'none', 'answered', 3));
    rows[0] = { ...rows[0], company_context: answer(A, 5) };

    // Worker 1 killed while worker 2 was calling: no explanation.
    history.faults.push(kill(1, 1_200));
    expect(failing(history, rows)).toEqual({ '4.': [expect.stringContaining('call #5 at 6.0s repeats #1')] });

    // Worker 2 killed after the call had already gone away: no explanation either.
    history.faults.push(kill(2, 1_300));
    expect(failing(history, rows)).toEqual({ '4.': [expect.stringContaining('call #5 at 6.0s repeats #1')] });

    // Worker 2 killed after its answer, before it could write it, but the repeat came first: not from that kill.
    const answeredRun = goodRun();
    answeredRun.history.ai[0] = aiCall(1, 1_100, A, 'none', 'answered', 2);
    answeredRun.history.ai.push(aiCall(5, 1_500, A, 'none', 'answered', 3));
    answeredRun.history.faults.push(kill(2, 2_000));
    expect(failing(answeredRun.history, answeredRun.rows)).toEqual({ '4.': [expect.stringContaining('call #5 at 1.5s repeats #1')] });

    // Worker 2 killed during its call (the connection dropped then): explained.
    history.faults.push(kill(2, 1_250));
    const report = checkRun(history, rows);
    expect(report.ok).toBe(true);
    expect(report.invariants[3].notes).toEqual(["1 × kill-worker cut the earlier call's attempt"]);
  });

  it('explains a repeat by a Redis restart only while the earlier attempt could hold its job, before the repeat (4)', () => {
    const { history, rows } = goodRun();
    // As in seed 3: a worker waits for the AI through an outage; Redis loses the job meanwhile; the reconciler
    // queues it again and another worker calls too, 0.1 s after the first.
    history.ai[0] = aiCall(1, 9_000, A, 'none', 'answered', 1);
    history.ai.push(aiCall(5, 9_100, A, 'none', 'answered', 2));
    rows[0] = { ...rows[0], company_context: answer(A, 1) };
    const repeated = { '4.': [expect.stringContaining('call #5 at 9.1s repeats #1')] };

    const tooEarly = { kind: 'redis-wipe' as const, start: 9_000 - 25_000, end: 9_000 - 24_000 };
    const afterTheAnswer = { kind: 'redis-wipe' as const, start: 9_000 + 200 + 2_500, end: 9_000 + 4_000 };
    history.faults.push(tooEarly, afterTheAnswer);
    expect(failing(history, rows)).toEqual(repeated);

    // Over only after the repeat began: the repeat cannot come from a job queued again after it.
    history.faults.push({ kind: 'redis-restart', start: 8_000, end: 9_500 });
    expect(failing(history, rows)).toEqual(repeated);

    history.faults.push({ kind: 'redis-wipe', start: 5_000, end: 6_200 });
    const report = checkRun(history, rows);
    expect(report.ok).toBe(true);
    expect(report.invariants[3].notes).toEqual(["1 × redis-wipe while the earlier call's attempt held its job"]);
  });

  it('does not explain a repeat by a worker stopped with SIGTERM (it finishes its jobs) (4)', () => {
    const { history, rows } = goodRun();
    history.ai.push(aiCall(5, 3_000, A));
    history.faults.push({ kind: 'term-worker', start: 1_000, end: 2_500, worker: 1 });
    expect(failing(history, rows)).toEqual({ '4.': [expect.stringContaining('call #5 at 3.0s repeats #1')] });
  });

  it('accepts a repeated call after one cut by an AI outage (4)', () => {
    const { history, rows } = goodRun();
    history.ai[0] = aiCall(1, 1_100, A, 'cut', 'disconnected');
    history.ai.push(aiCall(5, 5_000, A));
    rows[0] = { ...rows[0], company_context: answer(A, 5) };
    const report = checkRun(history, rows);
    expect(report.ok).toBe(true);
    expect(report.invariants[3].notes).toEqual(['1 × retry after an injected AI cut']);
  });

  it('accepts a repeated call after a reprocess (4)', () => {
    const { history, rows } = goodRun();
    history.ai.push(aiCall(5, 60_000, A));
    history.api.push({ op: 'reprocess', at: 59_000, end: 59_050, status: 202, id: 1 });
    rows[0] = { ...rows[0], company_context: answer(A, 5) };
    const report = checkRun(history, rows);
    expect(report.ok).toBe(true);
    expect(report.invariants[3].notes).toEqual(['1 × reprocess asked for by the load']);
  });

  it('finds a 500, a 503 while the database was up, and a request with no answer (5)', () => {
    const { history, rows } = goodRun();
    history.api.push(
      { op: 'create', at: 10_000, end: 10_010, status: 500 },
      { op: 'create', at: 11_000, end: 11_010, status: 503 },
      { op: 'patch', at: 12_000, end: 42_000, status: 0, id: 1, original: 'x' },
    );
    expect(failing(history, rows)['5.']).toEqual([
      expect.stringContaining('create at 10.0s: answered 500'),
      expect.stringContaining('create at 11.0s: answered 503'),
      expect.stringContaining('patch of record 1 at 12.0s: no answer'),
    ]);
  });

  it('accepts 503 while the database is down, and measures when the API answers again (5)', () => {
    const { history, rows } = goodRun();
    history.faults.push({ kind: 'db-stop', start: 10_000, end: 15_000 });
    history.api.push(
      { op: 'create', at: 12_000, end: 12_010, status: 503 },
      { op: 'create', at: 16_000, end: 16_500, status: 201, id: 4, original: C },
    );
    rows.push({ id: 4, context_status: 'processed', company_context: answer(C, 4), company_context_original: C });
    history.ai[3] = aiCall(4, 17_000, C);
    const report = checkRun(history, rows);
    expect(report.invariants.flatMap((result) => result.violations)).toEqual([]);
    expect(report.invariants[4].notes).toEqual(['database back at 15.0s: API answering again after 1.5 s']);
    expect(report.recoveries[1]).toEqual({ fault: history.faults[1], queueMovingMs: 2_000 });
  });
});

describe('the chaos run schedule', () => {
  it('is the same for the same seed, differs for another, and stays within the load', () => {
    const plan = planFaults(15, 8_000, 170_000, 3);
    expect(planFaults(15, 8_000, 170_000, 3)).toEqual(plan);
    expect(planFaults(16, 8_000, 170_000, 3)).not.toEqual(plan);
    expect(plan.every((fault) => fault.at >= 8_000 && fault.at < 170_000 && fault.worker >= 0 && fault.worker < 3)).toBe(true);
    expect(new Set(plan.map((fault) => fault.kind))).toEqual(
      new Set([
        'kill-worker',
        'term-worker',
        'redis-restart',
        'redis-wipe',
        'db-stop',
        'ai-refused',
        'ai-slow',
        'ai-error',
        'ai-malformed',
      ]),
    );
  });
});
