import { TestingModule } from '@nestjs/testing';
import { ClientsService } from '../../src/clients/clients.service';
import { ClientNotFoundError } from '../../src/clients/clients.errors';
import { CreateClientDto } from '../../src/clients/dto/create-client.dto';
import { loadConfig } from '../../src/config/app-config';
import { CompanyContextDispatcher } from '../../src/company-context/company-context.dispatcher';
import { CompanyContextJob } from '../../src/company-context/company-context.job';
import { CompanyContextState } from '../../src/company-context/company-context.state';
import { ContextStatus } from '../../src/company-context/context-status';
import { QUEUE_DRIVER, QueueDriver } from '../../src/company-context/queue-driver';
import { SecretBox } from '../../src/security/secret-box';
import { CapturedLogs } from '../support/captured-logs';
import { clientBody, companyContext } from '../support/clients';
import { SQLITE_MEMORY, sqliteTestingModule, storedClient } from '../support/sqlite-testing-module';

const NEW_ORIGINAL = companyContext('Carpintería Nueva');

/** The queue at the driver boundary: records what it is asked to do, or fails or hangs as told. */
class FakeQueue implements Pick<QueueDriver, 'dispatch' | 'cancel'> {
  readonly dispatched: CompanyContextJob[] = [];
  readonly cancelled: CompanyContextJob[] = [];
  failure?: Error;
  hang = false;

  dispatch(job: CompanyContextJob): Promise<void> {
    if (this.hang) return new Promise<void>(() => undefined);
    if (this.failure) return Promise.reject(this.failure);
    this.dispatched.push(job);
    return Promise.resolve();
  }

  cancel(job: CompanyContextJob): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    this.cancelled.push(job);
    return Promise.resolve();
  }
}

describe('Dispatching company-context jobs: what the API asks of the queue', () => {
  let moduleRef: TestingModule;
  let queue: FakeQueue;
  let logs: CapturedLogs;
  let service: ClientsService;
  let dispatcher: CompanyContextDispatcher;

  beforeAll(async () => {
    queue = new FakeQueue();
    logs = new CapturedLogs();
    moduleRef = await sqliteTestingModule(
      loadConfig({ DATABASE_URL: SQLITE_MEMORY }),
      {
        providers: [
          ClientsService,
          CompanyContextState,
          CompanyContextDispatcher,
          { provide: QUEUE_DRIVER, useValue: queue },
          { provide: SecretBox, useValue: new SecretBox(Buffer.alloc(32, 7)) },
        ],
      },
      logs,
    );
    service = moduleRef.get(ClientsService);
    dispatcher = moduleRef.get(CompanyContextDispatcher);
  });

  afterAll(() => moduleRef.close());

  beforeEach(async () => {
    // Each test starts with no dispatch of an earlier one in flight.
    await dispatcher.beforeApplicationShutdown();
    queue.dispatched.length = 0;
    queue.cancelled.length = 0;
    queue.failure = undefined;
    queue.hang = false;
    logs.lines.length = 0;
  });

  afterEach(() => jest.useRealTimers());

  /** Dispatches run in the background, after the response; this waits for them as shutdown does. */
  const dispatchesSettled = () => dispatcher.beforeApplicationShutdown();
  const create = () => service.create(clientBody() as unknown as CreateClientDto);

  it('a new client queues the job for version 1 of its original', async () => {
    const client = await create();
    await dispatchesSettled();

    expect(queue.dispatched).toEqual([{ clientId: client.id, version: 1 }]);
    expect(logs.matching(/dispatched as client-\d+-v1/)).toHaveLength(1);
  });

  it('a new original queues the job for the new version', async () => {
    const client = await create();

    const updated = await service.update(client.id, { company_context: NEW_ORIGINAL });
    await dispatchesSettled();

    expect(updated).toMatchObject({ context_version: 2, context_status: ContextStatus.Pending, company_context_original: NEW_ORIGINAL });
    expect(queue.dispatched).toEqual([
      { clientId: client.id, version: 1 },
      { clientId: client.id, version: 2 },
    ]);
  });

  it('the same original again, or other fields only, queue nothing and keep the version', async () => {
    const client = await create();
    await dispatchesSettled();

    await service.update(client.id, { company_context: client.company_context_original });
    await service.update(client.id, { Locality: 'Alicante' });
    await dispatchesSettled();

    expect(queue.dispatched).toHaveLength(1);
    expect(await storedClient(moduleRef, client.id)).toMatchObject({ context_version: 1, Locality: 'Alicante' });
  });

  it('reprocessing queues the same original as a new version', async () => {
    const client = await create();

    await service.reprocess(client.id);
    await dispatchesSettled();

    expect(queue.dispatched.map((job) => job.version)).toEqual([1, 2]);
  });

  it('reprocessing a client that does not exist queues nothing', async () => {
    await expect(service.reprocess(999_999)).rejects.toThrow(ClientNotFoundError);
    await dispatchesSettled();

    expect(queue.dispatched).toEqual([]);
  });

  it("deleting a client drops its current version's job", async () => {
    const client = await create();
    await service.update(client.id, { company_context: NEW_ORIGINAL });

    await service.remove(client.id);

    expect(queue.cancelled).toEqual([{ clientId: client.id, version: 2 }]);
  });

  describe('a queue that is down never fails the request', () => {
    it('saves the client pending and says the reconciler will queue it', async () => {
      queue.failure = new Error('connect ECONNREFUSED 127.0.0.1:6379');

      const client = await create();
      await dispatchesSettled();

      expect(await storedClient(moduleRef, client.id)).toMatchObject({ context_status: ContextStatus.Pending, context_version: 1 });
      expect(
        logs.matching(/\[warn\].*could not be queued \(connect ECONNREFUSED 127\.0\.0\.1:6379\); the reconciler will queue it/),
      ).toHaveLength(1);
    });

    it('a dispatch answers false instead of throwing', async () => {
      queue.failure = new Error('Redis is down');

      await expect(dispatcher.dispatch({ clientId: 1, version: 1 })).resolves.toBe(false);
    });

    it('gives up on a queue that does not answer within 5 s', async () => {
      jest.useFakeTimers();
      queue.hang = true;

      const dispatched = dispatcher.dispatch({ clientId: 1, version: 1 });
      await jest.advanceTimersByTimeAsync(5_000);

      await expect(dispatched).resolves.toBe(false);
      expect(logs.matching(/the queue did not answer within 5000 ms/)).toHaveLength(1);
    });

    it('deletes the client even when its job cannot be dropped', async () => {
      const client = await create();
      await dispatchesSettled();
      queue.failure = new Error('Redis is down');

      await service.remove(client.id);

      await expect(service.findOne(client.id)).rejects.toThrow(ClientNotFoundError);
      expect(logs.matching(/\[warn\].*could not drop its queued job: Redis is down/)).toHaveLength(1);
    });
  });
});
