import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

// Indexes that keep the daily reads flat as the table grows (issue 13):
// - a status filter newest first reads (context_status, id) from its end, instead of sorting every match;
// - the failed jobs still listed (queue counts, queue:failed) are a range of (context_status, context_failed_at),
//   counted from the index alone instead of reading each failed row;
// - the dashboard's 24-hour timeline counts a range of context_processed_at instead of reading the table.
export class ListAndCountIndexes1732730000000 implements MigrationInterface {
  name = 'ListAndCountIndexes1732730000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('autoseo', new TableIndex({ name: 'autoseo_status_id', columnNames: ['context_status', 'id'] }));
    await queryRunner.createIndex(
      'autoseo',
      new TableIndex({ name: 'autoseo_context_failed', columnNames: ['context_status', 'context_failed_at'] }),
    );
    await queryRunner.createIndex(
      'autoseo',
      new TableIndex({ name: 'autoseo_context_processed_at', columnNames: ['context_processed_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('autoseo', 'autoseo_context_processed_at');
    await queryRunner.dropIndex('autoseo', 'autoseo_context_failed');
    await queryRunner.dropIndex('autoseo', 'autoseo_status_id');
  }
}
