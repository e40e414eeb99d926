import { execFile } from 'node:child_process';
import { join } from 'node:path';

/**
 * What each process's module graph loads, by its files: a worker (worker.ts, queue:work) none of the API's,
 * a queue command on the `database` driver neither Bull nor the AI client. Each case runs in a child
 * process of its own, which requires the root module's files as the entry point does, lets
 * QueueConnectionModule load the configured driver, and answers the files then in require.cache.
 */

const root = join(__dirname, '..', '..');

interface Loaded {
  packages: string[];
  sources: string[];
}

/** `script` runs in the child (CommonJS, TypeScript through ts-node) with `config`, an AppConfig for `connection`. */
function loadedBy(connection: string, script: string): Promise<Loaded> {
  const program = `
    const { loadConfig } = require('./src/config/app-config');
    const config = loadConfig({ QUEUE_CONNECTION: '${connection}', DATABASE_URL: 'sqlite::memory:' });
    Promise.resolve((async () => { ${script} })()).then(() => {
      const files = Object.keys(require.cache);
      const packageOf = (file) => {
        const [scope, name] = file.split('/node_modules/').pop().split('/');
        return scope.startsWith('@') ? scope + '/' + name : scope;
      };
      process.stdout.write(JSON.stringify({
        packages: [...new Set(files.filter((file) => file.includes('/node_modules/')).map(packageOf))],
        sources: files.filter((file) => file.startsWith(${JSON.stringify(join(root, 'src'))})).map((file) => file.slice(${root.length + 1})),
      }));
    });
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', program],
      { cwd: root, env: { PATH: process.env.PATH, TS_NODE_PROJECT: join(root, 'tsconfig.json') }, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout) as Loaded)),
    );
  });
}

/** Imports that the root module's forRoot returns as promises (QueueConnectionModule's) are awaited, as Nest does. */
const WORKER_GRAPH = `
  const { WorkerModule } = require('./src/worker.module');
  require('./src/commands/queue-work.module');
  await Promise.all(WorkerModule.forRoot(config, { worker: true, migrate: false }).imports);
`;

const QUEUE_COMMANDS_GRAPH = `
  const { QueueConnectionModule } = require('./src/company-context/queue-connection.module');
  require('./src/config/config.module');
  require('./src/database/database.module');
  require('./src/commands/queue-commands.module');
  await QueueConnectionModule.forRoot(config, { worker: false });
`;

/**
 * The API's own libraries and folders: HTTP, Swagger, health checks, rate limit, and what only its routes use
 * (the entities stay: the database connection registers every table).
 */
const API_PACKAGES = ['@nestjs/swagger', '@nestjs/platform-express', '@nestjs/terminus', '@nestjs/throttler', 'express', 'helmet'];
const API_SOURCES =
  /^src\/(clients\/clients\.(controller|service|module)|credentials\/(?!credentials-audit\.entity)|dashboard|docs|health|http|security\/security\.module)/;

describe('Module graphs', () => {
  it("a worker's graph (WorkerModule, queue:work's module) loads none of the API's modules nor their libraries", async () => {
    const loaded = await loadedBy('redis', WORKER_GRAPH);

    // What it must load, so that the absences below mean something.
    expect(loaded.packages).toEqual(expect.arrayContaining(['@nestjs/core', 'typeorm', 'bull', 'axios', 'prom-client']));
    expect(loaded.sources).toEqual(
      expect.arrayContaining(['src/company-context/company-context.processor.ts', 'src/metrics/metrics-listener.ts']),
    );
    expect(loaded.packages.filter((name) => API_PACKAGES.includes(name))).toEqual([]);
    expect(loaded.sources.filter((file) => API_SOURCES.test(file))).toEqual([]);
  });

  it('the queue commands on the database driver load neither Bull, ioredis nor the AI client; on redis, Bull', async () => {
    const [database, redis] = await Promise.all([loadedBy('database', QUEUE_COMMANDS_GRAPH), loadedBy('redis', QUEUE_COMMANDS_GRAPH)]);

    expect(database.sources).toEqual(expect.arrayContaining(['src/company-context/drivers/database-queue.driver.ts']));
    expect(database.packages.filter((name) => ['bull', '@nestjs/bull', 'ioredis', 'axios', '@nestjs/axios'].includes(name))).toEqual([]);
    expect(database.sources.filter((file) => file.startsWith('src/ai/') || file.includes('redis-queue'))).toEqual([]);
    expect(database.packages.filter((name) => API_PACKAGES.includes(name))).toEqual([]);

    expect(redis.packages).toEqual(expect.arrayContaining(['bull', '@nestjs/bull', 'ioredis']));
    expect(redis.sources.filter((file) => file.startsWith('src/ai/'))).toEqual([]);
  });
});
