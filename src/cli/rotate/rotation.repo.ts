import { sql } from 'kysely';
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
}

/**
 * Sealed values across domains, for the owner's key rotation only: it is the one job that must
 * see every sealed column at once (like a migration), so it reads them here rather than through
 * four services. Batches are keyset-paged by id and skip values already under the target key.
 */
export function createRotationRepo(db: Database) {
  const notUnder = (col: SealedColumn, keyId: string) => sql`${sql.ref(col.sealed)} not like ${`v1.${keyId}.%`}`;
  return {
    async countNotUnder(col: SealedColumn, keyId: string, tx: Executor = db.kysely): Promise<number> {
      const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(col.table)} where ${notUnder(col, keyId)}`.execute(
        tx,
      );
      return Number(rows[0]?.n ?? 0);
    },

    async findNotUnder(col: SealedColumn, keyId: string, after: number | string | null, limit: number, tx: Executor): Promise<SealedRow[]> {
      const { rows } = await sql<SealedRow>`
        select id, ${sql.ref(col.sealed)} as sealed from ${sql.table(col.table)}
        where ${notUnder(col, keyId)} ${after === null ? sql`` : sql`and id > ${after}`}
        order by id limit ${limit}`.execute(tx);
      return rows;
    },

    /** One statement per batch: `update … from (values …)`, which both engines accept (columns column1…). */
    async updateSealed(
      col: SealedColumn,
      rows: Array<{ id: number | string; sealed: string; hash: string | null }>,
      tx: Executor,
    ): Promise<void> {
      if (rows.length === 0) return;
      const values = sql.join(rows.map((r) => (col.hash ? sql`(${r.id}, ${r.sealed}, ${r.hash})` : sql`(${r.id}, ${r.sealed})`)));
      const table = sql.table(col.table);
      // Parameters in VALUES are text on PostgreSQL: numeric ids are cast back for the join.
      const id = col.numericId ? sql`cast(v.column1 as integer)` : sql`v.column1`;
      await sql`
        update ${table} set ${sql.ref(col.sealed)} = v.column2 ${col.hash ? sql`, ${sql.ref(col.hash)} = v.column3` : sql``}
        from (values ${values}) as v
        where ${table}.id = ${id}`.execute(tx);
    },
  };
}
