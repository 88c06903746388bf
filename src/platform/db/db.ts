import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';
/** A Kysely handle or an open transaction: every repo method accepts either. */
export type Executor = Kysely<DB> | Transaction<DB>;
export type Tx = Transaction<DB>;

export interface Database {
  kysely: Kysely<DB>;
  dialect: Dialect;
  /** The PostgreSQL schema in use when not the default (tests give each file its own). */
  schema?: string;
  /** Runs fn in one transaction; services call this, handlers never do. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  destroy(): Promise<void>;
}

// pg returns int8 (count(*), bigint epoch millis) as strings; every such value here fits a double.
pg.types.setTypeParser(20, (v) => Number(v));

export interface DatabaseOptions {
  poolSize?: number;
  /** PostgreSQL schema to use (tests give each file its own). */
  searchPath?: string;
}

/** Opens SQLite (`sqlite:path`, `file:path`, `:memory:`) or PostgreSQL (`postgres://...`). */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const postgres = /^postgres(ql)?:\/\//.test(url);
  const kysely = postgres ? openPostgres(url, options) : openSqlite(url);
  return {
    kysely,
    dialect: postgres ? 'postgres' : 'sqlite',
    ...(postgres && options.searchPath ? { schema: options.searchPath } : {}),
    transaction: (fn) => kysely.transaction().execute(fn),
    ping: async () => {
      await sql`select 1`.execute(kysely);
    },
    destroy: () => kysely.destroy(),
  };
}

function openPostgres(url: string, options: DatabaseOptions): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}

function openSqlite(url: string): Kysely<DB> {
  const path = url === ':memory:' ? ':memory:' : url.replace(/^(sqlite|file):(\/\/)?/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const database = new SQLite(path);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  // Statistics for the planner, gathered where missing or stale (a fraction of a second for 100,000
  // products, sampled): without them SQLite ignores covering indexes such as the catalog cards'.
  database.pragma('analysis_limit = 1000');
  database.pragma('optimize = 0x10002');
  return new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
}

/**
 * better-sqlite3 with prepared statements kept by SQL text. Kysely prepares every query anew, and
 * for a catalog page SQLite's parsing and planning cost more than running the query. Huge statements
 * (bulk inserts) are not kept; streaming gets a statement of its own, since a statement being
 * iterated cannot run another query.
 */
function withStatementCache(database: SQLite.Database, maxEntries = 500): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = database.prepare(sql);
        if (sql.length <= 4000) {
          if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
          cache.set(sql, stmt);
        }
      }
      const s = stmt;
      return {
        reader: s.reader,
        all: (parameters: readonly unknown[]) => s.all(parameters),
        run: (parameters: readonly unknown[]) => s.run(parameters),
        iterate: (parameters: readonly unknown[]) => database.prepare(sql).iterate(parameters),
      };
    },
  };
}
