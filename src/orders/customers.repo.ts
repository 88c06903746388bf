import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';
import type { DB } from '../platform/db/schema.js';

/** The order states whose money the shop kept (some or all of it: refunds are subtracted). */
export const SPENT_STATUSES = ['fulfilled', 'partially_refunded', 'refunded'] as const;

const email = sql<string>`lower(email)`;
const likeEscaped = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Addresses beginning with `prefix` (already lower-cased): a range on the `lower(email)` index
 * (migration 018's orders_customer), with `like` keeping the answer exact whatever the collation.
 */
function startsWith(eb: ExpressionBuilder<DB, 'orders'>, prefix: string | null): Expression<SqlBool> {
  if (!prefix) return eb.lit(true);
  return eb.and([
    eb(email, '>=', prefix),
    eb(email, '<', `${prefix}\u{10FFFF}`),
    sql<SqlBool>`lower(email) like ${`${likeEscaped(prefix)}%`} escape '\\'`,
  ]);
}

/** Buyers as the orders know them: one per address (any case), from migration 018's covering index. */
export function createCustomersRepo(db: Database) {
  return {
    /**
     * How many distinct buyer addresses begin with `prefix`. SQLite counts them straight off the
     * covering index; PostgreSQL's `count(distinct …)` would sort every address first (0.7 s at 100k
     * orders), so it counts the groups of a hash aggregate instead (about a third of that).
     */
    async countCustomers(prefix: string | null, tx: Executor = db.kysely): Promise<number> {
      const row =
        db.dialect === 'sqlite'
          ? await tx
              .selectFrom('orders')
              .select(sql<number>`count(distinct lower(email))`.as('n'))
              .where((eb) => startsWith(eb, prefix))
              .executeTakeFirstOrThrow()
          : await tx
              .selectFrom((qb) =>
                qb
                  .selectFrom('orders')
                  .select(email.as('e'))
                  .where((eb) => startsWith(eb, prefix))
                  .groupBy(email)
                  .as('g'),
              )
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /**
     * A page of buyers by address: orders of any status and the last order's time. Grouped in the
     * index's order, so a page reads only its own buyers' index entries, not every order.
     */
    async findCustomers(prefix: string | null, limit: number, offset: number, tx: Executor = db.kysely) {
      const rows = await tx
        .selectFrom('orders')
        .select([email.as('email'), (eb) => eb.fn.countAll<number>().as('orders'), (eb) => eb.fn.max('created_at').as('last_order_at')])
        .where((eb) => startsWith(eb, prefix))
        .groupBy(email)
        .orderBy(email)
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map((r) => ({ email: r.email, orders: Number(r.orders), lastOrderAt: Number(r.last_order_at) }));
    },

    /**
     * The kept orders of these addresses with what was refunded of each (units × unit price, before
     * tax): what "spent" is computed from. Orders in other states take no money and are left out.
     */
    findSpentOrders(emails: string[], tx: Executor = db.kysely) {
      if (emails.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('orders as o')
        .select([
          sql<string>`lower(o.email)`.as('email'),
          'o.id',
          'o.status',
          'o.currency',
          'o.total',
          'o.subtotal',
          (eb) =>
            eb
              .selectFrom('order_items as i')
              .select(sql<number>`coalesce(sum(i.refunded_quantity * i.unit_price), 0)`.as('r'))
              .whereRef('i.order_id', '=', 'o.id')
              .as('refunded_net'),
        ])
        .where(sql`lower(o.email)`, 'in', emails)
        .where('o.status', 'in', [...SPENT_STATUSES])
        .execute();
    },

    /** One buyer's orders, newest first. */
    findOrdersOf(emailLower: string, limit: number, offset: number, tx: Executor = db.kysely) {
      return tx
        .selectFrom('orders')
        .select(['id', 'order_number', 'email', 'status', 'currency', 'total', 'created_at', 'paid_at'])
        .where(email, '=', emailLower)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .offset(offset)
        .execute();
    },
  };
}
