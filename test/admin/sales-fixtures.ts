import { createOrdersService } from '../../src/orders/orders.service.js';
import type { Database } from '../../src/platform/db/db.js';
import { newOrderId } from './admin-fixtures.js';

export interface SaleLine {
  product: { id: number; sku: string };
  name: string;
  unitPrice: number;
  quantity: number;
  /** units refunded of this line (the order becomes partially refunded) */
  refunded?: number;
}

export interface SaleSpec {
  email: string;
  currency?: string;
  paidAt: number;
  /** tax added on top of the lines, in minor units */
  tax?: number;
  lines: SaleLine[];
  /** refund everything (the order becomes refunded) */
  refundAll?: boolean;
}

/**
 * A paid order written through the orders service as checkout and the webhook would (pending, then
 * settled), refunded through the state machine like the refund service does: refunded units counted
 * on the items, then the transition. Returns its id and number.
 */
export async function paidSale(db: Database, spec: SaleSpec): Promise<{ id: string; number: number }> {
  const orders = createOrdersService({ db, clock: () => spec.paidAt });
  const id = newOrderId();
  const subtotal = spec.lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  const tax = spec.tax ?? 0;
  await db.transaction(async (tx) => {
    const items = await orders.createOrder(
      tx,
      {
        id,
        user_sub: 'sales-buyer',
        email: spec.email,
        currency: spec.currency ?? 'EUR',
        subtotal,
        tax,
        total: subtotal + tax,
        created_at: spec.paidAt - 60_000,
        updated_at: spec.paidAt - 60_000,
      },
      spec.lines.map((l) => ({
        product_id: l.product.id,
        sku: l.product.sku,
        name: l.name,
        type: 'key' as const,
        unit_price: l.unitPrice,
        quantity: l.quantity,
      })),
    );
    const settled = await orders.applyEvent(tx, id, 'payment_settled', 'fixture', { paid_at: spec.paidAt });
    if (!settled.applied) throw new Error('fixture payment refused');
    if (spec.refundAll) {
      for (const item of items) await orders.incrementRefunded(tx, item.id, item.quantity);
      await orders.applyEvent(tx, id, 'refund_full', 'fixture refund');
      return;
    }
    const refunds = spec.lines.map((l, i) => ({ item: items[i]!, units: l.refunded ?? 0 })).filter((r) => r.units > 0);
    for (const r of refunds) await orders.incrementRefunded(tx, r.item.id, r.units);
    if (refunds.length > 0) await orders.applyEvent(tx, id, 'refund_partial', 'fixture refund');
  });
  const row = await db.kysely.selectFrom('orders').select('order_number').where('id', '=', id).executeTakeFirstOrThrow();
  return { id, number: Number(row.order_number) };
}

/** A donation row in a given state (paid ones with their paid_at), as the donations service leaves them. */
export async function donation(db: Database, spec: { amount: number; currency?: string; status: string; paidAt: number | null }) {
  await db.kysely
    .insertInto('donations')
    .values({
      id: `don_${Math.random().toString(16).slice(2, 14)}`,
      user_sub: null,
      email: 'giver@example.com',
      amount: spec.amount,
      currency: spec.currency ?? 'EUR',
      message: '',
      status: spec.status,
      payment_ref: null,
      payment_intent: null,
      attention_reason: null,
      created_at: (spec.paidAt ?? Date.UTC(2026, 11, 1)) - 60_000,
      paid_at: spec.paidAt,
    })
    .execute();
}
