// Private MariaDB and Redis servers for the chaos run: started from folders of their own on free loopback
// ports, so the run may kill and restart them without touching the machine's services.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { sleep } from '../../bench/lib/common';
import { ServiceProcess } from '../../bench/lib/processes';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until(description: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${description} not ready within ${timeoutMs} ms`);
    await sleep(100);
  }
}

abstract class PrivateServer {
  process?: ServiceProcess;

  constructor(readonly port: number) {}

  protected abstract spawnServer(): ServiceProcess;
  protected abstract ready(): Promise<boolean>;

  async start(): Promise<void> {
    this.process = this.spawnServer();
    const started = this.process;
    await until(
      this.constructor.name,
      async () => {
        if (started.exited) throw new Error(`${started.name} exited (code ${started.exitCode}):\n${started.output.text()}`);
        return this.ready();
      },
      60_000,
    );
  }

  /** Stops the server with `signal` (SIGTERM: a clean shutdown; SIGKILL: a crash) and waits for it to go. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const current = this.process;
    if (!current || current.exited) return;
    current.child.kill(signal);
    await current.waitForExit(60_000);
  }
}

export class PrivateMariaDb extends PrivateServer {
  constructor(
    port: number,
    private readonly dir: string,
  ) {
    super(port);
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/chaos`;
  }

  /** mariadb-install-db into an empty folder, then the server, then the `chaos` database. */
  async install(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    execFileSync(
      'mariadb-install-db',
      ['--no-defaults', `--datadir=${this.dir}`, '--user=root', '--auth-root-authentication-method=normal'],
      {
        stdio: 'ignore',
      },
    );
    await this.start();
    const connection = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root' });
    await connection.query('CREATE DATABASE chaos');
    await connection.end();
  }

  protected spawnServer(): ServiceProcess {
    const args = [
      '--no-defaults',
      `--datadir=${this.dir}`,
      `--port=${this.port}`,
      `--socket=${join(this.dir, 's.sock')}`,
      '--user=root',
      '--bind-address=127.0.0.1',
      '--innodb-buffer-pool-size=64M',
      '--skip-log-bin',
    ];
    return new ServiceProcess('mariadbd', spawn('mariadbd', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  protected async ready(): Promise<boolean> {
    const connection = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', connectTimeout: 1_000 });
    await connection.end();
    return true;
  }
}

export class PrivateRedis extends PrivateServer {
  constructor(
    port: number,
    private readonly dir: string,
  ) {
    super(port);
    mkdirSync(dir, { recursive: true });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Removes what Redis kept on disk (its append-only file): the next start begins empty. */
  wipe(): void {
    for (const name of readdirSync(this.dir)) rmSync(join(this.dir, name), { recursive: true, force: true });
  }

  protected spawnServer(): ServiceProcess {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', this.dir];
    return new ServiceProcess('redis-server', spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  protected ready(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = new Socket();
      let answer = '';
      socket.setTimeout(1_000, () => socket.destroy());
      socket.on('data', (chunk) => {
        answer += chunk.toString();
        if (answer.includes('\r\n')) socket.end();
      });
      socket.on('close', () => resolve(answer.startsWith('+PONG')));
      socket.on('error', () => resolve(false));
      socket.connect(this.port, '127.0.0.1', () => socket.write('PING\r\n'));
    });
  }
}
