import type { Insertable, Selectable } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { DownloadGrantsTable, DownloadLogTable, DownloadTransfersTable } from '../platform/db/schema.js';
import type { TransferState } from './download-state.js';

export type GrantRow = Selectable<DownloadGrantsTable>;
export type TransferRow = Selectable<DownloadTransfersTable>;
export type NewDownloadLog = Omit<Insertable<DownloadLogTable>, 'id'>;

/** Download grants as downloads use them (counting, locking), the transfers of links, and the download log. */
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

    /**
     * The transfer of a link, created on its first use (its grant is locked by the caller). One
     * statement: an insert then a read could find nothing when the pruner removed the row between them.
     */
    transferOf(link: { linkId: string; grantId: number; fileId: number }, now: number, tx: Executor) {
      return (
        tx
          .insertInto('download_transfers')
          .values({ link_id: link.linkId, grant_id: link.grantId, file_id: link.fileId, created_at: now, updated_at: now })
          // A no-op update, so the existing row is returned as it is.
          .onConflict((oc) => oc.column('link_id').doUpdateSet((eb) => ({ link_id: eb.ref('excluded.link_id') })))
          .returningAll()
          .executeTakeFirstOrThrow()
      );
    },

    findTransfer(linkId: string, tx: Executor = db.kysely) {
      return tx.selectFrom('download_transfers').selectAll().where('link_id', '=', linkId).executeTakeFirst();
    },

    async saveTransfer(id: number, state: TransferState, now: number, tx: Executor) {
      await tx
        .updateTable('download_transfers')
        .set({ downloads: state.downloads, ip: state.ip, active_at: state.activeAt, sent: state.sent, updated_at: now })
        .where('id', '=', id)
        .execute();
    },

    /**
     * Deletes up to `limit` transfers last written before `cutoff`; returns how many went. A bounded
     * batch keeps each statement's locks short. No index on updated_at: every claim of a running
     * download rewrites it, and pruning keeps the table to about a day of links, cheap to scan.
     */
    async deleteTransfersIdleSince(cutoff: number, limit: number, tx: Executor = db.kysely): Promise<number> {
      const result = await tx
        .deleteFrom('download_transfers')
        .where('id', 'in', (eb) => eb.selectFrom('download_transfers').select('id').where('updated_at', '<', cutoff).limit(limit))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
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
