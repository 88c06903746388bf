import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * The owner's categories, customers and messages:
 * - `category_redirects`: a category's former slugs, each pointing at the category (not at the next
 *   slug), so a chain of renames always answers one 301 to the current slug; deleted with it.
 * - `contact_messages.status` (open/answered) and `contact_replies`: the conversation the owner keeps.
 * - `mail_outbox.reply_to`: where "Reply" goes (the contact mail the shop receives: the sender).
 * - `orders_customer`: orders by lower(email) with what the customer list adds up, so it reads the
 *   index alone, a page of buyers at a time. It begins as orders_email_lower (migration 007) did and
 *   also serves the order search by email newest first, so that one goes.
 */
export function ownerCatalogBuyersMessages(dialect: Dialect): Migration {
  const id = (c: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement();
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('category_redirects')
        .addColumn('old_slug', 'varchar(100)', (c) => c.primaryKey())
        .addColumn('category_id', 'integer', (c) => c.notNull().references('categories.id').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('category_redirects_category').on('category_redirects').column('category_id').execute();

      await db.schema
        .alterTable('contact_messages')
        .addColumn('status', 'varchar(20)', (c) => c.notNull().defaultTo('open'))
        .execute();
      await db.schema.alterTable('contact_messages').addColumn('answered_at', 'bigint').execute();
      await db.schema.createIndex('contact_messages_status').on('contact_messages').columns(['status', 'created_at', 'id']).execute();
      await db.schema
        .createTable('contact_replies')
        .addColumn('id', 'integer', id)
        .addColumn('message_id', 'integer', (c) => c.notNull().references('contact_messages.id').onDelete('cascade'))
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('author_email', 'varchar(320)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('contact_replies_message').on('contact_replies').columns(['message_id', 'id']).execute();

      await db.schema.alterTable('mail_outbox').addColumn('reply_to', 'varchar(320)').execute();

      await sql`create index orders_customer on orders (lower(email), created_at, status, paid_at, total, id)`.execute(db);
      await db.schema.dropIndex('orders_email_lower').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema
        .createIndex('orders_email_lower')
        .on('orders')
        .expression(sql`lower(email)`)
        .execute();
      await db.schema.dropIndex('orders_customer').execute();
      await db.schema.alterTable('mail_outbox').dropColumn('reply_to').execute();
      await db.schema.dropTable('contact_replies').execute();
      await db.schema.dropIndex('contact_messages_status').execute();
      await db.schema.alterTable('contact_messages').dropColumn('answered_at').execute();
      await db.schema.alterTable('contact_messages').dropColumn('status').execute();
      await db.schema.dropTable('category_redirects').execute();
    },
  };
}
