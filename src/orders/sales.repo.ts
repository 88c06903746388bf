import { sql, type RawBuilder } from 'kysely';
import type { Database, Executor } from '../platform/db/db.js';

const DAY = 86_400_000;

/**
 * Orders paid in [from, to). An order has `paid_at` exactly when it was paid: the settle that moves it
 * into a paid state sets it, and no state leads out of those. So the window alone selects the sales,
 * through the (paid_at, id) index; a status filter would tempt SQLite into the status index instead.
 */
export interface PaidWindow {
  from: number;
  to: number;
}

/** Where the last batch of an export ended: keyset pagination on (paid_at, id). */
export interface ExportCursor {
  paidAt: number;
  id: string;
}

// A unit's gross amount, its share of the order total rounded half up, in integer arithmetic both
// engines share (exactly pricing.ts's grossUnitAmount: floor((2·price·total + s) / 2s) = round(price·total / s)).
// The cast keeps PostgreSQL's integer columns from overflowing in the product.
const grossUnit = sql`((2 * cast(i.unit_price as bigint) * o.total + (case when o.subtotal < 1 then 1 else o.subtotal end)) / (2 * (case when o.subtotal < 1 then 1 else o.subtotal end)))`;

// What the refunded units of a line came to: a line priced by 021's checkout counts each unit at its
// gross divided by the quantity (integer division on both engines), the last unit taking the
// remainder (unit-amounts.ts); an older line counts each unit at its gross share.
const refundedOfLine = sql`(case when i.gross is null then i.refunded_quantity * ${grossUnit} else i.refunded_quantity * (i.gross / (case when i.quantity < 1 then 1 else i.quantity end)) + (case when i.refunded_quantity >= i.quantity then i.gross - i.quantity * (i.gross / (case when i.quantity < 1 then 1 else i.quantity end)) else 0 end) end)`;

// What a line was paid: its gross, or an older line's units at their gross share.
const grossOfLine = sql`(case when i.gross is null then i.quantity * ${grossUnit} else i.gross end)`;

// What has been refunded of an order: all of it once `refunded` (the last refund takes whatever the
// gateway held), otherwise its refunded units at their gross share. Only partly refunded orders read items.
const refundedOfOrder: RawBuilder<number> = sql<number>`(case o.status when 'refunded' then o.total when 'partially_refunded' then coalesce((select sum(${refundedOfLine}) from order_items i where i.order_id = o.id), 0) else 0 end)`;

// The day in UTC, as a whole number of days since 1970 (integer division on both engines). A literal,
// not a parameter, so PostgreSQL sees the same expression in the select list and the group by.
const dayOf = sql<number>`(o.paid_at / ${sql.lit(DAY)})`;

/** The owner's sales figures and exports: paid orders by day, products sold, and batches to stream. */
export function createSalesRepo(db: Database) {
  return {
    /** Per UTC day and currency: paid orders, their totals (gross) and what was refunded of them. */
    async findRevenueByDay({ from, to }: PaidWindow, tx: Executor = db.kysely) {
      const rows = await tx
        .selectFrom('orders as o')
        .select([
          dayOf.as('day'),
          'o.currency',
          (eb) => eb.fn.countAll<number>().as('orders'),
          (eb) => eb.fn.sum<number>('o.total').as('gross'),
          sql<number>`sum(${refundedOfOrder})`.as('refunded'),
        ])
        .where('o.paid_at', '>=', from)
        .where('o.paid_at', '<', to)
        .groupBy([dayOf, 'o.currency'])
        .execute();
      // PostgreSQL's count, sum and bigint arithmetic come back as strings.
      return rows.map((r) => ({
        day: Number(r.day),
        currency: r.currency,
        orders: Number(r.orders),
        gross: Number(r.gross),
        refunded: Number(r.refunded),
      }));
    },

    /**
     * Products sold in the window per currency, `first` currency's first, then by net amount (units
     * left after refunds at their gross share): amounts in different currencies do not compare.
     */
    async findProductSales({ from, to }: PaidWindow, first: string, limit: number, tx: Executor = db.kysely) {
      const rows = await tx
        .selectFrom('orders as o')
        .innerJoin('order_items as i', 'i.order_id', 'o.id')
        .select([
          'i.product_id',
          'o.currency',
          (eb) => eb.fn.max('i.sku').as('sku'),
          (eb) => eb.fn.max('i.name').as('name'),
          (eb) => eb.fn.sum<number>('i.quantity').as('units'),
          (eb) => eb.fn.sum<number>('i.refunded_quantity').as('refunded_units'),
          sql<number>`sum(${grossOfLine} - ${refundedOfLine})`.as('net'),
        ])
        .where('o.paid_at', '>=', from)
        .where('o.paid_at', '<', to)
        .groupBy(['i.product_id', 'o.currency'])
        .orderBy(sql`case when o.currency = ${first} then 0 else 1 end`)
        .orderBy('net', 'desc')
        .orderBy('units', 'desc')
        .orderBy('i.product_id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        productId: r.product_id,
        currency: r.currency,
        sku: r.sku,
        name: r.name,
        units: Number(r.units),
        refundedUnits: Number(r.refunded_units),
        net: Number(r.net),
      }));
    },

    /** The next `limit` paid orders of the window after `after`, oldest payment first, with what was refunded. */
    async findPaidOrdersAfter({ from, to }: PaidWindow, after: ExportCursor | null, limit: number, tx: Executor = db.kysely) {
      const rows = await tx
        .selectFrom('orders as o')
        .select([
          'o.id',
          'o.order_number',
          'o.email',
          'o.status',
          'o.currency',
          'o.subtotal',
          'o.tax',
          'o.total',
          'o.paid_at',
          refundedOfOrder.as('refunded'),
        ])
        // The bound alone lets the (paid_at, id) index start at the cursor; the OR skips what was sent.
        .where('o.paid_at', '>=', after ? Math.max(from, after.paidAt) : from)
        .where('o.paid_at', '<', to)
        .$if(after !== null, (q) =>
          q.where((eb) =>
            eb.or([eb('o.paid_at', '>', after!.paidAt), eb.and([eb('o.paid_at', '=', after!.paidAt), eb('o.id', '>', after!.id)])]),
          ),
        )
        .orderBy('o.paid_at')
        .orderBy('o.id')
        .limit(limit)
        .execute();
      return rows.map((r) => ({
        ...r,
        order_number: Number(r.order_number),
        paid_at: Number(r.paid_at),
        refunded: Number(r.refunded),
      }));
    },

    /** The items of some orders, each order's in the order they were added. */
    findItemsOfOrders(orderIds: string[], tx: Executor = db.kysely) {
      if (orderIds.length === 0) return Promise.resolve([]);
      return tx
        .selectFrom('order_items')
        .select(['id', 'order_id', 'sku', 'name', 'unit_price', 'quantity', 'refunded_quantity', 'tax_rate_bp', 'net', 'tax', 'gross'])
        .where('order_id', 'in', orderIds)
        .orderBy('order_id')
        .orderBy('id')
        .execute();
    },
  };
}

export type SalesRepo = ReturnType<typeof createSalesRepo>;
