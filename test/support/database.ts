import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database, type Dialect } from '../../src/platform/db/db.js';
import { migrateToLatest } from '../../src/platform/db/migrate.js';

/** PostgreSQL used by tests; set TEST_DATABASE_URL (CI does) to run every dialect test there too. */
export const postgresUrl = process.env.TEST_DATABASE_URL;

/** The dialects this run covers: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const testDialects: Dialect[] = postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];

/**
 * An advisory lock every test file takes shared while its schema migrates and exclusively while it
 * drops one: Kysely's migrator lists the tables of every schema in the database
 * (pg_get_serial_sequence by schema name), which fails with "schema ... does not exist" when another
 * file running at the same time drops its schema in the middle.
 */
const SCHEMA_LOCK = 4_118_001;

export interface TestDatabase extends Database {
  /** Closes the connection and throws the whole database (or PostgreSQL schema) away. */
  drop(): Promise<void>;
}

/** A fresh, migrated database: an in-memory SQLite, or a new schema of its own on PostgreSQL. */
export async function createTestDatabase(dialect: Dialect, options: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const db = createDatabase(':memory:');
    await migrateToLatest(db);
    return { ...db, drop: () => db.destroy() };
  }
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const db = createDatabase(postgresUrl, { searchPath: schema, poolSize: options.poolSize ?? 5 });
  try {
    await admin.query('select pg_advisory_lock_shared($1)', [SCHEMA_LOCK]);
    // Another test run on the same database (a second checkout) does not take the lock: its drop
    // fails only the listing, and the migrator picks up where it stopped.
    for (let attempt = 1; ; attempt++) {
      try {
        await migrateToLatest(db);
        break;
      } catch (err) {
        const other = (err as { code?: string }).code === '3F000' && !String((err as Error).message).includes(schema);
        if (!other || attempt === 3) throw err;
      }
    }
  } finally {
    await admin.end(); // ends the session, and with it the lock
  }
  return {
    ...db,
    drop: async () => {
      await db.destroy();
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query('begin');
      await client.query('select pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await client.query(`drop schema ${schema} cascade`);
      await client.query('commit');
      await client.end();
    },
  };
}
