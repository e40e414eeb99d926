import { undocumentedAnswer } from '../support/documented-responses';

// The check every end-to-end answer goes through: what it lets pass and what it stops, with what message.
const record = {
  id: 1,
  client_name: 'Muebles Ejemplo',
  client_email: 'info@example.com',
  url: 'https://example.com',
  username: 'admin',
  user_app: 'app',
  CompanyName: null,
  AddressLine1: null,
  Locality: null,
  AdminDistrict: null,
  PostalCode: null,
  CountryRegion: 'ES',
  company_context: 'x'.repeat(100),
  company_context_original: 'x'.repeat(100),
  context_status: 'pending',
  context_attempts: 0,
  context_error: null,
  context_ai_ms: null,
  context_processed_at: null,
  pin: '3f9a1c07',
  created_at: '2026-12-03T10:00:00.000Z',
  updated_at: '2026-12-03T10:00:00.000Z',
};
const json = (status: number, body: unknown) => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body,
  text: JSON.stringify(body),
});
const error = (status: number, message: string) => json(status, { statusCode: status, error: 'Some error', message });

describe('Checking an answer against docs/openapi.json', () => {
  it('lets a documented answer pass, whatever the case, trailing slash or query string of the path', () => {
    expect(undocumentedAnswer('GET', 'http://127.0.0.1:4000/clients/1', json(200, record))).toBeNull();
    expect(undocumentedAnswer('POST', '/CLIENTS/', json(201, record))).toBeNull();
    expect(
      undocumentedAnswer(
        'GET',
        '/clients?page=1',
        json(200, { data: [record], meta: { page: 1, limit: 20, total: 1, total_exact: true, next_cursor: null } }),
      ),
    ).toBeNull();
    expect(undocumentedAnswer('DELETE', '/clients/1', { status: 204, headers: {}, text: '' })).toBeNull();
    expect(undocumentedAnswer('GET', '/clients/abc', error(400, 'id must be a positive integer'))).toBeNull();
  });

  it('stops a field the document does not have, naming it and the command that refreshes the document', () => {
    const problem = undocumentedAnswer('GET', '/clients/1', json(200, { ...record, context_mood: 'happy' }));
    expect(problem).toMatch(/GET \/clients\/1 answered 200 \(GET \/clients\/\{id\}\) with a body that does not match docs\/openapi.json/);
    expect(problem).toMatch(/body has context_mood, a field that is not documented/);
  });

  it('stops a password in an answer and a field of the wrong type', () => {
    expect(undocumentedAnswer('GET', '/clients/1', json(200, { ...record, password: 'x' }))).toContain('password');
    expect(undocumentedAnswer('GET', '/clients/1', json(200, { ...record, context_status: 'done' }))).toMatch(/context_status/);
  });

  it('stops a status the route does not list, naming those it does', () => {
    expect(undocumentedAnswer('GET', '/clients/1', error(500, 'Internal server error'))).toBe(
      'GET /clients/1 answered 500, a status docs/openapi.json does not list for GET /clients/{id} ' +
        '(it lists 200, 400, 401, 404, 413, 415, 429, 503).',
    );
  });

  it("leaves out what is not the API: CORS preflights and the operator's dashboard, and nothing beside them", () => {
    expect(undocumentedAnswer('OPTIONS', '/clients', { status: 204, headers: {}, text: '' })).toBeNull();
    expect(undocumentedAnswer('GET', '/dashboard/api/overview', json(200, { anything: true }))).toBeNull();
    expect(undocumentedAnswer('GET', '/dashboards', json(200, {}))).toMatch(/has no GET route for this path/);
  });

  it('stops a route the document does not have, unless it answers as a path the API does not have', () => {
    expect(undocumentedAnswer('GET', '/clients/1/notes', json(200, { password: 'x' }))).toBe(
      'GET /clients/1/notes answered 200, but docs/openapi.json has no GET route for this path.',
    );
    expect(undocumentedAnswer('PUT', '/clients/1', json(200, record))).toMatch(/has no PUT \/clients\/\{id\}/);
    expect(undocumentedAnswer('GET', '/nowhere', error(404, 'Cannot GET /nowhere'))).toBeNull();
    expect(undocumentedAnswer('GET', '/nowhere', json(404, { oops: true }))).toMatch(/does not match/);
  });

  it('stops an error that is not the error body, and an answer in a type the route does not declare', () => {
    expect(undocumentedAnswer('POST', '/clients', json(400, { message: 'bad' }))).toMatch(/must have required property 'statusCode'/);
    expect(undocumentedAnswer('GET', '/clients/1', { status: 200, headers: { 'content-type': 'text/html' }, text: '<p>' })).toMatch(
      /as "text\/html", where docs\/openapi.json declares application\/json/,
    );
  });
});
