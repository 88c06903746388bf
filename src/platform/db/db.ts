import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
  type DatabaseConnection,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { DatabaseUnavailableError } from '../errors.js';
import { listenPostgres, type Listening, type NotificationHandlers } from './notifications.js';
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
  /**
   * Where errors of PostgreSQL connections that die while idle or between queries go (a restart,
   * a failover, `pg_terminate_backend`): the pool drops such a connection and opens a new one for
   * the next query, and the process carries on. Without a listener they are dropped silently.
   */
  onConnectionError(listener: (err: Error) => void): void;
  /**
   * SQL statements sent to the database since it was opened, transaction control (begin, commit)
   * included: each is a round trip on PostgreSQL. /metrics reports it; the bench divides it by purchases.
   */
  statementCount(): number;
  /** Calls `listener` with the text of every statement as it is sent (one listener; tests list what a request runs). */
  onStatement(listener: ((sql: string) => void) | null): void;
  /** PostgreSQL only: LISTEN on `channel` (NOTIFY from any connection, any instance, delivered at commit). */
  listen?(channel: string, handlers: NotificationHandlers): Listening;
  destroy(): Promise<void>;
}

// pg returns int8 (count(*), bigint epoch millis) as strings; every such value here fits a double.
pg.types.setTypeParser(20, (v) => Number(v));

export interface DatabaseOptions {
  poolSize?: number;
  /** PostgreSQL schema to use (tests give each file its own). */
  searchPath?: string;
  /** How long a query waits for a PostgreSQL connection (a new one or a free one) before failing. */
  connectTimeoutMs?: number;
}

/** Opens SQLite (`sqlite:path`, `file:path`, `:memory:`) or PostgreSQL (`postgres://...`). */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const postgres = /^postgres(ql)?:\/\//.test(url);
  let listener: (err: Error) => void = () => undefined;
  const counter = statementCounter();
  const schema = postgres ? (options.searchPath ?? schemaInUrl(url)) : undefined;
  const kysely = postgres ? openPostgres(url, options, (err) => listener(err), counter.watch) : openSqlite(url, counter.watch);
  return {
    kysely,
    dialect: postgres ? 'postgres' : 'sqlite',
    ...(schema ? { schema } : {}),
    transaction: (fn) => kysely.transaction().execute(fn),
    ping: async () => {
      await sql`select 1`.execute(kysely);
    },
    onConnectionError: (l) => {
      listener = l;
    },
    statementCount: () => counter.count,
    onStatement: (l) => {
      counter.listener = l;
    },
    ...(postgres
      ? { listen: (channel: string, handlers: NotificationHandlers) => listenPostgres(url, options.searchPath, channel, handlers) }
      : {}),
    destroy: () => kysely.destroy(),
  };
}

/**
 * The schema a PostgreSQL URL selects with `?options=-c search_path=<schema>` (one database, the
 * store's tables in a schema of their own): migrations must know it to keep their tables there too.
 */
function schemaInUrl(url: string): string | undefined {
  return /-c\s*search_path=([A-Za-z_][A-Za-z0-9_]*)$/.exec(new URL(url).searchParams.get('options') ?? '')?.[1];
}

/**
 * Counts what each connection sends: every statement, begin and commit included, goes through the
 * connection's executeQuery (Kysely's own query log sees the same, at the cost of a timer and an
 * await per statement).
 */
function statementCounter() {
  const counter = {
    count: 0,
    listener: null as ((sql: string) => void) | null,
    watch: (connection: DatabaseConnection): Promise<void> => {
      const execute = connection.executeQuery.bind(connection);
      connection.executeQuery = (query, options) => {
        counter.count++;
        counter.listener?.(query.sql);
        return execute(query, options);
      };
      return Promise.resolve();
    },
  };
  return counter;
}

function openPostgres(
  url: string,
  options: DatabaseOptions,
  onError: (err: Error) => void,
  onCreateConnection: (connection: DatabaseConnection) => Promise<void>,
): Kysely<DB> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    // An unreachable database fails a request in seconds (a 503) instead of holding it.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    keepAlive: true,
    ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
  });
  // An 'error' event nobody listens to ends the process. The pool listens only to idle clients,
  // so each client gets a listener of its own too: one checked out by a transaction can lose its
  // backend between two queries. The pool then discards the client (it is no longer queryable).
  pool.on('connect', (client) => client.on('error', onError));
  pool.on('error', () => undefined); // already reported by the client's listener
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool, onCreateConnection }) });
}

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// PostgreSQL: admin_shutdown, crash_shutdown, cannot_connect_now, too_many_connections; class 08 is connection_exception.
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);
const lostConnection =
  /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect)/;

/**
 * The error users should see when `err` (or its cause) means the database cannot serve right now:
 * PostgreSQL down, restarting or its connection lost, or SQLite locked by another process past its
 * busy timeout. Such a request may succeed if tried again; anything else gives null.
 */
export function databaseUnavailable(err: unknown): DatabaseUnavailableError | null {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return new DatabaseUnavailableError('busy');
    if (typeof code === 'string' && (unreachableCodes.has(code) || unavailableStates.has(code) || /^08...$/.test(code)))
      return new DatabaseUnavailableError('unreachable');
    if (lostConnection.test(e.message)) return new DatabaseUnavailableError('unreachable');
  }
  return null;
}

function openSqlite(url: string, onCreateConnection: (connection: DatabaseConnection) => Promise<void>): Kysely<DB> {
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
  return new Kysely<DB>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(database), onCreateConnection }) });
}

/**
 * Transactions that take SQLite's write lock when they begin. A deferred transaction that reads
 * first and writes later cannot wait for the lock once another process (an owner's command beside
 * the server) has written since its read: it fails at once with SQLITE_BUSY. Waiting at the start
 * goes through busy_timeout like any other write.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly options: SqliteDialectConfig) {
    super(options);
  }
  override createDriver() {
    return new (class extends SqliteDriver {
      override async beginTransaction(connection: DatabaseConnection) {
        await connection.executeQuery(CompiledQuery.raw('begin immediate'));
      }
    })(this.options);
  }
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
