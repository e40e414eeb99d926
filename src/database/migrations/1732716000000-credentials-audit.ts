import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';

// Every attempt to read a record's stored credentials back (GET /clients/:id/credentials, clients:credentials),
// allowed or refused. No foreign key to autoseo: the trail outlives the record.
export class CredentialsAudit1732716000000 implements MigrationInterface {
  name = 'CredentialsAudit1732716000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'credentials_audit',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'client_id', type: 'integer' },
          { name: 'caller', type: 'varchar', length: '64' },
          { name: 'token_fingerprint', type: 'varchar', length: '16', isNullable: true },
          { name: 'allowed', type: 'boolean' },
          { name: 'reason', type: 'varchar', length: '32' },
        ],
      }),
    );
    await queryRunner.createIndex(
      'credentials_audit',
      new TableIndex({ name: 'credentials_audit_client', columnNames: ['client_id', 'id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('credentials_audit');
  }
}
