import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

// How long the last AI call for a record took, so operators can tune AI_TIMEOUT_MS and QUEUE_CONCURRENCY
// from what the server really does.
export class ContextAiMs1732714000000 implements MigrationInterface {
  name = 'ContextAiMs1732714000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn('autoseo', new TableColumn({ name: 'context_ai_ms', type: 'integer', isNullable: true }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('autoseo', 'context_ai_ms');
  }
}
