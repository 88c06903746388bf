import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * One row per download link that has served a byte: what its current pass (one counted download)
 * has sent, from which address and when it last did, so a download is counted by the bytes served and a
 * resume is tied to its own link.
 */
export function downloadTransfers(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('download_transfers')
        .addColumn('id', 'integer', (c) =>
          dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('link_id', 'varchar(32)', (c) => c.notNull().unique())
        .addColumn('grant_id', 'integer', (c) => c.notNull().references('download_grants.id'))
        .addColumn('file_id', 'integer', (c) => c.notNull().references('product_files.id'))
        .addColumn('downloads', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('ip', 'varchar(64)')
        .addColumn('active_at', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('sent', 'bigint', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('download_transfers_grant').on('download_transfers').column('grant_id').execute();
    },
  };
}
