import { TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Client } from '../../src/clients/client.entity';
import { loadConfig } from '../../src/config/app-config';
import { ClaimedContext, CompanyContextState } from '../../src/company-context/company-context.state';
import { ContextStatus } from '../../src/company-context/context-status';
import { companyContext } from '../support/clients';
import { insertClient, SQLITE_MEMORY, sqliteTestingModule, storedClient } from '../support/sqlite-testing-module';

const ORIGINAL = companyContext('Muebles Ejemplo');
const NEW_ORIGINAL = companyContext('Carpintería Nueva');
const REWRITTEN = 'Muebles Ejemplo es un fabricante valenciano de muebles de madera maciza.';
const IN_A_MINUTE = () => new Date(Date.now() + 60_000);

describe('CompanyContextState: the record is the job, on a real SQLite database', () => {
  let moduleRef: TestingModule;
  let state: CompanyContextState;
  let clients: Repository<Client>;

  beforeAll(async () => {
    moduleRef = await sqliteTestingModule(loadConfig({ DATABASE_URL: SQLITE_MEMORY }), { providers: [CompanyContextState] });
    state = moduleRef.get(CompanyContextState);
    clients = moduleRef.get(getRepositoryToken(Client));
  });

  afterAll(() => moduleRef.close());

  const stored = (id: number) => storedClient(moduleRef, id);

  /** A new record and the claim of its first attempt. */
  async function claimedRecord(): Promise<ClaimedContext> {
    const client = await insertClient(moduleRef, ORIGINAL);
    return (await state.claim({ clientId: client.id, version: 1 }))!;
  }

  it('a new record waits for its first attempt: pending, version 1, no attempts, the original as its context', async () => {
    const client = await insertClient(moduleRef, ORIGINAL);

    expect(await stored(client.id)).toMatchObject({
      company_context: ORIGINAL,
      company_context_original: ORIGINAL,
      context_status: ContextStatus.Pending,
      context_version: 1,
      context_attempts: 0,
      context_error: null,
      context_processed_at: null,
      context_failed_at: null,
      context_claim_token: null,
    });
  });

  describe('pending → processing: claiming an attempt', () => {
    it('counts the attempt and hands out the original and a token', async () => {
      const client = await insertClient(moduleRef, ORIGINAL);

      const claim = await state.claim({ clientId: client.id, version: 1 });

      expect(claim).toEqual({ clientId: client.id, version: 1, original: ORIGINAL, attempt: 1, token: expect.any(String) });
      const row = await stored(client.id);
      expect(row).toMatchObject({ context_status: ContextStatus.Processing, context_attempts: 1, context_claim_token: claim!.token });
      expect(row.context_claimed_at).toBeInstanceOf(Date);
    });

    it('refuses a job for an older original (the version moved on)', async () => {
      const client = await insertClient(moduleRef, ORIGINAL);
      await state.restart(client.id, NEW_ORIGINAL);

      expect(await state.claim({ clientId: client.id, version: 1 })).toBeNull();
      expect(await stored(client.id)).toMatchObject({ context_status: ContextStatus.Pending, context_version: 2, context_attempts: 0 });
    });

    it('refuses a job whose record is gone', async () => {
      const client = await insertClient(moduleRef, ORIGINAL);
      await clients.delete(client.id);

      expect(await state.claim({ clientId: client.id, version: 1 })).toBeNull();
    });

    it.each([
      ['processed', (claim: ClaimedContext) => state.complete(claim, REWRITTEN, 1200)],
      ['failed', (claim: ClaimedContext) => state.fail(claim, 'AI answered HTTP 500', null)],
    ])('refuses a job whose record is already %s', async (_, finish) => {
      const claim = await claimedRecord();
      await finish(claim);

      expect(await state.claim(claim)).toBeNull();
      expect((await stored(claim.clientId)).context_attempts).toBe(1);
    });

    it('a second delivery of the same job takes the attempt over: only the newer claim may write', async () => {
      const first = await claimedRecord();
      const second = (await state.claim(first))!;

      expect(second.attempt).toBe(2);
      expect(await state.complete(first, 'the first worker, too late', 1200)).toBe(false);
      expect(await state.complete(second, REWRITTEN, 1200)).toBe(true);
      expect((await stored(first.clientId)).company_context).toBe(REWRITTEN);
    });
  });

  describe('processing → processed', () => {
    it('writes the AI text and how long the AI took, keeps the original and releases the claim', async () => {
      const claim = await claimedRecord();

      expect(await state.complete(claim, REWRITTEN, 1200)).toBe(true);

      const row = await stored(claim.clientId);
      expect(row).toMatchObject({
        company_context: REWRITTEN,
        context_ai_ms: 1200,
        company_context_original: ORIGINAL,
        context_status: ContextStatus.Processed,
        context_attempts: 1,
        context_error: null,
        context_available_at: null,
        context_claimed_at: null,
        context_claim_token: null,
      });
      expect(row.context_processed_at).toBeInstanceOf(Date);
    });

    it('writes a result once: a second completion of the same claim changes nothing', async () => {
      const claim = await claimedRecord();
      await state.complete(claim, REWRITTEN, 1200);

      expect(await state.complete(claim, 'another text', 1200)).toBe(false);
      expect((await stored(claim.clientId)).company_context).toBe(REWRITTEN);
    });

    it('discards the result for an original that was replaced meanwhile (PATCH)', async () => {
      const claim = await claimedRecord();
      await state.restart(claim.clientId, NEW_ORIGINAL);

      expect(await state.complete(claim, REWRITTEN, 1200)).toBe(false);
      expect(await stored(claim.clientId)).toMatchObject({
        company_context: NEW_ORIGINAL,
        company_context_original: NEW_ORIGINAL,
        context_status: ContextStatus.Pending,
        context_version: 2,
      });
    });

    it('discards the result when reprocessing was asked for meanwhile (same original, new version)', async () => {
      const claim = await claimedRecord();
      await state.restart(claim.clientId);

      expect(await state.complete(claim, REWRITTEN, 1200)).toBe(false);
      expect(await stored(claim.clientId)).toMatchObject({
        company_context: ORIGINAL,
        context_status: ContextStatus.Pending,
        context_version: 2,
      });
    });

    it('discards the result for a record deleted meanwhile', async () => {
      const claim = await claimedRecord();
      await clients.delete(claim.clientId);

      expect(await state.complete(claim, REWRITTEN, 1200)).toBe(false);
      expect(await clients.countBy({ id: claim.clientId })).toBe(0);
    });
  });

  describe('processing → pending again (a failed attempt with tries left)', () => {
    it('keeps the original, records the error and the retry time; the attempt stays counted', async () => {
      const claim = await claimedRecord();
      const retryAt = IN_A_MINUTE();

      expect(await state.fail(claim, 'AI answered HTTP 503', retryAt)).toBe(true);

      expect(await stored(claim.clientId)).toMatchObject({
        company_context: ORIGINAL,
        context_status: ContextStatus.Pending,
        context_attempts: 1,
        context_error: 'AI answered HTTP 503',
        context_available_at: retryAt,
        context_failed_at: null,
        context_claim_token: null,
      });
      expect((await state.claim(claim))!.attempt).toBe(2);
    });

    it('postponing (the AI could not be reached) gives the attempt back', async () => {
      const claim = await claimedRecord();
      const retryAt = IN_A_MINUTE();

      expect(await state.postpone(claim, 'AI endpoint unreachable (ECONNREFUSED)', retryAt)).toBe(true);

      expect(await stored(claim.clientId)).toMatchObject({
        context_status: ContextStatus.Pending,
        context_attempts: 0,
        context_error: 'AI endpoint unreachable (ECONNREFUSED)',
        context_available_at: retryAt,
      });
      expect((await state.claim(claim))!.attempt).toBe(1);
    });

    it('neither failure nor postponement is written for an original replaced meanwhile', async () => {
      const claim = await claimedRecord();
      await state.restart(claim.clientId, NEW_ORIGINAL);

      expect(await state.fail(claim, 'AI answered HTTP 500', IN_A_MINUTE())).toBe(false);
      expect(await state.postpone(claim, 'AI is down (breaker open)', IN_A_MINUTE())).toBe(false);
      expect(await stored(claim.clientId)).toMatchObject({
        context_status: ContextStatus.Pending,
        context_attempts: 0,
        context_error: null,
      });
    });
  });

  describe('processing → failed (the last try failed)', () => {
    it('keeps the original as the context and lists the failure', async () => {
      const claim = await claimedRecord();

      expect(await state.fail(claim, 'AI answer is not valid JSON', null)).toBe(true);

      const row = await stored(claim.clientId);
      expect(row).toMatchObject({
        company_context: ORIGINAL,
        context_status: ContextStatus.Failed,
        context_error: 'AI answer is not valid JSON',
        context_available_at: null,
        context_claim_token: null,
      });
      expect(row.context_failed_at).toBeInstanceOf(Date);
    });

    it('keeps at most 500 characters of the error', async () => {
      const claim = await claimedRecord();
      await state.fail(claim, 'x'.repeat(2_000), null);

      expect((await stored(claim.clientId)).context_error).toBe('x'.repeat(500));
    });
  });

  describe('starting over: PATCH, reprocess and queue:retry', () => {
    it('a new original starts over as a new version with every attempt', async () => {
      const claim = await claimedRecord();
      await state.fail(claim, 'AI answered HTTP 500', null);

      const restarted = await state.restart(claim.clientId, NEW_ORIGINAL);

      expect(restarted).toMatchObject({ context_version: 2, context_status: ContextStatus.Pending, company_context: NEW_ORIGINAL });
      expect(await stored(claim.clientId)).toMatchObject({
        company_context: NEW_ORIGINAL,
        company_context_original: NEW_ORIGINAL,
        context_status: ContextStatus.Pending,
        context_version: 2,
        context_attempts: 0,
        context_error: null,
        context_failed_at: null,
      });
    });

    it('reprocessing keeps the current context until the new result is written', async () => {
      const claim = await claimedRecord();
      await state.complete(claim, REWRITTEN, 1200);

      await state.restart(claim.clientId);

      expect(await stored(claim.clientId)).toMatchObject({
        company_context: REWRITTEN,
        context_status: ContextStatus.Pending,
        context_version: 2,
      });
    });

    it('answers null for a record that is gone', async () => {
      expect(await state.restart(999_999)).toBeNull();
    });

    it('queue:retry puts a failed job back as a new version', async () => {
      const claim = await claimedRecord();
      await state.fail(claim, 'AI answered HTTP 500', null);

      expect(await state.retryFailed(claim)).toBe(2);
      expect(await stored(claim.clientId)).toMatchObject({
        context_status: ContextStatus.Pending,
        context_attempts: 0,
        context_failed_at: null,
      });
    });

    it('queue:retry drops a job whose record moved on: processed, a newer original, or deleted', async () => {
      const processed = await claimedRecord();
      await state.complete(processed, REWRITTEN, 1200);
      const replaced = await claimedRecord();
      await state.fail(replaced, 'AI answered HTTP 500', null);
      await state.restart(replaced.clientId, NEW_ORIGINAL);
      const deleted = await claimedRecord();
      await state.fail(deleted, 'AI answered HTTP 500', null);
      await clients.delete(deleted.clientId);

      expect(await state.retryFailed(processed)).toBeNull();
      expect(await state.retryFailed(replaced)).toBeNull();
      expect(await state.retryFailed(deleted)).toBeNull();
      expect(await stored(processed.clientId)).toMatchObject({ context_status: ContextStatus.Processed, context_version: 1 });
      expect((await stored(replaced.clientId)).context_version).toBe(2);
    });

    it('queue:retry takes only a failure still listed, once', async () => {
      const listed = await claimedRecord();
      await state.fail(listed, 'AI answered HTTP 500', null);
      const forgotten = await claimedRecord();
      await state.fail(forgotten, 'AI answered HTTP 500', null);
      await clients.update(forgotten.clientId, { context_failed_at: null }); // as queue:forget leaves it
      const waiting = await claimedRecord();
      await state.fail(waiting, 'AI answered HTTP 500', IN_A_MINUTE());

      expect(await state.retryFailed(listed)).toBe(2);
      expect(await state.retryFailed(listed)).toBeNull();
      expect(await state.retryFailed(forgotten)).toBeNull();
      expect(await state.retryFailed(waiting)).toBeNull();
      expect(await stored(forgotten.clientId)).toMatchObject({ context_status: ContextStatus.Failed, context_failed_at: null });
      expect(await stored(waiting.clientId)).toMatchObject({ context_status: ContextStatus.Pending, context_version: 1 });
    });
  });
});
