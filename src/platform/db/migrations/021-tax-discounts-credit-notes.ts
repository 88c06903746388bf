import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';
import type { Dialect } from '../db.js';

/**
 * The EU member states' standard VAT rates (basis points: 1900 is 19 %) and the day each has held
 * from, as shipped; the owner edits the table (a later row for the same country and category
 * replaces an earlier one from its date on).
 */
export const EU_STANDARD_RATES: ReadonlyArray<readonly [country: string, rateBp: number, from: string]> = [
  ['AT', 2000, '1984-01-01'],
  ['BE', 2100, '1996-01-01'],
  ['BG', 2000, '1999-01-01'],
  ['CY', 1900, '2014-01-13'],
  ['CZ', 2100, '2013-01-01'],
  ['DE', 1900, '2021-01-01'],
  ['DK', 2500, '1992-01-01'],
  ['EE', 2400, '2025-07-01'],
  ['ES', 2100, '2012-09-01'],
  ['FI', 2550, '2024-09-01'],
  ['FR', 2000, '2014-01-01'],
  ['GR', 2400, '2016-06-01'],
  ['HR', 2500, '2012-03-01'],
  ['HU', 2700, '2012-01-01'],
  ['IE', 2300, '2021-03-01'],
  ['IT', 2200, '2013-10-01'],
  ['LT', 2100, '2009-09-01'],
  ['LU', 1700, '2024-01-01'],
  ['LV', 2100, '2012-07-01'],
  ['MT', 1800, '2004-01-01'],
  ['NL', 2100, '2012-10-01'],
  ['PL', 2300, '2011-01-01'],
  ['PT', 2300, '2011-01-01'],
  ['RO', 2100, '2025-08-01'],
  ['SE', 2500, '1990-07-01'],
  ['SI', 2200, '2013-07-01'],
  ['SK', 2300, '2025-01-01'],
];

/**
 * Taxes by the buyer's country, discount codes, billing details and credit notes (issue 18):
 * - `tax_rates`: a rate per country and tax category from a day on; `products.tax_category`.
 * - `orders`: the billing details the invoice names, whether the reverse charge applied, whether
 *   prices included tax when it was placed, the code used and the discount; `invoice_series` is the
 *   series its number belongs to (null: the series before 021, printed `INV-0007`).
 * - `order_items`: each line's discount, rate, net, tax and gross as charged (null net/gross: an order
 *   from before 021, whose line is unit_price × quantity).
 * - `discount_codes` and `discount_redemptions` (one per order; `uses` counts the held ones, so the
 *   last use is taken by one conditional update); `cart_discounts`: the code a cart carries.
 * - `credit_notes`: one per refund, numbered in its own gap-free series.
 */
