import { TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Client } from '../../src/clients/client.entity';
import { loadConfig } from '../../src/config/app-config';
import { ClaimedContext, CompanyContextState } from '../../src/company-context/company-context.state';
import { ContextStatus } from '../../src/company-context/context-status';
import { RecordQueueStore, REMOVED_BY_OPERATOR } from '../../src/company-context/record-queue.store';
import { companyContext } from '../support/clients';
import { insertClient, SQLITE_MEMORY, sqliteTestingModule, storedClient } from '../support/sqlite-testing-module';

const ORIGINAL = companyContext('Muebles Ejemplo');
const JOB_TIMEOUT_MS = 60_000;
const agoMs = (ms: number) => new Date(Date.now() - ms);
const inMs = (ms: number) => new Date(Date.now() + ms);

describe('RecordQueueStore: the records read as a queue, on a real SQLite database', () => {
  let moduleRef: TestingModule;
  let state: CompanyContextState;
  let store: RecordQueueStore;
  let clients: Repository<Client>;

  beforeAll(async () => {
    const config = loadConfig({ DATABASE_URL: SQLITE_MEMORY, JOB_TIMEOUT_MS: String(JOB_TIMEOUT_MS) });
    moduleRef = await sqliteTestingModule(config, { providers: [CompanyContextState, RecordQueueStore] });
    state = moduleRef.get(CompanyContextState);
    store = moduleRef.get(RecordQueueStore);
    clients = moduleRef.get(getRepositoryToken(Client));
  });

  afterAll(() => moduleRef.close());

  beforeEach(() => clients.clear());

  /** A pending record that became due `dueAgoMs` ago. */
  async function pendingSince(dueAgoMs: number): Promise<Client> {
    const client = await insertClient(moduleRef, ORIGINAL);
    await clients.update(client.id, { context_available_at: agoMs(dueAgoMs) });
    return client;
  }

  async function claimed(): Promise<ClaimedContext> {
    const client = await insertClient(moduleRef, ORIGINAL);
    return (await state.claim({ clientId: client.id, version: 1 }))!;
  }

  async function failedForGood(error = 'AI answered HTTP 500'): Promise<ClaimedContext> {
    const claim = await claimed();
    await state.fail(claim, error, null);
    return claim;
  }

  describe('claimNext: the next record due for an attempt', () => {
    it('answers null when nothing is due', async () => {
      expect(await store.claimNext()).toBeNull();
    });

    it('claims the longest-due pending record first, each once', async () => {
      const second = await pendingSince(60_000);
      const first = await pendingSince(180_000);
      const third = await pendingSince(1_000);

      const claims = [await store.claimNext(), await store.claimNext(), await store.claimNext(), await store.claimNext()];

      expect(claims.map((claim) => claim?.clientId ?? null)).toEqual([first.id, second.id, third.id, null]);
      expect(claims[0]).toMatchObject({ version: 1, attempt: 1, original: ORIGINAL });
      expect(await storedClient(moduleRef, first.id)).toMatchObject({ context_status: ContextStatus.Processing, context_attempts: 1 });
    });

    it('leaves a failed attempt alone until its retry time', async () => {
      const claim = await claimed();
      await state.fail(claim, 'AI answered HTTP 500', inMs(60_000));

      expect(await store.claimNext()).toBeNull();

      await clients.update(claim.clientId, { context_available_at: agoMs(1) });
      expect(await store.claimNext()).toMatchObject({ clientId: claim.clientId, attempt: 2 });
    });

    it('takes over a claim older than JOB_TIMEOUT_MS and its grace (its worker died); the dead claim can no longer write', async () => {
      const dead = await claimed();
      await clients.update(dead.clientId, { context_claimed_at: agoMs(JOB_TIMEOUT_MS + 3_000) });

      const takeover = await store.claimNext();

      expect(takeover).toMatchObject({ clientId: dead.clientId, version: 1, attempt: 2 });
      expect(takeover!.token).not.toBe(dead.token);
      expect(await state.complete(dead, 'late text', 1200)).toBe(false);
      expect(await state.complete(takeover!, 'text', 1200)).toBe(true);
    });

    it('leaves a claim younger than JOB_TIMEOUT_MS alone: its job may still be running', async () => {
      const running = await claimed();
      await clients.update(running.clientId, { context_claimed_at: agoMs(JOB_TIMEOUT_MS - 5_000) });

      expect(await store.claimNext()).toBeNull();
    });

    it('serves due pending records before claims to take over', async () => {
      const dead = await claimed();
      await clients.update(dead.clientId, { context_claimed_at: agoMs(10 * JOB_TIMEOUT_MS) });
      const waiting = await pendingSince(1_000);

      expect((await store.claimNext())?.clientId).toBe(waiting.id);
      expect((await store.claimNext())?.clientId).toBe(dead.clientId);
    });
  });

  describe('counts and the oldest wait', () => {
    it('counts waiting, running, delayed and listed failed records; processed and forgotten ones are not jobs', async () => {
      await pendingSince(1_000);
      await pendingSince(2_000);
      await claimed();
      await state.fail(await claimed(), 'AI answered HTTP 503', inMs(60_000));
      await failedForGood();
      await store.forgetFailed(await failedForGood());
      await state.complete(await claimed(), 'text', 1200);

      expect(await store.counts()).toEqual({ waiting: 2, active: 1, delayed: 1, failed: 1 });
    });

    it('tells since when the longest-waiting due record has been due', async () => {
      expect(await store.oldestWaitingSince()).toBeNull();
      const oldest = await pendingSince(120_000);
      await pendingSince(5_000);

      expect(await store.oldestWaitingSince()).toEqual((await storedClient(moduleRef, oldest.id)).context_available_at);
    });
  });

  describe('the failed list', () => {
    it('lists failures oldest first, with the job id, the attempts and the error', async () => {
      const first = await failedForGood('AI answered HTTP 500');
      const second = await failedForGood('AI answer is not valid JSON');
      await clients.update(first.clientId, { context_failed_at: agoMs(60_000) });

      expect(await store.failedJobs()).toEqual([
        {
          id: `client-${first.clientId}-v1`,
          clientId: first.clientId,
          attempts: 1,
          failedAt: expect.any(Date),
          error: 'AI answered HTTP 500',
        },
        {
          id: `client-${second.clientId}-v1`,
          clientId: second.clientId,
          attempts: 1,
          failedAt: expect.any(Date),
          error: 'AI answer is not valid JSON',
        },
      ]);
    });

    it('forgets one failure or all of them; the records stay failed', async () => {
      const one = await failedForGood();
      await failedForGood();
      await failedForGood();

      expect(await store.forgetFailed(one)).toBe(1);
      expect(await store.forgetFailed(one)).toBe(0);
      expect(await store.forgetFailed()).toBe(2);
      expect(await store.failedJobs()).toEqual([]);
      expect(await clients.countBy({ context_status: ContextStatus.Failed })).toBe(3);
    });
  });

  describe('queue:clear', () => {
    it('marks a waiting record failed (not listed), so nothing queues it again behind the operator', async () => {
      const waiting = await pendingSince(1_000);

      expect(await store.removeFromQueue({ clientId: waiting.id, version: 1 })).toBe(1);

      expect(await storedClient(moduleRef, waiting.id)).toMatchObject({
        context_status: ContextStatus.Failed,
        context_error: REMOVED_BY_OPERATOR,
        context_available_at: null,
        context_failed_at: null,
      });
      expect(await store.claimNext()).toBeNull();
      expect(await store.counts()).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    });

    it('clears every waiting record at once, and never a running one', async () => {
      await pendingSince(1_000);
      await pendingSince(2_000);
      const running = await claimed();

      expect(await store.removeFromQueue()).toBe(2);
      expect((await storedClient(moduleRef, running.clientId)).context_status).toBe(ContextStatus.Processing);
    });
  });

  it('pages the records that should have a live job (pending or processing) in id order', async () => {
    const first = await pendingSince(1_000);
    const second = await claimed();
    await state.complete(await claimed(), 'text', 1200);
    await failedForGood();
    const third = await pendingSince(1_000);

    expect(await store.openJobs(0, 2)).toEqual([
      { clientId: first.id, version: 1 },
      { clientId: second.clientId, version: 1 },
    ]);
    expect(await store.openJobs(second.clientId, 2)).toEqual([{ clientId: third.id, version: 1 }]);
  });
});
