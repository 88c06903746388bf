import type { Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

/** A donation paid with another amount or currency is set aside (needs_attention) with the reason the owner reads. */
export function donationAttention(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('donations').addColumn('attention_reason', 'varchar(500)').execute();
    },
  };
}