export function taxDiscountsCreditNotes(dialect: Dialect): Migration {
  const id = (c: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement();
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('tax_rates')
        .addColumn('id', 'integer', id)
        .addColumn('country', 'varchar(2)', (c) => c.notNull())
        .addColumn('category', 'varchar(40)', (c) => c.notNull().defaultTo('standard'))
        .addColumn('rate_bp', 'integer', (c) => c.notNull())
        .addColumn('valid_from', 'bigint', (c) => c.notNull())
        .addColumn('note', 'varchar(200)', (c) => c.notNull().defaultTo(''))
        .addUniqueConstraint('tax_rates_country_category_from', ['country', 'category', 'valid_from'])
        .execute();
      await db
        .insertInto('tax_rates' as never)
        .values(
          EU_STANDARD_RATES.map(([country, rate_bp, from]) => ({
            country,
            category: 'standard',
            rate_bp,
            valid_from: Date.parse(`${from}T00:00:00Z`),
            note: 'EU standard rate',
          })) as never,
        )
        .execute();
      await db.schema
        .alterTable('products')
        .addColumn('tax_category', 'varchar(40)', (c) => c.notNull().defaultTo('standard'))
        .execute();

      for (const column of ['billing_name', 'billing_company', 'billing_address', 'billing_vat_id', 'discount_code', 'invoice_series'])
        await db.schema
          .alterTable('orders')
          .addColumn(column, column === 'billing_address' ? 'text' : 'varchar(200)')
          .execute();
      await db.schema.alterTable('orders').addColumn('billing_country', 'varchar(2)').execute();
      await db.schema
        .alterTable('orders')
        .addColumn('reverse_charge', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('orders').addColumn('prices_include_tax', 'integer').execute();
      await db.schema
        .alterTable('orders')
        .addColumn('discount', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();

      await db.schema
        .alterTable('order_items')
        .addColumn('discount', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('order_items')
        .addColumn('tax_rate_bp', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .alterTable('order_items')
        .addColumn('tax', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('order_items').addColumn('net', 'integer').execute();
      await db.schema.alterTable('order_items').addColumn('gross', 'integer').execute();

      await db.schema
        .createTable('discount_codes')
        .addColumn('id', 'integer', id)
        .addColumn('code', 'varchar(60)', (c) => c.notNull().unique())
        .addColumn('kind', 'varchar(10)', (c) => c.notNull())
        .addColumn('percent_bp', 'integer')
        .addColumn('amounts', 'text')
        .addColumn('min_subtotals', 'text')
        .addColumn('product_ids', 'text')
        .addColumn('category_ids', 'text')
        .addColumn('starts_at', 'bigint')
        .addColumn('ends_at', 'bigint')
        .addColumn('max_uses', 'integer')
        .addColumn('max_uses_per_buyer', 'integer')
        .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('disabled_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('discount_redemptions')
        .addColumn('id', 'integer', id)
        .addColumn('code_id', 'integer', (c) => c.notNull().references('discount_codes.id'))
        .addColumn('order_id', 'varchar(40)', (c) => c.notNull().unique().references('orders.id'))
        .addColumn('user_sub', 'varchar(255)', (c) => c.notNull())
        .addColumn('status', 'varchar(10)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('released_at', 'bigint')
        .execute();
      await db.schema
        .createIndex('discount_redemptions_buyer')
        .on('discount_redemptions')
        .columns(['code_id', 'user_sub', 'status'])
        .execute();
      await db.schema
        .createTable('cart_discounts')
        .addColumn('owner_id', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('code', 'varchar(60)', (c) => c.notNull())
        .addColumn('added_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('credit_notes')
        .addColumn('id', 'integer', id)
        .addColumn('series', 'varchar(40)', (c) => c.notNull())
        .addColumn('number', 'integer', (c) => c.notNull())
        .addColumn('order_id', 'varchar(40)', (c) => c.notNull().references('orders.id'))
        .addColumn('refund_ref', 'varchar(255)')
        .addColumn('currency', 'varchar(3)', (c) => c.notNull())
        .addColumn('lines', 'text', (c) => c.notNull())
        .addColumn('net', 'integer', (c) => c.notNull())
        .addColumn('tax', 'integer', (c) => c.notNull())
        .addColumn('total', 'integer', (c) => c.notNull())
        .addColumn('reason', 'varchar(500)', (c) => c.notNull().defaultTo(''))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('credit_notes_series_number', ['series', 'number'])
        .execute();
      await db.schema.createIndex('credit_notes_order').on('credit_notes').columns(['order_id', 'id']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('credit_notes').execute();
      await db.schema.dropTable('cart_discounts').execute();
      await db.schema.dropTable('discount_redemptions').execute();
      await db.schema.dropTable('discount_codes').execute();
      for (const column of ['gross', 'net', 'tax', 'tax_rate_bp', 'discount'])
        await db.schema.alterTable('order_items').dropColumn(column).execute();
      for (const column of [
        'discount',
        'prices_include_tax',
        'reverse_charge',
        'billing_country',
        'invoice_series',
        'discount_code',
        'billing_vat_id',
        'billing_address',
        'billing_company',
        'billing_name',
      ])
        await db.schema.alterTable('orders').dropColumn(column).execute();
      await db.schema.alterTable('products').dropColumn('tax_category').execute();
      await db.schema.dropTable('tax_rates').execute();
    },
  };
}
