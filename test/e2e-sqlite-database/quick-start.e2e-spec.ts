import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { documentedFetch } from '../support/documented-responses';
import { closedPort } from '../support/ports';
import { waitFor } from '../support/wait-for';

const ROOT = join(__dirname, '..', '..');

/** `npm …` in its own process group (npm starts a shell that starts node), with its output so far. */
class NpmProcess {
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: string[], cwd: string, env: Record<string, string>) {
    this.child = spawn('npm', args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) stream.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on('close', (code) => resolve(code)));
  }

  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void> {
    await waitFor(`output ${pattern} from npm ${this.child.spawnargs.slice(1).join(' ')}`, () => pattern.test(this.output) || undefined, {
      timeoutMs,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- its output so far:\n${this.output}`);
    });
  }

  /** Signals the whole group: npm, its shell and node. */
  signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) process.kill(-this.child.pid!, signal);
  }
}

/**
 * README's first command on a checkout with nothing built and no settings: `npm start` builds, creates
 * the SQLite file under data/, applies the migrations and runs the API with a worker on the `database`
 * driver; with README's fake AI (`npm run fake-ai`) running, a client created with README's body ends
 * processed. Runs on a copy of the working tree (sharing node_modules), so the checkout's dist/ and
 * data/ are left alone. Once, on this stack: nothing in it depends on the stack.
 */
describe('README quick start: npm start on a fresh checkout', () => {
  const copy = mkdtempSync(join(tmpdir(), 'autoseo-quick-start-'));
  const running: NpmProcess[] = [];

  beforeAll(() => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
      .split('\0')
      .filter((file) => file && existsSync(join(ROOT, file)));
    for (const file of files) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(ROOT, file), join(copy, file));
    }
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  });

  afterAll(async () => {
    for (const npm of running) npm.signal('SIGKILL');
    await Promise.all(running.map((npm) => npm.exited));
    rmSync(copy, { recursive: true, force: true });
  });

  it('builds, migrates and serves; a client is processed by the fake AI; SIGTERM stops it', async () => {
    expect(existsSync(join(copy, 'dist'))).toBe(false);
    // Only what a shell has, plus the two ports (the defaults, 3000 and 5000, may be taken here).
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? copy };
    const [aiPort, port] = [await closedPort(), await closedPort()];

    const ai = new NpmProcess(['run', 'fake-ai', '--', '--port', String(aiPort), '--delay', '300'], copy, env);
    running.push(ai);
    await ai.waitForOutput(/Fake AI listening on/, 60_000);

    const api = new NpmProcess(['start'], copy, { ...env, PORT: String(port), AI_URL: `http://127.0.0.1:${aiPort}/chat` });
    running.push(api);
    await api.waitForOutput(/listening on port \d+/, 150_000);
    expect(api.output).toContain('Building (dist/ is missing or older than src/)');
    expect(api.output).toMatch(/listening on port \d+: database sqlite, queue database, worker in this process/);
    expect(existsSync(join(copy, 'data', 'autoseo.sqlite'))).toBe(true);

    const original =
      'Muebles Ejemplo es una empresa familiar de Valencia que fabrica muebles de madera maciza para hogares y oficinas desde 1985.';
    const body = {
      client_name: 'Muebles Ejemplo',
      client_email: 'info@example.com',
      url: 'https://example.com',
      username: 'admin',
      password: 's3cret',
      user_app: 'app',
      password_app: 's3cret-app',
      company_context: original,
    };
    const base = `http://127.0.0.1:${port}`;
    const created = await documentedFetch(`${base}/clients`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(created.status).toBe(201);
    const { id, context_status } = (await created.json()) as { id: number; context_status: string };
    expect(context_status).toBe('pending');

    const record = await waitFor(`client ${id} to be processed`, async () => {
      const current = (await (await documentedFetch(`${base}/clients/${id}`)).json()) as Record<string, unknown>;
      return current.context_status === 'processed' ? current : undefined;
    });
    expect(record.company_context_original).toBe(original);
    expect(record.company_context).not.toBe(original);
    expect(ai.output).toMatch(/POST \/chat: original of \d+ characters/);

    api.signal('SIGTERM');
    await api.exited;
    expect(api.output).not.toMatch(/\bERROR\b/);
  }, 240_000);
});
