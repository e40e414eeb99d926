import { MigrationInterface, QueryRunner } from 'typeorm';

// The dashboard's record search (GET /dashboard/api/records?search=) by index, not by reading the table
// (issue 13: `LIKE '%…%'` on two columns took 4–5 s at a million records). See src/clients/record-search.ts
// for what a search matches.
// - MariaDB/MySQL: a FULLTEXT index over client_name and client_email, built without InnoDB's stopword
//   list (it drops words such as "com", "for", "with"), so that every word of 3 or more characters is
//   indexed as on SQLite. Adding the first FULLTEXT index rebuilds an InnoDB table (a hidden FTS_DOC_ID
//   column): on a large table this migration takes time that grows with the table (not measured) and
//   holds the table's metadata lock meanwhile.
// - SQLite: an FTS5 table over the same columns, external content (it stores the index, not a copy of
//   the text), kept in step with autoseo by triggers on insert, delete and update of those two columns.
export class RecordsSearch1732740000000 implements MigrationInterface {
  name = 'RecordsSearch1732740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql') {
      // Read when the index is created; the setting of this session only.
      await queryRunner.query('SET SESSION innodb_ft_enable_stopword = OFF');
      await queryRunner.query('CREATE FULLTEXT INDEX autoseo_search ON autoseo (client_name, client_email)');
      await queryRunner.query('SET SESSION innodb_ft_enable_stopword = DEFAULT');
      return;
    }
    await queryRunner.query(
      `CREATE VIRTUAL TABLE autoseo_search USING fts5(client_name, client_email, content='autoseo', content_rowid='id', ` +
        `tokenize="unicode61 remove_diacritics 2 tokenchars '_'")`,
    );
    await queryRunner.query(`CREATE TRIGGER autoseo_search_insert AFTER INSERT ON autoseo BEGIN
      INSERT INTO autoseo_search (rowid, client_name, client_email) VALUES (new.id, new.client_name, new.client_email);
    END`);
    await queryRunner.query(`CREATE TRIGGER autoseo_search_delete AFTER DELETE ON autoseo BEGIN
      INSERT INTO autoseo_search (autoseo_search, rowid, client_name, client_email)
        VALUES ('delete', old.id, old.client_name, old.client_email);
    END`);
    await queryRunner.query(`CREATE TRIGGER autoseo_search_update AFTER UPDATE OF client_name, client_email ON autoseo BEGIN
      INSERT INTO autoseo_search (autoseo_search, rowid, client_name, client_email)
        VALUES ('delete', old.id, old.client_name, old.client_email);
      INSERT INTO autoseo_search (rowid, client_name, client_email) VALUES (new.id, new.client_name, new.client_email);
    END`);
    // The records already there.
    await queryRunner.query(`INSERT INTO autoseo_search (autoseo_search) VALUES ('rebuild')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'mysql') {
      await queryRunner.query('DROP INDEX autoseo_search ON autoseo');
      // Rebuilds the table without the hidden FTS_DOC_ID column the index added, as it was before. Left in
      // place, a FULLTEXT index created again later misses the rows written while the first one existed
      // (seen on MariaDB 10.11: `up` after `down` found none of them until the table was rebuilt).
      await queryRunner.query('ALTER TABLE autoseo FORCE');
      return;
    }
    await queryRunner.query('DROP TRIGGER autoseo_search_update');
    await queryRunner.query('DROP TRIGGER autoseo_search_delete');
    await queryRunner.query('DROP TRIGGER autoseo_search_insert');
    await queryRunner.query('DROP TABLE autoseo_search');
  }
}
