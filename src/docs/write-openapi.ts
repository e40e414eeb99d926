import { NestFactory } from '@nestjs/core';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import { loadConfig } from '../config/app-config';
import { buildOpenApiDocument, OPENAPI_FILE } from './openapi';

/**
 * `npm run openapi`: writes docs/openapi.json from the code. The application is only previewed (no provider
 * runs), so it needs no database, queue or configuration.
 */
async function main(): Promise<void> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', QUEUE_CONNECTION: 'sync' });
  const app = await NestFactory.create(AppModule.forRoot(config, { worker: false, migrate: false }), { preview: true, logger: false });
  const file = join(__dirname, '..', '..', OPENAPI_FILE);
  writeFileSync(file, JSON.stringify(buildOpenApiDocument(app), null, 2) + '\n');
  await app.close();
  process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
}

void main();
