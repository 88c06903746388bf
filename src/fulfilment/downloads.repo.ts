import type { Insertable, Selectable } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { DownloadGrantsTable, DownloadLogTable } from '../platform/db/schema.js';

export type GrantRow = Selectable<DownloadGrantsTable>;
export type NewDownloadLog = Omit<Insertable<DownloadLogTable>, 'id'>;

/** Download grants as downloads use them (counting, locking) and the download log. */
export function createDownloadsRepo(db: Database) {
  return {
    findGrantOfUnit(itemId: number, unit: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('download_grants')
        .selectAll()
        .where('order_item_id', '=', itemId)
        .where('unit_index', '=', unit)
        .executeTakeFirst();
    },

    /**
     * A grant with the id of its order, for links back to the order page. Reads order_items' order
     * id directly: the orders service has no by-item lookup (seam until it has).
     */
    findGrantWithOrder(grantId: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('download_grants')
        .innerJoin('order_items', 'order_items.id', 'download_grants.order_item_id')
        .selectAll('download_grants')
        .select('order_items.order_id')
        .where('download_grants.id', '=', grantId)
        .executeTakeFirst();
    },

    /**
     * The grant, locked until the transaction ends, so two requests of one transfer decide one
     * after the other. PostgreSQL takes the row lock; SQLite has one writer, and its single
     * connection already runs transactions one at a time.
     */
    lockGrant(grantId: number, tx: Executor) {
      const query = tx.selectFrom('download_grants').selectAll().where('id', '=', grantId);
      return (db.dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirst();
    },

    async hasCountedSince(grantId: number, fileId: number, since: number, tx: Executor = db.kysely): Promise<boolean> {
      const row = await tx
        .selectFrom('download_log')
        .select('id')
        .where('grant_id', '=', grantId)
        .where('file_id', '=', fileId)
        .where('counted', '=', 1)
        .where('created_at', '>', since)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    /**
     * Counts one download only while the grant allows one more: the condition and the increment are
     * one statement, so two requests at the last download cannot both pass.
     */
    async countDownload(grantId: number, now: number, tx: Executor): Promise<boolean> {
      const result = await tx
        .updateTable('download_grants')
        .set((eb) => ({ downloads_used: eb('downloads_used', '+', 1) }))
        .where('id', '=', grantId)
        .where('status', '=', 'active')
        .where('expires_at', '>', now)
        .where((eb) => eb('downloads_used', '<', eb.ref('download_limit')))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async insertLog(row: NewDownloadLog, tx: Executor) {
      await tx.insertInto('download_log').values(row).execute();
    },
  };
}

export type DownloadsRepo = ReturnType<typeof createDownloadsRepo>;
