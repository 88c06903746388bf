import type { Database, Executor } from '../platform/db/db.js';
import type { OwnerAuditTable } from '../platform/db/schema.js';
import type { Insertable } from 'kysely';

/** The owner audit log's rows. */
export function createAuditRepo(db: Database) {
  return {
    async insert(row: Insertable<OwnerAuditTable>, tx: Executor = db.kysely): Promise<void> {
      await tx.insertInto('owner_audit').values(row).execute();
    },

    async count(tx: Executor = db.kysely): Promise<number> {
      const row = await tx
        .selectFrom('owner_audit')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** Newest first: by id, which grows with every row, so the primary key serves the order. */
    findPage(limit: number, offset: number, tx: Executor = db.kysely) {
      return tx.selectFrom('owner_audit').selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute();
    },
  };
}
