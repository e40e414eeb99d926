import { Client } from '../../src/clients/client.entity';
import { CompanyContextState } from '../../src/company-context/company-context.state';
import { ContextStatus } from '../../src/company-context/context-status';
import { RecordQueueStore } from '../../src/company-context/record-queue.store';
import { FakeAiServer } from '../support/fake-ai-server';
import { clientBody } from '../support/clients';
import { createTestApp, TestApp } from '../support/test-app';

interface Row {
  context_status: ContextStatus;
  context_available_at: Date | string | null;
  context_failed_at: Date | string | null;
}

/** MariaDB answers DATETIME as a Date, SQLite as UTC text ('2026-01-02 03:04:05.678'). */
const asDate = (value: Date | string) => (value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`));

// The counts are read from index ranges (issue 13); each step checks them against every row read one by one.
describe('Queue counts of the database driver after each state change', () => {
  let ai: FakeAiServer;
  let t: TestApp;
  let state: CompanyContextState;
  let store: RecordQueueStore;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    // No worker: the test makes each state change itself.
    t = await createTestApp({ env: { AI_URL: ai.url('/chat') }, worker: false });
    state = t.app.get(CompanyContextState);
    store = t.app.get(RecordQueueStore);
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  /** The counts as a reader of every row would make them. */
  async function countedRowByRow() {
    const rows: Row[] = await t.dataSource.query('SELECT context_status, context_available_at, context_failed_at FROM autoseo');
    const due = (row: Row) => row.context_available_at === null || asDate(row.context_available_at) <= new Date();
    const counts = { waiting: 0, active: 0, delayed: 0, failed: 0 };
    for (const row of rows) {
      if (row.context_status === ContextStatus.Processing) counts.active += 1;
      else if (row.context_status === ContextStatus.Failed && row.context_failed_at !== null) counts.failed += 1;
      else if (row.context_status === ContextStatus.Pending) counts[due(row) ? 'waiting' : 'delayed'] += 1;
    }
    return counts;
  }

  async function expectCounts(expected: { waiting: number; active: number; delayed: number; failed: number }) {
    expect(await countedRowByRow()).toEqual(expected);
    expect(await store.counts()).toEqual(expected);
    const health = (await t.http.get('/health').expect(200)).body;
    expect(health.details.queue).toMatchObject(expected);
  }

  const create = async (): Promise<number> => (await t.http.post('/clients').send(clientBody()).expect(201)).body.id;
  const inAMinute = () => new Date(Date.now() + 60_000);

  it('follows created, claimed, retried later, failed, forgotten, processed, reprocessed and cleared records', async () => {
    const [first, second, third] = [await create(), await create(), await create()];
    await expectCounts({ waiting: 3, active: 0, delayed: 0, failed: 0 });

    const firstClaim = (await state.claim({ clientId: first, version: 1 }))!;
    await expectCounts({ waiting: 2, active: 1, delayed: 0, failed: 0 });

    await state.fail(firstClaim, 'AI answered HTTP 503', inAMinute());
    await expectCounts({ waiting: 2, active: 0, delayed: 1, failed: 0 });

    await state.postpone((await state.claim({ clientId: second, version: 1 }))!, 'AI unreachable', inAMinute());
    await expectCounts({ waiting: 1, active: 0, delayed: 2, failed: 0 });

    await state.fail((await state.claim({ clientId: third, version: 1 }))!, 'AI answered HTTP 500', null);
    await expectCounts({ waiting: 0, active: 0, delayed: 2, failed: 1 });

    expect(await state.retryFailed({ clientId: third, version: 1 })).toBe(2);
    await expectCounts({ waiting: 1, active: 0, delayed: 2, failed: 0 });

    await state.fail((await state.claim({ clientId: third, version: 2 }))!, 'AI answered HTTP 500', null);
    await store.forgetFailed({ clientId: third, version: 2 });
    await expectCounts({ waiting: 0, active: 0, delayed: 2, failed: 0 });

    // The retry of the first record becomes due.
    await t.dataSource.getRepository(Client).update({ id: first }, { context_available_at: new Date(Date.now() - 1_000) });
    await expectCounts({ waiting: 1, active: 0, delayed: 1, failed: 0 });

    await state.complete((await state.claim({ clientId: first, version: 1 }))!, 'Texto reescrito por la IA.', 900);
    await expectCounts({ waiting: 0, active: 0, delayed: 1, failed: 0 });

    await t.http.post(`/clients/${first}/context/reprocess`).expect(202);
    await expectCounts({ waiting: 1, active: 0, delayed: 1, failed: 0 });

    expect(await store.removeFromQueue()).toBe(2);
    await expectCounts({ waiting: 0, active: 0, delayed: 0, failed: 0 });

    await t.http.delete(`/clients/${third}`).expect(204);
    await t.http.patch(`/clients/${second}`).send({ company_context: clientBody().company_context }).expect(200);
    await expectCounts({ waiting: 1, active: 0, delayed: 0, failed: 0 });
  });
});
