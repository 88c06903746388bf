import { sql } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import { postgresTsquery, sqliteMatchExpression, trigramsOf, type SearchQuery } from './search-query.js';

/** How many matches a search ranks at most per source (anywhere, by name); see searchActive. */
export const SEARCH_CANDIDATES = 240;

/** How many known words a typo is compared with at most: the most alike by trigrams. */
export const SIMILAR_WORDS = 40;

/** Rows per multi-row insert (both catalog repos): under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters. */
export const chunkRows = (columns: number) => Math.floor(30_000 / columns);

/** Search tables: the full-text indexes over products and the catalog's word list for typos. */
export function createSearchRepo(db: Database) {
  /**
   * Adds words to the catalog's word list (what typos are matched against), with their trigrams on
   * SQLite. Words are never removed: a stale one only costs a search that finds nothing, and the
   * caller suggests a correction only when it finds products.
   */
  async function addSearchWords(words: string[], tx: Executor = db.kysely) {
    for (let i = 0; i < words.length; i += chunkRows(1)) {
      const added = await tx
        .insertInto('search_words')
        .values(words.slice(i, i + chunkRows(1)).map((word) => ({ word })))
        .onConflict((oc) => oc.column('word').doNothing())
        .returning('word')
        .execute();
      if (db.dialect !== 'sqlite' || added.length === 0) continue;
      const grams = added.flatMap(({ word }) => trigramsOf(word).map((trigram) => ({ trigram, word })));
      for (let j = 0; j < grams.length; j += chunkRows(2))
        await tx
          .insertInto('search_word_trigrams')
          .values(grams.slice(j, j + chunkRows(2)))
          .onConflict((oc) => oc.columns(['trigram', 'word']).doNothing())
          .execute();
    }
  }

  return {
    addSearchWords,

    /**
     * Known words most alike a (folded) term, most alike first, for the caller to pick a correction
     * from by edit distance. SQLite: words sharing the most trigrams. PostgreSQL: pg_trgm similarity
     * through search_similar_words (words sharing the first two letters where pg_trgm is missing).
     */
    async findSimilarWords(term: string, tx: Executor = db.kysely): Promise<string[]> {
      const { rows } =
        db.dialect === 'sqlite'
          ? await sql<{ word: string }>`select word from search_word_trigrams where trigram in (${sql.join(trigramsOf(term))})
              group by word order by count(*) desc, word limit ${SIMILAR_WORDS}`.execute(tx)
          : await sql<{ word: string }>`select search_similar_words as word from search_similar_words(${term}, ${SIMILAR_WORDS})`.execute(
              tx,
            );
      return rows.map((r) => r.word);
    },

    /**
     * Ranked full-text search over active products: ids, best first. Ranking every match of a broad
     * word would cost time in proportion to the catalog, so the candidates are the newest
     * SEARCH_CANDIDATES products matching anywhere, plus the newest as many matching by name or SKU,
     * plus an exact SKU; those are ranked (exact SKU first, then sku/name weighted over summary over
     * description). `capped` says a limit was reached. All candidates are returned (at most twice
     * SEARCH_CANDIDATES and one), so one query serves every page. Terms are pre-tokenised words only:
     * never raw user input.
     */
    async searchActive(query: SearchQuery, tx: Executor = db.kysely): Promise<{ ids: number[]; capped: boolean }> {
      const cap = SEARCH_CANDIDATES;
      const sku = query.sku ?? '';
      const words = query.terms.length > 0;
      // Lower rank is better on both engines (bm25 is negative; ts_rank is negated).
      const ranked =
        db.dialect === 'sqlite'
          ? sql`
            matched as materialized (${
              words
                ? sql`select rowid as id, bm25(products_fts, 10.0, 10.0, 4.0, 1.0) as rank from products_fts
              where products_fts match ${sqliteMatchExpression(query.terms)} order by rowid desc limit ${cap}`
                : sql`select 0 as id, 0.0 as rank where 0`
            }),
            named as materialized (${
              words
                ? sql`select rowid as id, bm25(products_fts, 10.0, 10.0, 4.0, 1.0) as rank from products_fts
              where products_fts match ${`{sku name} : (${sqliteMatchExpression(query.terms)})`} order by rowid desc limit ${cap}`
                : sql`select 0 as id, 0.0 as rank where 0`
            }),
            ranked as (
              select id, min(rank) as rank from (
                select id, rank from matched union all select id, rank from named
                union all select id, -1e9 from products where sku = ${sku} and status = 'active'
              ) hits group by id
            )`
          : sql`
            matched as materialized (${
              words
                ? sql`select id from products where status = 'active' and search_vector @@ to_tsquery('simple', ${postgresTsquery(query.terms)})
              order by id desc limit ${cap}`
                : sql`select 0 as id where false`
            }),
            named as materialized (${
              words
                ? sql`select id from products where status = 'active' and name_vector @@ to_tsquery('simple', ${postgresTsquery(query.terms)})
              order by id desc limit ${cap}`
                : sql`select 0 as id where false`
            }),
            ranked as (
              select p.id, case when p.sku = ${sku} then -1e9 else -ts_rank(p.search_vector, to_tsquery('simple', ${words ? postgresTsquery(query.terms) : ''}))::float8 end as rank
              from (select id from matched union select id from named union select id from products where sku = ${sku} and status = 'active') ids
              join products p on p.id = ids.id
            )`;
      const { rows } = await sql<{ id: number; capped: number }>`
        with ${ranked}
        select id, case when (select count(*) from matched) >= ${cap} or (select count(*) from named) >= ${cap} then 1 else 0 end as capped
        from ranked
        order by rank, id desc`.execute(tx);
      return { ids: rows.map((r) => r.id), capped: rows.length > 0 && Number(rows[0]!.capped) === 1 };
    },
  };
}
