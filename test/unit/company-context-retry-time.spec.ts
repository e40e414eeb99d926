import { TestingModule } from '@nestjs/testing';
import { AiModule } from '../../src/ai/ai.module';
import { loadConfig } from '../../src/config/app-config';
import { CompanyContextJob, msUntil } from '../../src/company-context/company-context.job';
import { CompanyContextProcessor } from '../../src/company-context/company-context.processor';
import { AttemptOutcome } from '../../src/company-context/queue-driver';
import { ClaimedContext, CompanyContextState } from '../../src/company-context/company-context.state';
import { recordBackoff, RetryAtRecordTime } from '../../src/company-context/drivers/redis-queue.driver';
import { RecordQueueStore } from '../../src/company-context/record-queue.store';
import { CapturedLogs } from '../support/captured-logs';
import { companyContext } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { closedPort } from '../support/ports';
import { insertClient, SQLITE_MEMORY, sqliteTestingModule, storedClient } from '../support/sqlite-testing-module';

const BACKOFF_MS = 1_000;
const COOLDOWN_MS = 60_000;

type Due = Extract<AttemptOutcome, { kind: 'retry' | 'postponed' }>;

/**
 * The record is the only clock: whatever the driver, the next try of a record runs when its
 * context_available_at says. The database driver claims it then (claimNext); Bull waits the delay its
 * backoff strategy reads from the error the handler threw, whatever Bull's own count of attempts; the sync
 * driver waits msUntil. Only Date is faked, frozen; the database and the AI server are real.
 */
describe('A retry is due when its record says, on every driver', () => {
  let ai: FakeAiServer;
  let moduleRef: TestingModule | undefined;
  let processor: CompanyContextProcessor;
  let store: RecordQueueStore;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterAll(() => ai.close());

  afterEach(async () => {
    jest.useRealTimers();
    ai.reset();
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function start(aiUrl: string): Promise<CompanyContextJob> {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask', 'performance', 'hrtime'] });
    const config = loadConfig({
      DATABASE_URL: SQLITE_MEMORY,
      AI_URL: aiUrl,
      QUEUE_TRIES: '3',
      QUEUE_BACKOFF_MS: String(BACKOFF_MS),
      AI_BREAKER_THRESHOLD: '1',
      AI_COOLDOWN_MS: String(COOLDOWN_MS),
    });
    moduleRef = await sqliteTestingModule(
      config,
      { imports: [AiModule], providers: [CompanyContextState, RecordQueueStore, CompanyContextProcessor] },
      new CapturedLogs(),
    );
    processor = moduleRef.get(CompanyContextProcessor);
    store = moduleRef.get(RecordQueueStore);
    const client = await insertClient(moduleRef, companyContext('Muebles Ejemplo'));
    return { clientId: client.id, version: 1 };
  }

  /** Checks each driver's wait; answers the database driver's claim of the next attempt. */
  async function expectDueOnEveryDriver(job: CompanyContextJob, outcome: Due, waitMs: number): Promise<ClaimedContext> {
    const now = Date.now();
    // What the record says.
    expect((await storedClient(moduleRef!, job.clientId)).context_available_at).toEqual(outcome.retryAt);
    expect(outcome.retryAt.getTime()).toBe(now + waitMs);

    // redis: Bull waits what the backoff strategy answers, whatever count of attempts Bull has made.
    const thrown = new RetryAtRecordTime(outcome.error, outcome.retryAt);
    for (const attemptsMade of [0, 1, 2, 3, 50]) expect(recordBackoff(attemptsMade, thrown)).toBe(waitMs);
    // sync: the driver's timer.
    expect(msUntil(outcome.retryAt)).toBe(waitMs);
    // database: no worker can claim the record until then, and one can from then on.
    jest.setSystemTime(outcome.retryAt.getTime() - 1);
    expect(await store.claimNext()).toBeNull();
    jest.setSystemTime(outcome.retryAt);
    const claim = await store.claimNext();
    expect(claim).toMatchObject(job);
    return claim!;
  }

  it('after a failed attempt with tries left: QUEUE_BACKOFF_MS, doubled for the next', async () => {
    const job = await start(ai.url('/chat'));
    ai.failWith(500);

    const first = await processor.process(job);
    expect(first.kind).toBe('retry');
    const claim = await expectDueOnEveryDriver(job, first as Due, BACKOFF_MS);

    const second = await processor.attempt(claim);
    expect(second.kind).toBe('retry');
    await expectDueOnEveryDriver(job, second as Due, 2 * BACKOFF_MS);
  });

  it('after an attempt given back while the AI is down: the breaker cooldown, no attempt counted', async () => {
    const job = await start(`http://127.0.0.1:${await closedPort()}/chat`);

    const outcome = await processor.process(job);

    expect(outcome.kind).toBe('postponed');
    expect((await storedClient(moduleRef!, job.clientId)).context_attempts).toBe(0);
    await expectDueOnEveryDriver(job, outcome as Due, COOLDOWN_MS);
  });

  it("ends the Bull job (no retry) on an error that carries no record's retry time", () => {
    for (const attemptsMade of [0, 1, 2]) expect(recordBackoff(attemptsMade, new Error('database connection lost'))).toBe(-1);
  });
});
