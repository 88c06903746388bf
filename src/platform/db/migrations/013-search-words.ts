import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

// Latin letters with accents and their bare forms: the fold used when `unaccent` cannot be created.
const ACCENTED = 'àáâãäåāăąçćčďèéêëēėęěìíîïīįñńňòóôõöōőŕřśšşťùúûüūůűųýÿźżž';
const BARE = Array.from(ACCENTED, (c) => c.normalize('NFD')[0]).join('');

/** Creates a trusted extension in `public` if it can; returns its schema, or null when it is unavailable. */
async function tryExtension(db: Kysely<unknown>, name: string): Promise<string | null> {
  const find = () =>
    sql<{ schema: string }>`select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
      where e.extname = ${name}`.execute(db);
  let found = (await find()).rows[0];
  if (!found) {
    // In `public`, never in a schema that may be dropped with one store's data (tests, the bench).
    await sql`savepoint try_extension`.execute(db);
    try {
      await sql`create extension if not exists ${sql.id(name)} schema public`.execute(db);
      await sql`release savepoint try_extension`.execute(db);
    } catch {
      await sql`rollback to savepoint try_extension`.execute(db);
      return null;
    }
    found = (await find()).rows[0];
  }
  return found?.schema ?? null;
}

const vectors = (fold: string) => [
  sql`alter table products add column search_vector tsvector generated always as (
    setweight(to_tsvector('simple', ${sql.raw(fold)}(sku)), 'A') ||
    setweight(to_tsvector('simple', ${sql.raw(fold)}(name)), 'A') ||
    setweight(to_tsvector('simple', ${sql.raw(fold)}(summary)), 'B') ||
    setweight(to_tsvector('simple', ${sql.raw(fold)}(description)), 'C')
  ) stored`,
  sql`alter table products add column name_vector tsvector generated always as (
    to_tsvector('simple', ${sql.raw(fold)}(sku || ' ' || name))
  ) stored`,
  sql`create index products_search on products using gin (search_vector) where status = 'active'`,
  sql`create index products_name_search on products using gin (name_vector) where status = 'active'`,
];

/**
 * Search that forgives typos and accents. `search_words`: the catalog's distinct words (lower-case,
 * accents removed, not only digits), added to by every catalog write; a typo is matched against them. SQLite keeps
 * each word's trigrams beside it (`search_word_trigrams`) to find the candidates; PostgreSQL uses a
 * `pg_trgm` index and the function `search_similar_words(q, n)`, which falls back to words sharing
 * the first two letters when the extension cannot be created. PostgreSQL's text vectors are rebuilt
 * over `search_fold` (`unaccent`, or a fixed table of Latin accents without it) so "cafe" finds
 * "café"; SQLite's FTS5 index already folds them.
 */
export function searchWords(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'sqlite') {
        await sql`create table search_words (word text primary key) without rowid`.execute(db);
        await sql`create table search_word_trigrams (trigram text not null, word text not null, primary key (trigram, word)) without rowid`.execute(
          db,
        );
        await sql`create virtual table temp.products_fts_words using fts5vocab(main, products_fts, row)`.execute(db);
        await sql`insert or ignore into search_words (word) select term from temp.products_fts_words where length(term) >= 3 and term glob '*[^0-9]*'`.execute(
          db,
        );
        await sql`drop table temp.products_fts_words`.execute(db);
        await sql`insert or ignore into search_word_trigrams (trigram, word)
          with recursive g(word, padded, i) as (
            select word, '^' || word || '$', 1 from search_words
            union all select word, padded, i + 1 from g where i + 3 <= length(padded)
          ) select substr(padded, i, 3), word from g`.execute(db);
        return;
      }
      const trgm = await tryExtension(db, 'pg_trgm');
      const unaccent = await tryExtension(db, 'unaccent');
      // Declared immutable so generated columns may use it: the unaccent rules do not change under a store.
      const body = unaccent
        ? `select ${unaccent}.unaccent('${unaccent}.unaccent'::regdictionary, lower($1))`
        : `select translate(lower($1), '${ACCENTED}', '${BARE}')`;
      await sql`create function search_fold(text) returns text language sql immutable strict parallel safe as ${sql.lit(body)}`.execute(db);
      await sql`drop index products_name_search`.execute(db);
      await sql`drop index products_search`.execute(db);
      await sql`alter table products drop column name_vector`.execute(db);
      await sql`alter table products drop column search_vector`.execute(db);
      for (const statement of vectors('search_fold')) await statement.execute(db);
      // Byte order (C), so "words starting with x" is a range of the primary key.
      await sql`create table search_words (word text collate "C" primary key)`.execute(db);
      await sql`insert into search_words (word)
        select distinct w from products, unnest(tsvector_to_array(search_vector)) w where length(w) >= 3 and w ~ '[^0-9]'`.execute(db);
      const similar = trgm
        ? `select word from search_words where word operator(${trgm}.%) $1 order by ${trgm}.similarity(word, $1) desc, word limit $2`
        : `select word from search_words where word like left($1, 2) || '%' and abs(length(word) - length($1)) <= 2 limit $2`;
      if (trgm)
        await sql`create index search_words_trigrams on search_words using gin (word ${sql.raw(`${trgm}.gin_trgm_ops`)})`.execute(db);
      await sql`create function search_similar_words(text, integer) returns setof text language sql stable as ${sql.lit(similar)}`.execute(
        db,
      );
    },
    async down(db: Kysely<unknown>) {
      if (dialect === 'sqlite') {
        await sql`drop table search_word_trigrams`.execute(db);
        await sql`drop table search_words`.execute(db);
        return;
      }
      await sql`drop function search_similar_words(text, integer)`.execute(db);
      await sql`drop table search_words`.execute(db);
      await sql`alter table products drop column name_vector`.execute(db);
      await sql`alter table products drop column search_vector`.execute(db);
      await sql`drop function search_fold(text)`.execute(db);
      // The vectors of migration 002, without folding (the extensions stay: other stores may use them).
      for (const statement of vectors('')) await statement.execute(db);
    },
  };
}
