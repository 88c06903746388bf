import { sql, type RawBuilder } from 'kysely';
import type { Database, Executor } from '../../platform/db/db.js';

/**
 * Every column holding a value sealed by SecretBox, with the lookup hash computed from the same
 * plain value where there is one. A new sealed column must be added here, or a key rotation
 * leaves it behind (readable only while its old key stays in ENCRYPTION_KEYS_PREVIOUS).
 */
export const SEALED_COLUMNS = [
  { table: 'license_keys', sealed: 'key_encrypted', hash: 'key_hash', numericId: true },
  { table: 'delivered_keys', sealed: 'key_encrypted', hash: 'key_hash', numericId: true },
  { table: 'sessions', sealed: 'tokens_encrypted', hash: null, numericId: false },
  { table: 'login_transactions', sealed: 'payload_encrypted', hash: null, numericId: false },
] as const;
export type SealedColumn = (typeof SEALED_COLUMNS)[number];

export interface SealedRow {
  id: number | string;
  sealed: string;
  hash: string | null;
}

/**
 * Sealed values across domains, for the owner's key rotation only: it is the one job that must
 * see every sealed column at once (like a migration), so it reads them here rather than through
 * four services. Batches are keyset-paged by id. Columns without a hash skip values already under
 * the target key; hashed columns are read whole, because a value sealed under the target may still
 * carry another key's hash (a pool key delivered by a new instance keeps the pool row's old hash).
 */
export function createRotationRepo(db: Database) {
  const notUnder = (col: SealedColumn, keyId: string) => sql`${sql.ref(col.sealed)} not like ${`v1.${keyId}.%`}`;
  const toExamine = (col: SealedColumn, keyId: string) => (col.hash ? sql`1 = 1` : notUnder(col, keyId));
  const count = async (col: SealedColumn, where: RawBuilder<unknown>, tx: Executor) => {
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(col.table)} where ${where}`.execute(tx);
    return Number(rows[0]?.n ?? 0);
  };
  return {
    /** How many values are sealed under another key than `keyId` (after a run: written meanwhile). */
    countNotUnder(col: SealedColumn, keyId: string, tx: Executor = db.kysely): Promise<number> {
      return count(col, notUnder(col, keyId), tx);
    },

    /** How many rows a run towards `keyId` reads: every hashed row, else those not under the key. */
    countToExamine(col: SealedColumn, keyId: string, tx: Executor = db.kysely): Promise<number> {
      return count(col, toExamine(col, keyId), tx);
    },

    /** The next batch of rows to examine after the id `after`, in id order. */
    findToExamine(col: SealedColumn, keyId: string, after: number | string | null, limit: number, tx: Executor): Promise<SealedRow[]> {
      return sql<SealedRow>`
        select id, ${sql.ref(col.sealed)} as sealed, ${col.hash ? sql.ref(col.hash) : sql`null`} as hash from ${sql.table(col.table)}
        where ${toExamine(col, keyId)} ${after === null ? sql`` : sql`and id > ${after}`}
        order by id limit ${limit}`
        .execute(tx)
        .then((r) => r.rows);
    },

    /**
     * One statement per batch: `update … from (values …)`, which both engines accept (columns
     * column1…). A row is written only if its sealed value is still the one read (`was`): a session
     * an instance re-sealed meanwhile (a refreshed token) is never overwritten with the older one.
     */
    async updateSealed(
      col: SealedColumn,
      rows: Array<{ id: number | string; was: string; sealed: string; hash: string | null }>,
      tx: Executor,
    ): Promise<void> {
      if (rows.length === 0) return;
      const values = sql.join(rows.map((r) => sql`(${r.id}, ${r.sealed}, ${r.was}, ${r.hash})`));
      const table = sql.table(col.table);
      const sealed = sql.ref(col.sealed);
      // Parameters in VALUES are text on PostgreSQL: numeric ids are cast back for the join.
      const id = col.numericId ? sql`cast(v.column1 as integer)` : sql`v.column1`;
      await sql`
        update ${table} set ${sealed} = v.column2 ${col.hash ? sql`, ${sql.ref(col.hash)} = v.column4` : sql``}
        from (values ${values}) as v
        where ${table}.id = ${id} and ${table}.${sealed} = v.column3`.execute(tx);
    },
  };
}
