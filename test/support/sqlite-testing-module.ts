import { LoggerService, ModuleMetadata } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { getRepositoryToken, TypeOrmModule } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Client } from '../../src/clients/client.entity';
import { AppConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { CompanyContextState } from '../../src/company-context/company-context.state';
import { DatabaseModule } from '../../src/database/database.module';
import { clientBody } from './clients';

/** The DATABASE_URL of a fresh SQLite database in memory, private to one testing module. */
export const SQLITE_MEMORY = 'sqlite::memory:';

/**
 * A Nest testing module over a real SQLite database (DATABASE_URL=sqlite::memory:, migrated at start as
 * the application migrates), with the `autoseo` repository and whatever `metadata` adds.
 */
export async function sqliteTestingModule(config: AppConfig, metadata: ModuleMetadata, logger?: LoggerService): Promise<TestingModule> {
  if (config.database.type !== 'sqlite') throw new Error('sqliteTestingModule needs a sqlite: DATABASE_URL');
  const builder = Test.createTestingModule({
    ...metadata,
    imports: [
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot({ migrate: true }),
      TypeOrmModule.forFeature([Client]),
      ...(metadata.imports ?? []),
    ],
  });
  if (logger) builder.setLogger(logger);
  const moduleRef = await builder.compile();
  await moduleRef.init();
  return moduleRef;
}

/** Stores a client whose company context waits for its first attempt, as POST /clients stores it. */
export async function insertClient(moduleRef: TestingModule, original: string): Promise<Client> {
  const clients = moduleRef.get<Repository<Client>>(getRepositoryToken(Client));
  const now = new Date();
  const body = clientBody({ company_context: original }) as Partial<Client>;
  const client = clients.create({
    ...body,
    ...CompanyContextState.initial(original, now),
    pin: 'abcd1234',
    created_at: now,
    updated_at: now,
  });
  await clients.insert(client);
  return client;
}

/** The record as stored now (throws when it is gone). */
export function storedClient(moduleRef: TestingModule, id: number): Promise<Client> {
  return moduleRef.get<Repository<Client>>(getRepositoryToken(Client)).findOneByOrFail({ id });
}
