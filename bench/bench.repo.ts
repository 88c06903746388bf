import { sql } from 'kysely';
import type { Database } from '../src/platform/db/db.js';

/**
 * What the benchmark reads from the catalog it generated (targets for the load) and checks in the
 * database afterwards (no key sold twice). The benchmark's own queries; the store never runs them.
 */
export function createBenchRepo(db: Database) {
  const k = db.kysely;
  return {
    /** The database engine and version, for the report. */
    async engineVersion(): Promise<string> {
      if (db.dialect === 'postgres') {
        const { rows } = await sql<{ v: string }>`select version() as v`.execute(k);
        return rows[0]!.v.split(' on ')[0]!;
      }
      const { rows } = await sql<{ v: string }>`select sqlite_version() as v`.execute(k);
      return `SQLite ${rows[0]!.v} (better-sqlite3)`;
    },

    /** Random active products: the product pages to request and the words to search for. */
    sampleActiveProducts(limit: number) {
      return k
        .selectFrom('products')
        .select(['sku', 'name'])
        .where('status', '=', 'active')
        .orderBy(sql`random()`)
        .limit(limit)
        .execute();
    },

    /** Active products per category, for random category pages. */
    async activeCountsByCategory(): Promise<Array<{ slug: string; n: number }>> {
      const rows = await k
        .selectFrom('categories as c')
        .innerJoin('product_categories as pc', 'pc.category_id', 'c.id')
        .innerJoin('products as p', 'p.id', 'pc.product_id')
        .select(['c.slug', (eb) => eb.fn.countAll<number>().as('n')])
        .where('p.status', '=', 'active')
        .groupBy('c.slug')
        .execute();
      return rows.map((r) => ({ slug: r.slug, n: Number(r.n) }));
    },

    /** Paid products in EUR a buyer can always get (signed keys, files), at random (one currency: carts hold one). */
    async sampleUnlimitedSkus(limit: number): Promise<string[]> {
      const rows = await k
        .selectFrom('products')
        .select('sku')
        .where('status', '=', 'active')
        .where('price', '>', 0)
        .where('currency', '=', 'EUR')
        .where('type', 'in', ['key', 'file'])
        .orderBy(sql`random()`)
        .limit(limit)
        .execute();
      return rows.map((r) => r.sku);
    },

    /** Paid key_lim products in EUR whose pool still has keys, at random: buyers race for these. */
    async samplePooledSkus(limit: number): Promise<Array<{ sku: string; available: number }>> {
      const rows = await k
        .selectFrom('products as p')
        .innerJoin('license_keys as lk', 'lk.product_id', 'p.id')
        .select(['p.sku', (eb) => eb.fn.countAll<number>().as('available')])
        .where('p.status', '=', 'active')
        .where('p.price', '>', 0)
        .where('p.currency', '=', 'EUR')
        .where('p.type', '=', 'key_lim')
        .where('lk.status', '=', 'available')
        .groupBy('p.sku')
        .orderBy(sql`random()`)
        .limit(limit)
        .execute();
      return rows.map((r) => ({ sku: r.sku, available: Number(r.available) }));
    },

    /**
     * Pool keys delivered more than once, plus delivered pool keys beyond the keys marked sold:
     * zero when no key was ever sold twice.
     */
    async countOversoldKeys(): Promise<{ oversold: number; deliveredPoolKeys: number; soldPoolKeys: number }> {
      const twice = await k
        .selectFrom('delivered_keys')
        .select('license_key_id')
        .where('license_key_id', 'is not', null)
        .groupBy('license_key_id')
        .having((eb) => eb.fn.countAll(), '>', 1)
        .execute();
      const delivered = await k
        .selectFrom('delivered_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('license_key_id', 'is not', null)
        .executeTakeFirstOrThrow();
      const sold = await k
        .selectFrom('license_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'sold')
        .executeTakeFirstOrThrow();
      const deliveredPoolKeys = Number(delivered.n);
      const soldPoolKeys = Number(sold.n);
      return { oversold: twice.length + Math.max(0, deliveredPoolKeys - soldPoolKeys), deliveredPoolKeys, soldPoolKeys };
    },

    /** Units of fulfilled orders that got no key: a purchase that "completed" without its goods. */
    async countUndeliveredKeyUnits(): Promise<number> {
      const row = await k
        .selectFrom('order_items as oi')
        .innerJoin('orders as o', 'o.id', 'oi.order_id')
        .select((eb) => [eb.fn.sum<number>('oi.quantity').as('units')])
        .where('o.status', '=', 'fulfilled')
        .where('oi.type', 'in', ['key', 'key_lim'])
        .executeTakeFirstOrThrow();
      const keys = await k
        .selectFrom('delivered_keys as dk')
        .innerJoin('order_items as oi', 'oi.id', 'dk.order_item_id')
        .innerJoin('orders as o', 'o.id', 'oi.order_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('o.status', '=', 'fulfilled')
        .executeTakeFirstOrThrow();
      return Number(row.units ?? 0) - Number(keys.n);
    },
  };
}
