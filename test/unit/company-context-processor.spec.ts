import { TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AiBreaker } from '../../src/ai/ai-breaker';
import {
  AiEmptyAnswerError,
  AiHttpStatusError,
  AiMalformedAnswerError,
  AiOversizeAnswerError,
  AiTimeoutError,
  AiUnreachableError,
} from '../../src/ai/ai.errors';
import { AiModule } from '../../src/ai/ai.module';
import { Client } from '../../src/clients/client.entity';
import { loadConfig } from '../../src/config/app-config';
import { CompanyContextProcessor } from '../../src/company-context/company-context.processor';
import { AttemptOutcome } from '../../src/company-context/queue-driver';
import { CompanyContextState } from '../../src/company-context/company-context.state';
import { ContextStatus } from '../../src/company-context/context-status';
import { CapturedLogs } from '../support/captured-logs';
import { companyContext } from '../support/clients';
import { FakeAiBehaviour, FakeAiServer } from '../support/fake-ai-server';
import { closedPort } from '../support/ports';
import { insertClient, SQLITE_MEMORY, sqliteTestingModule, storedClient } from '../support/sqlite-testing-module';

const ORIGINAL = companyContext('Muebles Ejemplo');
const NEW_ORIGINAL = companyContext('Carpintería Nueva');
const BACKOFF_MS = 1_000;
const COOLDOWN_MS = 60_000;
const THRESHOLD = 2;

type Job = { clientId: number; version: number };

/** Only Date is faked (the breaker's clock): timers, sockets and the database run for real. */
function fakeDateOnly(): void {
  jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask', 'performance', 'hrtime'] });
}

