import { SelectQueryBuilder } from 'typeorm';
import { Client } from './client.entity';

/** Words shorter than this are not in MariaDB's FULLTEXT index (innodb_ft_min_token_size): a search ignores them on every database. */
export const MIN_SEARCH_WORD = 3;

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
 * finds ventas_sur@pan.example. Read from an index (migration 1732740000000-records-search: FULLTEXT on
 * MariaDB, FTS5 on SQLite), never by reading the table. A search without a word to look for matches nothing.
 */
export function whereSearchMatches(builder: SelectQueryBuilder<Client>, search: string): SelectQueryBuilder<Client> {
  const words = searchWords(search);
  if (words.length === 0) return builder.andWhere('1 = 0');
  if (builder.connection.options.type === 'mysql') {
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
