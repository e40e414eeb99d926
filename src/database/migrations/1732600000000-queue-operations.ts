import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

// What the queue commands need from the database: when a record's job failed for good (queue:failed lists
// it until queue:forget/flush clear this), and the pause flag that workers of the `database` driver share.
export class QueueOperations1732600000000 implements MigrationInterface {
  name = 'QueueOperations1732600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'autoseo',
      new TableColumn({ name: 'context_failed_at', type: 'datetime', precision: 3, isNullable: true }),
    );
    // Pending records are due from when they were queued (workers look them up by this column).
    await queryRunner.query(
      "UPDATE autoseo SET context_available_at = updated_at WHERE context_status = 'pending' AND context_available_at IS NULL",
    );
    await queryRunner.createTable(
      new Table({
        name: 'queue_state',
        columns: [
          { name: 'queue', type: 'varchar', length: '64', isPrimary: true },
          { name: 'paused', type: 'boolean', default: false },
          { name: 'updated_at', type: 'datetime', precision: 3 },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('queue_state');
    await queryRunner.dropColumn('autoseo', 'context_failed_at');
  }
}