describe('CompanyContextProcessor: the outcome of one attempt, with the real AI client, a fake AI server and SQLite', () => {
  let ai: FakeAiServer;
  let moduleRef: TestingModule | undefined;
  let processor: CompanyContextProcessor;
  let state: CompanyContextState;
  let breaker: AiBreaker;
  let clients: Repository<Client>;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterAll(() => ai.close());

  beforeEach(() => ai.reset());

  afterEach(async () => {
    jest.useRealTimers();
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function start(env: Record<string, string> = {}): Promise<void> {
    const config = loadConfig({
      DATABASE_URL: SQLITE_MEMORY,
      AI_URL: ai.url('/chat'),
      QUEUE_TRIES: '3',
      QUEUE_BACKOFF_MS: String(BACKOFF_MS),
      AI_BREAKER_THRESHOLD: String(THRESHOLD),
      AI_COOLDOWN_MS: String(COOLDOWN_MS),
      AI_TIMEOUT_MS: '5000',
      JOB_TIMEOUT_MS: '10000',
      ...env,
    });
    moduleRef = await sqliteTestingModule(
      config,
      { imports: [AiModule], providers: [CompanyContextState, CompanyContextProcessor] },
      new CapturedLogs(),
    );
    processor = moduleRef.get(CompanyContextProcessor);
    state = moduleRef.get(CompanyContextState);
    breaker = moduleRef.get(AiBreaker);
    clients = moduleRef.get(getRepositoryToken(Client));
  }

  async function newJob(original = ORIGINAL): Promise<Job> {
    const client = await insertClient(moduleRef!, original);
    return { clientId: client.id, version: client.context_version };
  }

  const stored = (job: Job) => storedClient(moduleRef!, job.clientId);

  /** Runs the job once; also answers when the record may be tried again, as the bounds of the clock around the attempt. */
  async function processTimed(job: Job): Promise<{ outcome: AttemptOutcome; before: number; after: number }> {
    const before = Date.now();
    const outcome = await processor.process(job);
    return { outcome, before, after: Date.now() };
  }

  it('an answer: processed, the AI text written, the listener told', async () => {
    await start();
    const heard: Array<[Job, AttemptOutcome]> = [];
    processor.onOutcome((job, outcome) => heard.push([job, outcome]));
    const job = await newJob();

    await expect(processor.process(job)).resolves.toEqual({ kind: 'processed' });

    expect(await stored(job)).toMatchObject({
      company_context: FakeAiServer.expectedTextFor(ORIGINAL),
      company_context_original: ORIGINAL,
      context_status: ContextStatus.Processed,
      context_attempts: 1,
    });
    expect(heard).toEqual([[job, { kind: 'processed' }]]);
  });

  describe('an AI error with tries left: retried after QUEUE_BACKOFF_MS, the attempt counted, the original kept', () => {
    it.each<[string, FakeAiBehaviour, { prototype: Error }, string]>([
      ['an HTTP error status', { status: 500 }, AiHttpStatusError, 'AI answered HTTP 500'],
      ['a body that is not JSON', { rawBody: '<html>Bad gateway</html>' }, AiMalformedAnswerError, 'AI answer is not valid JSON'],
      [
        'JSON without the text',
        { rawBody: '{"ok":true}' },
        AiMalformedAnswerError,
        'AI answer has no text in respuesta, response, text or message',
      ],
      ['an empty text', { text: '' }, AiEmptyAnswerError, 'AI answer is empty after removing reasoning and preambles'],
      [
        'a text over 4,000 characters',
        { text: 'a'.repeat(4_001) },
        AiOversizeAnswerError,
        'AI answer is 4001 characters, over the 4000 limit',
      ],
    ])('%s', async (_, behaviour, errorClass, message) => {
      await start();
      const job = await newJob();
      ai.respondOnce(behaviour);

      const { outcome, before, after } = await processTimed(job);

      expect(outcome).toEqual({ kind: 'retry', error: expect.any(errorClass), delayMs: BACKOFF_MS, retryAt: expect.any(Date) });
      const row = await stored(job);
      expect(row).toMatchObject({
        company_context: ORIGINAL,
        context_status: ContextStatus.Pending,
        context_attempts: 1,
        context_error: message,
      });
      expect(row.context_available_at!.getTime()).toBeGreaterThanOrEqual(before + BACKOFF_MS);
      expect(row.context_available_at!.getTime()).toBeLessThanOrEqual(after + BACKOFF_MS);
      expect(breaker.state()).toEqual({ state: 'closed', consecutiveFailures: 0 });
    });

    it('an AI call over AI_TIMEOUT_MS', async () => {
      await start({ AI_TIMEOUT_MS: '100' });
      const job = await newJob();
      ai.respondOnce({ delayMs: 10_000 });

      const outcome = await processor.process(job);

      expect(outcome).toEqual({ kind: 'retry', error: expect.any(AiTimeoutError), delayMs: BACKOFF_MS, retryAt: expect.any(Date) });
      expect(await stored(job)).toMatchObject({ context_attempts: 1, context_error: 'AI call timed out after 100 ms' });
    });

    it('waits twice as long after each further failure', async () => {
      await start();
      const job = await newJob();
      ai.failWith(503);

      expect(await processor.process(job)).toMatchObject({ kind: 'retry', delayMs: BACKOFF_MS });
      expect(await processor.process(job)).toMatchObject({ kind: 'retry', delayMs: 2 * BACKOFF_MS });
      expect((await stored(job)).context_attempts).toBe(2);
    });
  });

  describe('the last try fails: failed for good', () => {
    it('after QUEUE_TRIES attempts, keeping the original as the context', async () => {
      await start({ QUEUE_TRIES: '2' });
      const job = await newJob();
      ai.failWith(500);
      await processor.process(job);

      const outcome = await processor.process(job);

      expect(outcome).toEqual({ kind: 'failed', error: expect.any(AiHttpStatusError) });
      const row = await stored(job);
      expect(row).toMatchObject({
        company_context: ORIGINAL,
        context_status: ContextStatus.Failed,
        context_attempts: 2,
        context_error: 'AI answered HTTP 500',
        context_available_at: null,
      });
      expect(row.context_failed_at).toBeInstanceOf(Date);
      expect(await processor.process(job)).toEqual({ kind: 'skipped' });
      expect(ai.requests).toHaveLength(2);
    });
  });

  describe('the AI cannot be reached: postponed, no attempt spent', () => {
    it('waits QUEUE_BACKOFF_MS below AI_BREAKER_THRESHOLD failures in a row, then AI_COOLDOWN_MS', async () => {
      await start({ AI_URL: `http://127.0.0.1:${await closedPort()}/chat` });
      const job = await newJob();

      const first = await processTimed(job);

      expect(first.outcome).toEqual({
        kind: 'postponed',
        error: expect.any(AiUnreachableError),
        delayMs: BACKOFF_MS,
        retryAt: expect.any(Date),
      });
      const row = await stored(job);
      expect(row).toMatchObject({
        context_status: ContextStatus.Pending,
        context_attempts: 0,
        context_error: 'AI endpoint unreachable (ECONNREFUSED)',
      });
      expect(row.context_available_at!.getTime()).toBeGreaterThanOrEqual(first.before + BACKOFF_MS);
      expect(await processor.process(job)).toEqual({
        kind: 'postponed',
        error: expect.any(AiUnreachableError),
        delayMs: COOLDOWN_MS,
        retryAt: expect.any(Date),
      });
      expect(breaker.state().state).toBe('open');
      expect((await stored(job)).context_attempts).toBe(0);
    });

    it('makes no AI call while the breaker is open; the probe after the cooldown closes it', async () => {
      fakeDateOnly();
      await start();
      const job = await newJob();
      ai.hangUp();
      for (let i = 0; i < THRESHOLD; i += 1) await processor.process(job);
      expect(ai.requests).toHaveLength(THRESHOLD);

      expect(await processor.process(job)).toEqual({
        kind: 'postponed',
        error: new Error('AI is down (breaker open)'),
        delayMs: COOLDOWN_MS,
        retryAt: expect.any(Date),
      });
      expect(ai.requests).toHaveLength(THRESHOLD);
      expect(await stored(job)).toMatchObject({ context_attempts: 0, context_error: 'AI is down (breaker open)' });

      ai.reset();
      jest.setSystemTime(Date.now() + COOLDOWN_MS);
      expect(breaker.state().state).toBe('half-open');
      expect(await processor.process(job)).toEqual({ kind: 'processed' });
      expect(breaker.state().state).toBe('closed');
      expect((await stored(job)).context_attempts).toBe(1);
    });

    it('a probe that cannot connect either opens the breaker for another cooldown', async () => {
      fakeDateOnly();
      await start();
      const job = await newJob();
      ai.hangUp();
      for (let i = 0; i < THRESHOLD; i += 1) await processor.process(job);

      jest.setSystemTime(Date.now() + COOLDOWN_MS);

      expect(await processor.process(job)).toEqual({
        kind: 'postponed',
        error: expect.any(AiUnreachableError),
        delayMs: COOLDOWN_MS,
        retryAt: expect.any(Date),
      });
      expect(ai.requests).toHaveLength(THRESHOLD + 1);
      expect(breaker.state()).toMatchObject({ state: 'open', retryInMs: COOLDOWN_MS });
    });
  });

  describe('the record moved on: nothing written', () => {
    it('skips a job whose record is gone before the attempt, without calling the AI', async () => {
      await start();
      const job = await newJob();
      await clients.delete(job.clientId);

      await expect(processor.process(job)).resolves.toEqual({ kind: 'skipped' });
      expect(ai.requests).toHaveLength(0);
    });

    it('skips a job for an original already replaced', async () => {
      await start();
      const job = await newJob();
      await state.restart(job.clientId, NEW_ORIGINAL);

      await expect(processor.process(job)).resolves.toEqual({ kind: 'skipped' });
      expect(ai.requests).toHaveLength(0);
      expect(await stored(job)).toMatchObject({ context_status: ContextStatus.Pending, context_version: 2, context_attempts: 0 });
    });

    // The database driver claims, then runs the attempt; the record changes in between as it would during the AI call.
    it.each<[string, FakeAiBehaviour]>([
      ['an answer', {}],
      ['an AI error', { status: 500 }],
      ['a connection failure', { hangUp: true }],
    ])('discards %s for an original replaced while the attempt ran, keeping the new original', async (_, behaviour) => {
      await start();
      const job = await newJob();
      const claim = (await state.claim(job))!;
      await state.restart(job.clientId, NEW_ORIGINAL);
      ai.respondOnce(behaviour);

      await expect(processor.attempt(claim)).resolves.toEqual({ kind: 'discarded' });
      expect(ai.requests).toHaveLength(1);
      expect(await stored(job)).toMatchObject({
        company_context: NEW_ORIGINAL,
        context_status: ContextStatus.Pending,
        context_version: 2,
        context_attempts: 0,
        context_error: null,
      });
    });

    it('discards the answer for a record deleted while the attempt ran', async () => {
      await start();
      const job = await newJob();
      const claim = (await state.claim(job))!;
      await clients.delete(job.clientId);

      await expect(processor.attempt(claim)).resolves.toEqual({ kind: 'discarded' });
      expect(await clients.countBy({ id: job.clientId })).toBe(0);
    });
  });
});
