import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { clientBody } from '../support/clients';
import { OPENAPI_PATH, undocumentedAnswer } from '../support/documented-responses';
import { createTestApp, TestApp } from '../support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

// A consumer's program: the types come from docs/openapi.json (openapi-typescript), the calls from openapi-fetch.
const CONSUMER = `
import createClient from 'openapi-fetch';
import type { components, paths } from './openapi';

type NewClient = components['schemas']['CreateClientDto'];
type ContextStatus = components['schemas']['ContextStatus'];

async function main(baseUrl: string, body: NewClient): Promise<void> {
  const api = createClient<paths>({ baseUrl });
  const created = await api.POST('/clients', { body });
  if (!created.data) throw new Error('create answered ' + created.response.status);
  const id: number = created.data.id;
  const read = await api.GET('/clients/{id}', { params: { path: { id } } });
  const status: ContextStatus | undefined = read.data?.context_status;
  const list = await api.GET('/clients', { params: { query: { page: 1, limit: 5 } } });
  const missing = await api.GET('/clients/{id}', { params: { path: { id: 2147483647 } } });
  const message: string | string[] | undefined = missing.error?.message;
  const calls = [['POST', created], ['GET', read], ['GET', list], ['GET', missing]] as const;
  const answers = calls.map(([method, { response, data, error }]) => ({
    method,
    url: response.url,
    status: response.status,
    headers: { 'content-type': response.headers.get('content-type') ?? undefined },
    body: data ?? error,
  }));
  const ids = list.data?.data.map((client) => client.id);
  process.stdout.write(JSON.stringify({ id, status, total: list.data?.meta.total, ids, message, answers }));
}

void main(process.argv[2], JSON.parse(process.argv[3]));
`;

// The same calls with what the document forbids: a body without its required fields, a status that does not exist.
const WRONG_CONSUMER = `
import createClient from 'openapi-fetch';
import type { paths } from './openapi';

const api = createClient<paths>({ baseUrl: 'http://127.0.0.1:1' });
void api.POST('/clients', { body: { client_name: 'Muebles Ejemplo' } });
void api.GET('/clients', { params: { query: { context_status: 'done' } } });
void api.GET('/clients/{id}', { params: { path: { id: 1 } } }).then(({ data }) => data?.password);
`;

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  esModuleInterop: true,
  skipLibCheck: true,
};

/** Both programs compiled at once (the compiler takes seconds to start); the errors of each file. */
function compile(folder: string, sources: Record<string, string>): { errorsOf: (name: string) => string[]; emit: (name: string) => void } {
  const files = Object.entries(sources).map(([name, source]) => {
    writeFileSync(join(folder, `${name}.ts`), source);
    return join(folder, `${name}.ts`);
  });
  const program = ts.createProgram(files, { ...COMPILER_OPTIONS, outDir: folder });
  const sourceFile = (name: string) => program.getSourceFile(join(folder, `${name}.ts`));
  return {
    errorsOf: (name) =>
      ts.getPreEmitDiagnostics(program, sourceFile(name)).map(({ messageText }) => ts.flattenDiagnosticMessageText(messageText, '\n')),
    emit: (name) => void program.emit(sourceFile(name)),
  };
}

describe('A TypeScript client generated from docs/openapi.json', () => {
  let t: TestApp;
  let folder: string;
  let baseUrl: string;
  let compiled: ReturnType<typeof compile>;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'autoseo-client-'));
    // The consumer's project resolves openapi-fetch from ours.
    symlinkSync(join(ROOT, 'node_modules'), join(folder, 'node_modules'), 'dir');
    const generator = join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    await run(process.execPath, [generator, OPENAPI_PATH, '-o', join(folder, 'openapi.d.ts')]);
    compiled = compile(folder, { consumer: CONSUMER, wrong: WRONG_CONSUMER });
    t = await createTestApp({ worker: false });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await t?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('compiles, and creates, reads and lists a client against the running service', async () => {
    expect(compiled.errorsOf('consumer')).toEqual([]);
    compiled.emit('consumer');
    const { stdout } = await run(process.execPath, [join(folder, 'consumer.js'), baseUrl, JSON.stringify(clientBody())]);
    const result = JSON.parse(stdout);

    expect(result.id).toEqual(expect.any(Number));
    expect(result.status).toBe('pending');
    expect(result.ids).toContain(result.id);
    expect(result.total).toBeGreaterThanOrEqual(1);
    expect(result.message).toContain(`Client 2147483647 does not exist`);
    for (const answer of result.answers) expect(undocumentedAnswer(answer.method, answer.url, answer)).toBeNull();
  });

  it('does not compile a call the document forbids: a missing field, an unknown status, a password read back', () => {
    const errors = compiled.errorsOf('wrong').join('\n');
    expect(errors).toMatch(/company_context/);
    expect(errors).toMatch(/"done"/);
    expect(errors).toMatch(/password/);
  });
});
