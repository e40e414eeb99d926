// Where the time goes: each step of the request path (POST /clients) and of the job path, timed one at a
// time (sequentially, so each figure is a latency, not a contended throughput) inside the service compiled
// into bench/out/app. Run by bench/run.ts in a child process with the service's environment; prints JSON.
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getRepositoryToken } from '@nestjs/typeorm';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { join } from 'node:path';
import { DataSource, Repository } from 'typeorm';
import { clientBody } from '../test/support/clients';

const APP_DIR = process.env.BENCH_APP_DIR ?? join(__dirname, 'out', 'app');
/* eslint-disable @typescript-eslint/no-require-imports */
const app = (path: string) => require(join(APP_DIR, path));

interface Step {
  step: string;
  n: number;
  p50: number;
  mean: number;
}

async function time(step: string, n: number, action: (index: number) => unknown): Promise<Step> {
  for (let index = 0; index < Math.min(20, n); index++) await action(index); // warm-up
  const samples: number[] = [];
  for (let index = 0; index < n; index++) {
    const started = performance.now();
    await action(index);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { step, n, p50: samples[Math.floor(samples.length / 2)], mean: samples.reduce((sum, value) => sum + value, 0) / samples.length };
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_EXPLAIN_N ?? 300);
  const { AppModule } = app('app.module');
  const { loadConfig } = app('config/app-config');
  const { configureHttp } = app('http/configure-http');
  const { Client } = app('clients/client.entity');
  const { ClientsService } = app('clients/clients.service');
  const { CreateClientDto } = app('clients/dto/create-client.dto');
  const { SecretBox } = app('security/secret-box');
  const { CompanyContextState } = app('company-context/company-context.state');
  const { QUEUE_DRIVER } = app('company-context/queue-driver');
  const { AiClient } = app('ai/ai-client');

  const config = loadConfig();
  const nest: INestApplication = await NestFactory.create(AppModule.forRoot(config, { worker: false, migrate: false }), {
    bodyParser: false,
    logger: ['error'],
  });
  configureHttp(nest as never, config);
  await nest.listen(0, '127.0.0.1');
  const base = await nest.getUrl();
  const url = base.replace('[::1]', '127.0.0.1');

  const steps: Step[] = [];
  const post = () =>
    fetch(`${url}/clients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(clientBody()) }).then(
      (r) => r.arrayBuffer(),
    );
  steps.push(await time('HTTP GET /health/live (whole round trip)', n, () => fetch(`${url}/health/live`).then((r) => r.arrayBuffer())));
  steps.push(await time('HTTP POST /clients (whole round trip)', n, post));
  const invalid = JSON.stringify({ ...clientBody(), client_email: 'not an email' });
  steps.push(
    await time('HTTP POST /clients with one invalid field (400: parsing, validation, error filter; no database)', n, () =>
      fetch(`${url}/clients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: invalid }).then((r) =>
        r.arrayBuffer(),
      ),
    ),
  );

  {
    const driver = nest.get(QUEUE_DRIVER);
    const dispatch = driver.dispatch;
    driver.dispatch = () => Promise.resolve();
    steps.push(await time('HTTP POST /clients with the enqueue stubbed out (what the Bull add costs the request)', n, post));
    driver.dispatch = dispatch;
  }

  const bodies = Array.from({ length: n + 20 }, () => clientBody());
  steps.push(
    await time('  validation: plainToInstance + class-validator on the body', n, async (index) =>
      validate(plainToInstance(CreateClientDto, bodies[index]), { whitelist: true, forbidNonWhitelisted: true }),
    ),
  );
  const secrets = nest.get(SecretBox);
  steps.push(
    await time('  seal the two passwords (AES-256-GCM)', n, () => (secrets.seal('S3cret-password-1'), secrets.seal('App-s3cret-1'))),
  );
  const repository: Repository<Record<string, unknown>> = nest.get(getRepositoryToken(Client));
  const service = nest.get(ClientsService);
  steps.push(
    await time('  INSERT the record (repository.insert, autocommit)', n, (index) => {
      const dto = plainToInstance<{ company_context: string }, unknown>(CreateClientDto, bodies[index]);
      const now = new Date();
      const entity = repository.create({
        ...dto,
        ...CompanyContextState.initial(dto.company_context),
        pin: 'abcdef12',
        created_at: now,
        updated_at: now,
      });
      return repository.insert(entity);
    }),
  );
  const driver = nest.get(QUEUE_DRIVER);
  steps.push(
    await time('  enqueue the job (driver.dispatch: Bull add)', n, (index) => driver.dispatch({ clientId: 1_000_000 + index, version: 1 })),
  );
  steps.push(
    await time('  ClientsService.create (seal + INSERT; dispatch not awaited)', n, (index) =>
      service.create(plainToInstance(CreateClientDto, bodies[index])),
    ),
  );

  const dataSource = nest.get(DataSource);
  steps.push(await time('  database round trip: SELECT 1', n, () => dataSource.query('SELECT 1')));
  await dataSource.query('CREATE TABLE IF NOT EXISTS bench_probe (id INT PRIMARY KEY, v INT)');
  await dataSource.query(
    dataSource.options.type === 'mysql' ? 'REPLACE INTO bench_probe VALUES (1, 0)' : 'INSERT OR REPLACE INTO bench_probe VALUES (1, 0)',
  );
  steps.push(
    await time("  database: one autocommit UPDATE of one row (the commit's log flush)", n, () =>
      dataSource.query('UPDATE bench_probe SET v = v + 1 WHERE id = 1'),
    ),
  );
  await dataSource.query('DROP TABLE bench_probe');

  // The job path, on records made by the service.
  const state = nest.get(CompanyContextState);
  const ai = nest.get(AiClient);
  const ids: number[] = [];
  for (let index = 0; index < n + 20; index++) ids.push((await service.create(plainToInstance(CreateClientDto, clientBody()))).id);
  const claims: unknown[] = [];
  steps.push(
    await time('job: claim (UPDATE + SELECT of the claim)', n, async (index) =>
      claims.push(await state.claim({ clientId: ids[index], version: 1 })),
    ),
  );
  const rawClaims = ids.slice(0, n + 20).map((id) => id);
  steps.push(
    await time('job: the same claim as two hand-written SQL statements (dataSource.query), for comparison', n, async (index) => {
      const token = `bench-${index}-${Math.random().toString(16).slice(2, 10)}`;
      await dataSource.query(
        `UPDATE autoseo SET context_status = 'processing', context_attempts = context_attempts + 1, context_claimed_at = ?, context_claim_token = ?, updated_at = ? WHERE id = ? AND context_version = 1 AND context_status IN ('pending', 'processing')`,
        [new Date(), token, new Date(), rawClaims[index]],
      );
      return dataSource.query(
        `SELECT id, context_version, company_context_original, context_attempts FROM autoseo WHERE id = ? AND context_claim_token = ?`,
        [rawClaims[index], token],
      );
    }),
  );
  const original = (clientBody().company_context as string) ?? '';
  steps.push(await time('job: AI call to the fake answering at once (axios, prompt, answer cleaning)', n, () => ai.rewrite(original)));
  const aiUrl = process.env.AI_URL ?? '';
  const { PromptBuilder } = app('ai/prompt');
  const aiBody = JSON.stringify({ modelo: 'gpt-oss', prompt: nest.get(PromptBuilder).build(original), stream: false, temperature: 0.3 });
  steps.push(
    await time('job: the same HTTP call with Node fetch (undici), no axios, for comparison', n, () =>
      fetch(aiUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: aiBody }).then((r) => r.text()),
    ),
  );
  steps.push(
    await time('job: complete (UPDATE guarded by the claim token)', n, (index) =>
      state.complete(claims[index + 20] ?? claims[index], 'texto procesado '.repeat(60), 1_000),
    ),
  );

  await nest.close();
  process.stdout.write(`${JSON.stringify(steps)}\n`);
  process.exit(0);
}

main().catch((error: Error) => {
  process.stderr.write(`explain: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
