import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * Indexes for the owner's pages: orders by buyer email in any case (an expression index both
 * engines use for `lower(email) = ?`), newest orders with or without a status filter, orders paid
 * in a period, and contact messages newest first.
 */
export function ownerLookups(_dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('orders_email_lower')
        .on('orders')
        .expression(sql`lower(email)`)
        .execute();
      await db.schema.createIndex('orders_created').on('orders').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('orders_status_created').on('orders').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('orders_paid').on('orders').column('paid_at').execute();
      await db.schema.createIndex('contact_messages_created').on('contact_messages').columns(['created_at', 'id']).execute();
    },
  };
}
