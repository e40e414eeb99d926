import { RecordsSearch1732740000000 } from '../../src/database/migrations/1732740000000-records-search';
import { clientBody } from '../support/clients';
import { createTestApp, TestApp } from '../support/test-app';

const API_TOKEN = 'records-search-migration-token-0123';
const auth = { Authorization: `Bearer ${API_TOKEN}` };

/** The search index's migration, down and up again on a table with records, as a rollback and a redeploy would run it. */
describe('The records search migration', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { API_TOKEN, LOG_LEVEL: 'warn' } });
  });

  afterAll(async () => {
    await t?.close();
  });

  const ids = async (search: string) =>
    (await t.http.get(`/dashboard/api/records?search=${search}`).set(auth).expect(200)).body.data.map(
      (record: { id: number }) => record.id,
    );

  it('finds, after down and up again, the records written before and while the index was gone', async () => {
    const before = (
      await t.http
        .post('/clients')
        .set(auth)
        .send(clientBody({ client_name: 'Granate Antes' }))
        .expect(201)
    ).body;
    const migration = new RecordsSearch1732740000000();
    const runner = t.dataSource.createQueryRunner();
    try {
      await migration.down(runner);
      const during = (
        await t.http
          .post('/clients')
          .set(auth)
          .send(clientBody({ client_name: 'Granate Durante' }))
          .expect(201)
      ).body;
      await migration.up(runner);
      expect(await ids('granate')).toEqual([during.id, before.id]);
    } finally {
      await runner.release();
    }
    const after = (
      await t.http
        .post('/clients')
        .set(auth)
        .send(clientBody({ client_name: 'Granate Después' }))
        .expect(201)
    ).body;
    expect(await ids('granate')).toHaveLength(3);
    expect((await ids('granate'))[0]).toBe(after.id);
  });
});
