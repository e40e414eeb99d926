import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';

// js-yaml arrives with nest-commander (through cosmiconfig) and ships no types here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml: { load(text: string): unknown } = require('js-yaml');

/**
 * The deployment files of docker/ run the same commands as the docs and the tests, and give a worker
 * enough time to finish its job in flight. docker/validate.sh checks more (and runs the commands);
 * this keeps the essentials in `npm test`.
 */
const root = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');
const readJson = (file: string) => JSON.parse(read(file));

interface ComposeService {
  command?: string | string[];
  environment?: Record<string, string> | string[];
  stop_grace_period?: string;
  depends_on?: Record<string, { condition?: string }>;
}
const compose = yaml.load(read('docker/compose.yaml')) as { services: Record<string, ComposeService> };
const commandOf = (service: string): string => {
  const command = compose.services[service]?.command;
  return Array.isArray(command) ? command.join(' ') : String(command);
};

const packageJson = readJson('package.json');
/** `node dist/cli.js`: the package's bin, what `npm run cli` and the tests' CLI helper run. */
const cli = `node ${packageJson.bin.autoseo}`;
/**
 * The heap flags of the long-running processes, written once in package.json: start:prod (the API) and
 * work:prod (a worker). Every deployment file runs them with the same flags, and the benchmark reads them there.
 */
const heapFlagsOf = (script: string): string => /^node((?: --[\w-]+=\d+)+) dist\//.exec(packageJson.scripts[script])?.[1].trim() ?? '';
const apiFlags = heapFlagsOf('start:prod');
const workerFlags = heapFlagsOf('work:prod');
/** `node <worker's heap flags> dist/cli.js queue:work`: a worker's command line. */
const workCommand = `node ${workerFlags} ${packageJson.bin.autoseo} queue:work`;
/** What a stop timeout must exceed: a job in flight may run JOB_TIMEOUT_MS, plus 5 s to close. */
const minimumStopSeconds = (loadConfig({}).queue.jobTimeoutMs + 5_000) / 1000;

