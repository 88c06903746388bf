import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * Login transactions (state, PKCE verifier and nonce, one-time and bound to the browser) and the
 * refresh lease on sessions: one request at a time refreshes a session, because the identity
 * provider rotates refresh tokens and treats a reused one as theft.
 */
export function authSessions(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sessions').addColumn('refresh_lease_until', 'bigint').execute();
      await db.schema
        .createTable('login_transactions')
        .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('browser_hash', 'varchar(128)', (c) => c.notNull())
        .addColumn('payload_encrypted', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('login_transactions_expires').on('login_transactions').column('expires_at').execute();
    },
    async down() {
      throw new Error('This migration cannot be rolled back.');
    },
  };
}
