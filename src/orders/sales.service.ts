import type { Database } from '../platform/db/db.js';
import { grossUnitAmount } from './pricing.js';
import { refundedOfLine } from './unit-amounts.js';
import { createSalesRepo, type ExportCursor } from './sales.repo.js';

/** A paid order as the exports write it; amounts in minor units. */
export interface PaidOrder {
  id: string;
  orderNumber: number;
  email: string;
  status: string;
  currency: string;
  paidAt: number;
  /** the lines at the shop's displayed prices (tax included when prices include it) */
  subtotal: number;
  /** total without tax */
  net: number;
  tax: number;
  gross: number;
  /** gross amount refunded so far */
  refunded: number;
}

/** One line of a paid order, with its share of the order's tax and total. */
export interface SalesLine {
  order: PaidOrder;
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
  net: number;
  tax: number;
  gross: number;
  refundedUnits: number;
  refunded: number;
}

/**
 * Sales figures for the owner: revenue per UTC day, products sold, and paid orders and their lines
 * in batches for exports that never hold a whole period in memory.
 */
export function createSalesService({ db }: { db: Database }) {
  const repo = createSalesRepo(db);

  /** Paid orders of [from, to) in keyset batches of `batch`, oldest payment first. */
  async function* paidOrderBatches(from: number, to: number, batch: number): AsyncGenerator<PaidOrder[]> {
    let after: ExportCursor | null = null;
    for (;;) {
      const rows = await repo.findPaidOrdersAfter({ from, to }, after, batch);
      if (rows.length === 0) return;
      yield rows.map((r) => ({
        id: r.id,
        orderNumber: r.order_number,
        email: r.email,
        status: r.status,
        currency: r.currency,
        paidAt: r.paid_at,
        subtotal: r.subtotal,
        net: r.total - r.tax,
        tax: r.tax,
        gross: r.total,
        refunded: r.refunded,
      }));
      if (rows.length < batch) return;
      const last = rows[rows.length - 1]!;
      after = { paidAt: last.paid_at, id: last.id };
    }
  }

  return {
    /** Per UTC day (days since 1970) and currency: paid orders, gross, refunded of them. */
    revenueByDay: (from: number, to: number) => repo.findRevenueByDay({ from, to }),

    /** The best-selling products of [from, to) by net amount, per currency, `first`'s before the others. */
    productSales: (from: number, to: number, first: string, limit: number) => repo.findProductSales({ from, to }, first, limit),

    paidOrderBatches,

    /**
     * The lines of paid orders of [from, to), one batch per batch of orders. Each line's gross and
     * tax are its share of the order's, rounded cumulatively so an order's lines add up to it exactly.
     */
    async *salesLineBatches(from: number, to: number, batch: number): AsyncGenerator<SalesLine[]> {
      for await (const orders of paidOrderBatches(from, to, batch)) {
        const items = await repo.findItemsOfOrders(orders.map((o) => o.id));
        const byOrder = Map.groupBy(items, (i) => i.order_id);
        yield orders.flatMap((order) => splitOrder(order, byOrder.get(order.id) ?? []));
      }
    },
  };
}

type ItemRow = Awaited<ReturnType<ReturnType<typeof createSalesRepo>['findItemsOfOrders']>>[number];

/** An order's lines with its gross and tax shared in proportion to each line's price (cumulative rounding). */
export function splitOrder(order: PaidOrder, items: ItemRow[]): SalesLine[] {
  const subtotal = items.reduce((sum, i) => sum + i.unit_price * i.quantity, 0);
  const share = (amount: number, upTo: number) => (subtotal === 0 ? 0 : Math.round((amount * upTo) / subtotal));
  const totals = { total: order.gross, subtotal: order.subtotal, tax: order.tax };
  let before = 0;
  return items.map((i) => {
    const after = before + i.unit_price * i.quantity;
    // A line priced by 021's checkout carries its own gross and tax; an older one gets its share.
    const gross = i.gross ?? share(order.gross, after) - share(order.gross, before);
    const tax = i.gross != null ? i.tax : share(order.tax, after) - share(order.tax, before);
    before = after;
    // A fully refunded order gave back its whole total: each line its whole share.
    const refunded =
      order.status === 'refunded'
        ? gross
        : i.gross != null
          ? refundedOfLine(i, totals)
          : i.refunded_quantity * grossUnitAmount(i.unit_price, totals);
    return {
      order,
      sku: i.sku,
      name: i.name,
      quantity: i.quantity,
      unitPrice: i.unit_price,
      net: gross - tax,
      tax,
      gross,
      refundedUnits: i.refunded_quantity,
      refunded,
    };
  });
}

export type SalesService = ReturnType<typeof createSalesService>;
