import { TOTAL_COUNT_CAP } from '../../src/clients/dto/list-clients.query';
import { SEARCH_SAMPLE_ROWS } from '../../src/clients/record-search';
import { clientBody } from '../support/clients';
import { createTestApp, TestApp } from '../support/test-app';

const API_TOKEN = 'record-search-token-0123456789';
const auth = { Authorization: `Bearer ${API_TOKEN}` };
// Enough records for a word every record holds to be "more than the cap" by the sample's reckoning.
const RECORDS = 4 * SEARCH_SAMPLE_ROWS;

interface Page {
  data: { id: number; client_name: string }[];
  meta: { page: number | null; limit: number; total: number; total_exact: boolean; next_cursor: string | null };
}

// Names whose words the two readings of a search must split and compare alike (accents, case, `_`, `%`, `'`).
const TRICKY: [string, string][] = [
  ['Panadería Sur', 'ventas_sur@pan.example'],
  ['Ñandú-Óptica', 'info@nandu-optica.example'],
  ['Ferretería 100% Norte', 'norte@ferreteria.example'],
  ["L'Ópalo O'Brien", 'hola@opalo.example'],
  ['Quiosco Zafiro de la Villa', 'pedidos@kiosko-norte.example'],
];

/**
 * A MariaDB search reads the newest SEARCH_SAMPLE_ROWS candidates one by one (LIKE on their words) and the
 * FULLTEXT index only below them. Each tricky name is stored twice, once among the newest records and once
 * among the oldest, so every search below is answered by both readings at once and must find both copies.
 */
describe('Dashboard search on MariaDB: the newest records read one by one, the index below them', () => {
  let t: TestApp;
  const newest = (index: number) => RECORDS - index;
  const oldest = (index: number) => index + 1;

  beforeAll(async () => {
    t = await createTestApp({ env: { API_TOKEN, LOG_LEVEL: 'warn' }, worker: false });
    await t.dataSource.query(`
      INSERT INTO autoseo (id, client_name, client_email, url, username, password, user_app, password_app, company_context,
        company_context_original, context_status, context_version, context_attempts, pin, created_at, updated_at)
      SELECT seq, CONCAT('Cliente ', seq), CONCAT('cliente', seq, IF(seq % 2 = 1, '@example.org', '@example.com')), 'https://cliente.example', 'user', 'v1.x',
        'app', 'v1.x', 'text', 'text', 'processed', 1, 1, '00000000', NOW(3), NOW(3)
      FROM seq_1_to_${RECORDS}`);
    for (const [index, [name, email]] of TRICKY.entries()) {
      await t.dataSource.query('UPDATE autoseo SET client_name = ?, client_email = ? WHERE id IN (?, ?)', [
        name,
        email,
        newest(index),
        oldest(index),
      ]);
    }
  });

  afterAll(async () => {
    await t?.close();
  });

  const list = async (query: string): Promise<Page> => (await t.http.get(`/dashboard/api/records?${query}`).set(auth).expect(200)).body;
  const ids = async (search: string) => (await list(`search=${encodeURIComponent(search)}`)).data.map((record) => record.id);

  it.each([
    ['panaderia', [0]],
    ['PANADER sur', [0]],
    ['ventas_sur', [0]],
    ['pan.example', [0]],
    ['nandu', [1]],
    ['ÓPTICA', [1]],
    ['ferreteria 100%', [2]],
    ['norte', [2, 4]],
    ['opalo', [3]],
    ['brien', [3]],
    ['zafiro villa', [4]],
    ['afiro', []],
    ['ventas_su', [0]],
    ['ventasXsur', []],
  ])('%j finds the same records among the newest and the oldest', async (search, tricky) => {
    const expected = [...tricky.map(newest), ...tricky.map(oldest).reverse()].sort((a, b) => b - a);
    expect(await ids(search)).toEqual(expected);
  });

  it('pages a search across the edge of the sample by number and by cursor, each record once', async () => {
    // norte: two records among the newest, two among the oldest; one per page.
    const expected = [newest(2), newest(4), oldest(4), oldest(2)];
    const byNumber: number[] = [];
    for (let page = 1; page <= 4; page++) byNumber.push(...(await list(`search=norte&limit=1&page=${page}`)).data.map((r) => r.id));
    expect(byNumber).toEqual(expected);
    expect((await list('search=norte&limit=1&page=5')).data).toEqual([]);

    const byCursor: number[] = [];
    let page = await list('search=norte&limit=1');
    expect(page.meta).toMatchObject({ total: 4, total_exact: true });
    for (;;) {
      byCursor.push(...page.data.map((r) => r.id));
      if (!page.meta.next_cursor) break;
      page = await list(`search=norte&limit=1&cursor=${page.meta.next_cursor}`);
    }
    expect(byCursor).toEqual(expected);
  });

  it('counts a word half the records hold exactly, as the exact count does', async () => {
    const odd = RECORDS / 2 - [newest(1), newest(3), oldest(0), oldest(2), oldest(4)].length;
    expect((await list('search=org&limit=1')).meta).toMatchObject({ total: odd, total_exact: true });
    expect((await list('search=org&limit=1&total=exact')).meta).toMatchObject({ total: odd, total_exact: true });
  });

  it('walks a word every record holds by cursor without skipping or repeating, while records are created', async () => {
    const everyCliente = (
      await t.dataSource.query<{ id: number }[]>("SELECT id FROM autoseo WHERE client_name LIKE 'Cliente %' ORDER BY id DESC")
    ).map((row) => Number(row.id));
    const visited: number[] = [];
    let created = 0;
    let page = await list('search=cliente&limit=100');
    // More than the cap hold it, by the sample's share: the sample's matches, read as "at least".
    expect(page.meta).toMatchObject({ total: SEARCH_SAMPLE_ROWS - TRICKY.length, total_exact: false });
    for (;;) {
      visited.push(...page.data.map((record) => record.id));
      await t.http
        .post('/clients')
        .set(auth)
        .send(clientBody({ client_name: 'Cliente nuevo' }))
        .expect(201);
      created += 1;
      if (!page.meta.next_cursor) break;
      page = await list(`search=cliente&limit=100&cursor=${page.meta.next_cursor}`);
    }
    expect(visited).toEqual(everyCliente);
    // Asked for, the exact count reads every match.
    const exact = await list('search=cliente&total=exact');
    expect(exact.meta).toMatchObject({ total: everyCliente.length + created, total_exact: true });
    expect(exact.meta.total).toBeGreaterThan(TOTAL_COUNT_CAP);
  });
});
