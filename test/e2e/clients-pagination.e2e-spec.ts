import { TOTAL_COUNT_CAP } from '../../src/clients/dto/list-clients.query';
import { FakeAiServer } from '../support/fake-ai-server';
import { clientBody } from '../support/clients';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

interface Page {
  data: { id: number; context_status: string }[];
  meta: { page: number | null; limit: number; total: number; total_exact: boolean; next_cursor: string | null };
}

describe('GET /clients: cursor pagination and the capped total', () => {
  let ai: FakeAiServer;
  let t: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_URL: ai.url('/chat') } });
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  const create = async (): Promise<number> => (await t.http.post('/clients').send(clientBody()).expect(201)).body.id;
  const list = async (query: string): Promise<Page> => (await t.http.get(`/clients?${query}`).expect(200)).body;
  const allIds = async (): Promise<number[]> =>
    (await t.dataSource.query<{ id: number }[]>('SELECT id FROM autoseo ORDER BY id DESC')).map((row) => Number(row.id));

  it('walks every record once, newest first, while records are created during the walk', async () => {
    for (let i = 0; i < 10; i++) await create();
    const before = await allIds();
    const createdDuringWalk: number[] = [];
    const visited: number[] = [];
    let page = await list('limit=3');
    expect(page.meta.page).toBe(1);
    for (;;) {
      visited.push(...page.data.map((record) => record.id));
      // A new record at every step: with offsets it would push a seen record onto the next page.
      createdDuringWalk.push(await create());
      if (!page.meta.next_cursor) break;
      page = await list(`limit=3&cursor=${page.meta.next_cursor}`);
      expect(page.meta.page).toBeNull();
    }
    expect(visited).toEqual(before);
    expect(new Set(visited).size).toBe(visited.length);
    expect(visited.some((id) => createdDuringWalk.includes(id))).toBe(false);
    // The new records are on the first page of a walk started now.
    expect((await list('limit=3')).data[0].id).toBe(createdDuringWalk[createdDuringWalk.length - 1]);
  });

  it('continues a numbered page by its cursor and keeps the status filter', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await create());
    // Marked failed once their jobs are done, so that no worker writes over the mark.
    await waitFor('the records to be processed', async () => {
      const [pending, processing] = await Promise.all([list('context_status=pending'), list('context_status=processing')]);
      return pending.meta.total + processing.meta.total === 0;
    });
    await t.dataSource.query(`UPDATE autoseo SET context_status = 'failed' WHERE id IN (${[ids[0], ids[2], ids[4]].join(',')})`);
    const first = await list('context_status=failed&limit=2&page=1');
    expect(first.data.map((record) => record.id)).toEqual([ids[4], ids[2]]);
    const second = await list(`context_status=failed&limit=2&cursor=${first.meta.next_cursor}`);
    expect(second.data.map((record) => record.id)).toEqual([ids[0]]);
    expect(second.meta).toMatchObject({ total: 3, total_exact: true, next_cursor: null });
  });

  it('gives no next cursor on the last page', async () => {
    await create();
    const total = (await allIds()).length;
    expect((await list(`limit=${total}`)).meta.next_cursor).toBeNull();
    expect((await list(`limit=${total - 1}`)).meta.next_cursor).toEqual(expect.any(String));
  });

  it.each([
    ['a cursor that is not one', 'cursor=not-a-cursor', 'cursor must be a meta.next_cursor value'],
    ['a cursor naming no position', `cursor=${Buffer.from('c1:0').toString('base64url')}`, 'cursor must be a meta.next_cursor value'],
    ['a cursor of another shape', `cursor=${Buffer.from('{"id":5}').toString('base64url')}`, 'cursor must be a meta.next_cursor value'],
    ['an empty cursor', 'cursor=', 'cursor must be a meta.next_cursor value'],
    ['a cursor with a page', `page=2&cursor=${Buffer.from('c1:5').toString('base64url')}`, 'cursor cannot be combined with page'],
    ['a total other than exact', 'total=estimate', 'total can only be exact'],
  ])('rejects %s with a 400 naming it', async (_case, query, message) => {
    const response = await t.http.get(`/clients?${query}`).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(JSON.stringify(response.body.message)).toContain(message);
  });

  it(`counts up to ${TOTAL_COUNT_CAP} matches unless total=exact is asked`, async () => {
    const first = (await allIds())[0] ?? 0;
    const extra = TOTAL_COUNT_CAP + 5;
    // Written straight into the table as processed records (no job to run), in a few multi-row inserts.
    const now = new Date().toISOString().slice(0, 23).replace('T', ' ');
    for (let start = 0; start < extra; start += 1000) {
      const rows = Array.from(
        { length: Math.min(1000, extra - start) },
        () =>
          `('bulk','bulk@example.com','https://bulk.example.com','u','p','a','p','text','text','processed',1,1,'00000000','${now}','${now}')`,
      );
      await t.dataSource.query(
        'INSERT INTO autoseo (client_name, client_email, url, username, password, user_app, password_app, company_context, ' +
          'company_context_original, context_status, context_version, context_attempts, pin, created_at, updated_at) VALUES ' +
          rows.join(','),
      );
    }
    const total = (await allIds()).length;
    expect(total).toBeGreaterThan(TOTAL_COUNT_CAP);
    try {
      expect((await list('limit=1')).meta).toMatchObject({ total: TOTAL_COUNT_CAP, total_exact: false });
      expect((await list('limit=1&total=exact')).meta).toMatchObject({ total, total_exact: true });
      // A filter with fewer matches than the cap is still counted exactly.
      expect((await list('limit=1&context_status=failed')).meta).toMatchObject({ total_exact: true });
    } finally {
      await t.dataSource.query('DELETE FROM autoseo WHERE id > ?', [first]);
    }
  });
});