/** "75s", "1m15s", "1m" (compose durations) in seconds. */
function durationSeconds(value: string | undefined): number {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(value ?? '');
  if (!value || !match) throw new Error(`not a duration: ${value}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

/** A systemd unit's or supervisor program's `key=value` lines (the last value of each key wins). */
function keyValues(file: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of read(file).split('\n')) {
    const match = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line.trim());
    if (match) values[match[1]] = match[2].trim();
  }
  return values;
}

interface Stage {
  name: string;
  lines: string[];
}
/** The Dockerfile's stages, with continuation lines joined and comments dropped. */
function dockerfileStages(): Stage[] {
  const stages: Stage[] = [];
  const lines = read('docker/Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ name: from[2] ?? String(stages.length), lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

/** Where `nest build` puts the compiled `src/<name>.ts`. */
function compiledEntry(name: string): string {
  const tsconfig = readJson('tsconfig.json');
  const build = readJson('tsconfig.build.json');
  const outDir = (build.compilerOptions?.outDir ?? tsconfig.compilerOptions.outDir).replace(/^\.\//, '');
  const rootDir = (build.compilerOptions?.rootDir ?? tsconfig.compilerOptions.rootDir).replace(/^\.\//, '');
  expect(rootDir).toBe(readJson('nest-cli.json').sourceRoot);
  expect(existsSync(join(root, rootDir, `${name}.ts`))).toBe(true);
  return `${outDir}/${name}.js`;
}

/** Names of the nest-commander commands declared in src/commands. */
function declaredCommands(): string[] {
  const directory = join(root, 'src', 'commands');
  return readdirSync(directory)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => [...readFileSync(join(directory, file), 'utf8').matchAll(/@Command\(\{\s*name:\s*'([^']+)'/g)].map((m) => m[1]));
}

describe('Deployment files (docker/)', () => {
  it('run entry files that nest build makes from src/main.ts and src/cli.ts', () => {
    expect(readJson('nest-cli.json').entryFile).toBe('main');
    expect(apiFlags).toMatch(/--max-old-space-size=\d+/);
    expect(workerFlags).toMatch(/--max-old-space-size=\d+/);
    expect(packageJson.scripts['start:prod']).toBe(`node ${apiFlags} ${compiledEntry('main')}`);
    expect(packageJson.scripts['work:prod']).toBe(workCommand);
    expect(packageJson.scripts.worker).toMatch(new RegExp(` node ${workerFlags} ${compiledEntry('worker').replace(/\./g, '\\.')}$`));
    expect(packageJson.bin.autoseo).toBe(compiledEntry('cli'));
    expect(packageJson.scripts.cli).toMatch(new RegExp(`${cli.replace(/\./g, '\\.')}$`));
    expect(declaredCommands()).toEqual(expect.arrayContaining(['queue:work', 'migration:run']));
  });

  it('compose runs the API, the worker and the migrations with the documented commands', () => {
    expect(commandOf('api')).toBe(packageJson.scripts['start:prod']);
    expect(commandOf('worker')).toBe(workCommand);
    expect(commandOf('migrate')).toBe(`${cli} migration:run`);
    expect(read('README.md')).toContain(`${cli} migration:run`);
  });

  it('compose starts the API and the workers after the migrations, with dedicated workers', () => {
    for (const service of ['api', 'worker']) {
      expect(compose.services[service].depends_on?.migrate?.condition).toBe('service_completed_successfully');
    }
    expect(compose.services.api.environment).toMatchObject({ RUN_WORKER: 'false', DB_MIGRATE: 'false', QUEUE_CONNECTION: 'redis' });
  });

  it('compose gives a stopping worker more than JOB_TIMEOUT_MS + 5 s', () => {
    expect(durationSeconds(compose.services.worker.stop_grace_period)).toBeGreaterThan(minimumStopSeconds);
  });

  it('the Dockerfile runs the API as a non-root user with production dependencies only', () => {
    const stages = dockerfileStages();
    const final = stages.at(-1)!;
    const user = final.lines.filter((line) => /^USER\s/i.test(line)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|$)/i);
    expect(final.lines.findIndex((line) => /^USER\s/i.test(line))).toBeLessThan(final.lines.findIndex((line) => /^CMD\s/i.test(line)));
    expect(final.lines).toContain(`CMD ${JSON.stringify(packageJson.scripts['start:prod'].split(' ')).replace(/","/g, '", "')}`);

    // node_modules comes from a stage that installed with --omit=dev, and nothing is installed after.
    const prodDeps = stages.find((stage) => stage.lines.some((line) => /^RUN\s.*npm ci\b.*--omit=dev/.test(line)));
    expect(prodDeps).toBeDefined();
    expect(final.lines).toContainEqual(expect.stringMatching(new RegExp(`^COPY\\s+--from=${prodDeps!.name}\\s+\\S*node_modules`)));
    expect(final.lines.filter((line) => /npm (ci|install)/.test(line))).toEqual([]);
  });

  it('supervisor runs the worker command and waits longer than a job for it to stop', () => {
    const program = keyValues('docker/supervisor/autoseo-worker.conf');
    expect(program.command).toMatch(new RegExp(`^\\S*node ${workerFlags}(\\s+--env-file=\\S+)?\\s+\\S+/dist/cli\\.js queue:work$`));
    expect(program.stopsignal).toBe('TERM');
    expect(Number(program.stopwaitsecs)).toBeGreaterThan(minimumStopSeconds);
    expect(program.user).not.toBe('root');
  });

  it.each([
    ['autoseo-api.service', packageJson.scripts['start:prod'] as string],
    ['autoseo-worker@.service', workCommand],
  ])('systemd %s runs %s and waits longer than a job for it to stop', (unit, command) => {
    const service = keyValues(`docker/systemd/${unit}`);
    expect(service.ExecStart).toMatch(new RegExp(`^/\\S*/${command.replace(/\./g, '\\.')}$`));
    expect(service.KillSignal).toBe('SIGTERM');
    expect(Number(service.TimeoutStopSec)).toBeGreaterThan(minimumStopSeconds);
    expect(service.User).toBeDefined();
    expect(service.User).not.toBe('root');
  });
});
