import { sql, type Insertable, type Selectable } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { LoginTransactionsTable, SessionsTable } from '../platform/db/schema.js';

export type SessionRow = Selectable<SessionsTable>;
/** The NOTIFY channel of session changes; the payload is the session's id. */
export const SESSION_CHANNEL = 'store_sessions';
export type LoginTransactionRow = Selectable<LoginTransactionsTable>;

/** SQL for sessions and login transactions. */
export function createSessionRepo(db: Database) {
  const k = db.kysely;
  return {
    async insert(row: Insertable<SessionsTable>, tx: Executor = k) {
      await tx.insertInto('sessions').values(row).execute();
    },

    findById(id: string, tx: Executor = k): Promise<SessionRow | undefined> {
      return tx.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async delete(id: string, tx: Executor = k) {
      await tx.deleteFrom('sessions').where('id', '=', id).execute();
    },

    /**
     * Tells every instance's session cache that this session changed (PostgreSQL NOTIFY, delivered
     * when the caller's transaction commits; SQLite has one store process and nothing to tell).
     */
    async announceChange(id: string, tx: Executor = k) {
      if (db.dialect === 'postgres') await sql`select pg_notify(${SESSION_CHANNEL}, ${id})`.execute(tx);
    },

    /**
     * Takes the right to refresh a session: succeeds for one caller while the lease runs, across
     * every app instance, because the check and the write are one UPDATE.
     */
    async claimRefreshLease(id: string, now: number, until: number, tx: Executor = k): Promise<boolean> {
      const result = await tx
        .updateTable('sessions')
        .set({ refresh_lease_until: until })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('refresh_lease_until', 'is', null), eb('refresh_lease_until', '<', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async releaseRefreshLease(id: string, tx: Executor = k) {
      await tx.updateTable('sessions').set({ refresh_lease_until: null }).where('id', '=', id).execute();
    },

    /** Stores refreshed tokens and user data and releases the lease in the same write. */
    async updateTokens(
      id: string,
      fields: Pick<SessionsTable, 'tokens_encrypted' | 'access_expires_at' | 'email' | 'name' | 'roles' | 'last_seen_at'>,
      tx: Executor = k,
    ) {
      await tx
        .updateTable('sessions')
        .set({ ...fields, refresh_lease_until: null })
        .where('id', '=', id)
        .execute();
    },

    async touch(id: string, lastSeenAt: number, expiresAt: number, tx: Executor = k) {
      await tx.updateTable('sessions').set({ last_seen_at: lastSeenAt, expires_at: expiresAt }).where('id', '=', id).execute();
    },

    async updateUserSnapshot(id: string, fields: { email: string; name: string }, tx: Executor = k) {
      await tx.updateTable('sessions').set(fields).where('id', '=', id).execute();
    },

    /** Deletes sessions and login transactions that expired; returns how many sessions went. */
    async deleteExpired(now: number, tx: Executor = k): Promise<number> {
      await tx.deleteFrom('login_transactions').where('expires_at', '<', now).execute();
      const result = await tx.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async insertTransaction(row: Insertable<LoginTransactionsTable>, tx: Executor = k) {
      await tx.insertInto('login_transactions').values(row).execute();
    },

    /** Removes and returns a login transaction: whoever deletes it owns it, so it is used once only. */
    consumeTransaction(id: string, tx: Executor = k): Promise<LoginTransactionRow | undefined> {
      return tx.deleteFrom('login_transactions').where('id', '=', id).returningAll().executeTakeFirst();
    },
  };
}

export type SessionRepo = ReturnType<typeof createSessionRepo>;
