import { SelectQueryBuilder } from 'typeorm';
import { Client } from './client.entity';

/** Words shorter than this are not in MariaDB's FULLTEXT index (innodb_ft_min_token_size): a search ignores them on every database. */
export const MIN_SEARCH_WORD = 3;

/**
 * How many of the newest candidates (filters applied) a MariaDB search reads one by one before it asks the
 * index: InnoDB's FULLTEXT returns every match before one is sorted, so a word most records hold cost 15 s
 * at a million records, while reading this many records costs ~10 ms whatever the table's size.
 */
export const SEARCH_SAMPLE_ROWS = 5000;

/**
 * How a search reads its matches: `index` asks the word index (every match, then sorted), `scan` checks the
 * records the query reads anyway, one by one (what a narrow id range wants). Both find the same records.
 */
export type SearchReading = 'index' | 'scan';

/** The character class that is not part of a word, for MariaDB's REGEXP_REPLACE (PCRE): the complement of searchWords' runs. */
const NOT_A_WORD = '[^\\p{L}\\p{N}_]+';

/**
 * The words of a search: its runs of letters, digits and `_` (what both indexes call a word; anything
 * else, `%` and `.` and `@` included, only separates words), of MIN_SEARCH_WORD characters or more.
 */
export function searchWords(search: string): string[] {
  return (search.match(/[\p{L}\p{N}_]+/gu) ?? []).filter((word) => [...word].length >= MIN_SEARCH_WORD);
}

/**
 * Narrows a query of `client` to the records whose name or e-mail has, for every word of the search, a
 * word that starts with it (case and accents aside): "panader sur" finds "Panadería Sur", "ventas_sur"
 * finds ventas_sur@pan.example. `index` reads the word index (migration 1732740000000-records-search:
 * FULLTEXT on MariaDB, FTS5 on SQLite), never the table; `scan` (MariaDB) checks each record the query
 * reads: its words, separated by spaces, compared with LIKE in the column's collation, as the index does.
 * A search without a word to look for matches nothing.
 */
export function whereSearchMatches(
  builder: SelectQueryBuilder<Client>,
  search: string,
  reading: SearchReading = 'index',
): SelectQueryBuilder<Client> {
  const words = searchWords(search);
  if (words.length === 0) return builder.andWhere('1 = 0');
  if (builder.connection.options.type === 'mysql') {
    if (reading === 'scan') {
      const text = `CONCAT(' ', REGEXP_REPLACE(CONCAT_WS(' ', client.client_name, client.client_email), :searchNotAWord, ' '))`;
      builder.setParameter('searchNotAWord', NOT_A_WORD);
      // `_` is the one LIKE wildcard a word can hold.
      words.forEach((word, index) =>
        builder.andWhere(`${text} LIKE :searchWord${index}`, { [`searchWord${index}`]: `% ${word.replace(/_/g, '\\_')}%` }),
      );
      return builder;
    }
    // Boolean mode: `+` every word is required, `*` a prefix. The words hold no operator character.
    const terms = words.map((word) => `+${word}*`).join(' ');
    return builder.andWhere('MATCH (client.client_name, client.client_email) AGAINST (:searchTerms IN BOOLEAN MODE)', {
      searchTerms: terms,
    });
  }
  // FTS5: each word a quoted prefix (a quoted word holds no operator either), all of them required.
  const terms = words.map((word) => `"${word}"*`).join(' AND ');
  return builder.andWhere('client.id IN (SELECT rowid FROM autoseo_search WHERE autoseo_search MATCH :searchTerms)', {
    searchTerms: terms,
  });
}
