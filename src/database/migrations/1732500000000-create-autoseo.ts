import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

const varchar = (name: string, length = 255, isNullable = false) => ({ name, type: 'varchar', length: String(length), isNullable });
const timestamp = (name: string, isNullable = false) => ({ name, type: 'datetime', precision: 3, isNullable });

// Written with TypeORM's schema builder so the same migration runs on MySQL/MariaDB and SQLite.
export class CreateAutoseo1732500000000 implements MigrationInterface {
  name = 'CreateAutoseo1732500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'autoseo',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          varchar('client_name'),
          varchar('client_email'),
          varchar('url'),
          varchar('username'),
          { name: 'password', type: 'text' },
          varchar('user_app'),
          { name: 'password_app', type: 'text' },
          varchar('CompanyName', 255, true),
          varchar('AddressLine1', 255, true),
          varchar('Locality', 255, true),
          varchar('AdminDistrict', 255, true),
          varchar('PostalCode', 20, true),
          varchar('CountryRegion', 2, true),
          { name: 'company_context', type: 'text' },
          { name: 'company_context_original', type: 'text' },
          varchar('context_status', 16),
          { name: 'context_version', type: 'integer' },
          { name: 'context_attempts', type: 'integer' },
          varchar('context_error', 500, true),
          timestamp('context_processed_at', true),
          timestamp('context_available_at', true),
          timestamp('context_claimed_at', true),
          varchar('context_claim_token', 36, true),
          varchar('pin', 8),
          timestamp('created_at'),
          timestamp('updated_at'),
        ],
      }),
    );
    await queryRunner.createIndex(
      'autoseo',
      new TableIndex({ name: 'autoseo_context_queue', columnNames: ['context_status', 'context_available_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('autoseo');
  }
}
