import type { FulfilmentService } from '../fulfilment/fulfilment.service.js';
import type { KeyPoolService } from '../fulfilment/key-pool.service.js';
import type { OrderRow } from '../orders/orders.types.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { Database, Executor } from '../platform/db/db.js';
import type { MailService } from '../platform/mail/mail.service.js';
import { confirmationMail } from '../orders/confirmation-mail.js';
import { grossUnitAmount } from '../orders/pricing.js';
import type { PaymentEvent, PaymentGateway } from './payment-gateway.js';
import { createPaymentEventsRepo } from './payment-events.repo.js';

/** The part of the gateway that receives webhooks. */
export type WebhookGateway = Pick<PaymentGateway, 'provider' | 'parseWebhook'>;

/** The buyer's cart, from which a paid order's products are taken out. */
export interface PaidCart {
  removeProducts(tx: Executor, ownerId: string, productIds: number[]): Promise<void>;
}

export interface SettledPayment {
  amount: number;
  currency: string;
  paymentIntentId: string | null;
  /** event id or `return:<session>`: recorded in the order's event log */
  source: string;
}

export interface PaymentEventsDeps {
  db: Database;
  gateway: WebhookGateway;
  orders: OrdersService;
  fulfilment: FulfilmentService;
  keyPool: KeyPoolService;
  cart: PaidCart;
  mail: MailService;
  config: { publicUrl: string; shopName: string };
  /** Donation payments go here (by their `don_` reference). */
  donations?: { applyEvent(tx: Executor, event: PaymentEvent): Promise<string> };
  clock?: () => number;
}

/** Applies gateway events to orders: each event once, each in one transaction with its effects. */
export function createPaymentEventsService({
  db,
  gateway,
  orders,
  fulfilment,
  keyPool,
  cart,
  mail,
  config,
  donations,
  clock = Date.now,
}: PaymentEventsDeps) {
  const repo = createPaymentEventsRepo(db);

  /**
   * A settled payment for an order, from the webhook or the return page, whichever comes first:
   * the state table and the conditional update let exactly one of them fulfil. A payment whose
   * amount or currency differs fulfils nothing and flags the order for the owner.
   */
  async function settle(tx: Executor, orderId: string, pay: SettledPayment): Promise<string> {
    const order = await orders.findOrder(orderId, tx);
    if (!order) return 'unknown_order';
    const paid = { paid_at: clock(), payment_intent: pay.paymentIntentId };
    if (pay.amount !== order.total || pay.currency.toUpperCase() !== order.currency) {
      const reason = `Paid ${pay.amount} ${pay.currency.toUpperCase()} for an order of ${order.total} ${order.currency}: refund or settle by hand.`;
      const r = await orders.applyEvent(tx, orderId, 'payment_mismatch', pay.source, { ...paid, attention_reason: reason });
      if (r.applied) await keyPool.releaseReservation(orderId, tx);
      return r.applied ? 'amount_mismatch' : `not_applied:${r.reason}`;
    }
    const items = await orders.findItems(orderId, tx);
    const r = await orders.applyEvent(tx, orderId, 'payment_settled', pay.source, paid);
    if (!r.applied) return `not_applied:${r.reason}`;
    let outcome = 'fulfilled';
    if (r.from === 'pending') {
      // Keys were reserved at checkout and only the sweeper releases them, so this cannot fall short;
      // if it ever did, rolling back lets the gateway retry and the owner see the failure.
      if (!(await fulfilment.deliverOrder(tx, orderId, items))) throw new Error(`reserved keys missing for order ${orderId}`);
    } else if (await fulfilment.deliverOrder(tx, orderId, items)) {
      await orders.applyEvent(tx, orderId, 'fulfilled_late', 'keys were still available');
    } else {
      await orders.updateOrder(tx, orderId, {
        attention_reason: 'Paid after the reservation ended, and the pool has too few keys left: add keys and fulfil, or refund.',
      });
      outcome = 'needs_attention';
    }
    const invoiceNumber = await orders.nextInvoiceNumber(tx);
    await orders.updateOrder(tx, orderId, { invoice_number: invoiceNumber });
    await cart.removeProducts(
      tx,
      order.user_sub,
      items.map((i) => i.product_id),
    );
    await mail.enqueue(confirmationMail({ ...order, invoice_number: invoiceNumber }, items, outcome === 'fulfilled', config), tx);
    return outcome;
  }

  /**
   * A refund reported by the gateway (cumulative amount). A full refund revokes every unit; a
   * partial one revokes whole units, dearest first, as far as the newly refunded amount covers them.
   */
  async function refund(tx: Executor, order: OrderRow, amountRefunded: number): Promise<string> {
    // Takes the order's row lock first: an owner's refund in flight (refund.service) commits before
    // this reads what it already revoked, so no unit is revoked twice.
    await orders.updateOrder(tx, order.id, {});
    const items = await orders.findItems(order.id, tx);
    const gross = (unitPrice: number) => grossUnitAmount(unitPrice, order);
    const accounted = items.reduce((sum, i) => sum + i.refunded_quantity * gross(i.unit_price), 0);
    const full = amountRefunded >= order.total;
    let budget = amountRefunded - accounted;
    if (full ? items.every((i) => i.refunded_quantity >= i.quantity) : budget <= 0) return 'refund_already_applied';
    for (const item of [...items].sort((a, b) => b.unit_price - a.unit_price)) {
      const left = item.quantity - item.refunded_quantity;
      const units = full ? left : Math.min(left, Math.floor(budget / gross(item.unit_price)));
      if (units <= 0) continue;
      budget -= units * gross(item.unit_price);
      await fulfilment.revokeUnits(tx, item.id, units);
      await orders.incrementRefunded(tx, item.id, units);
    }
    const r = await orders.applyEvent(
      tx,
      order.id,
      full ? 'refund_full' : 'refund_partial',
      `refunded ${amountRefunded} ${order.currency}`,
    );
    return r.applied ? (full ? 'refunded' : 'partially_refunded') : `not_applied:${r.reason}`;
  }

  async function apply(tx: Executor, event: PaymentEvent): Promise<string> {
    if (event.kind === 'donation' || event.reference?.startsWith('don_'))
      return donations ? donations.applyEvent(tx, event) : 'ignored_donation';
    const order = event.reference
      ? await orders.findOrder(event.reference, tx)
      : event.paymentIntentId
        ? await orders.findOrderByPaymentIntent(event.paymentIntentId, tx)
        : undefined;
    if (!order) return event.type === 'unknown' ? 'ignored' : 'unknown_order';
    switch (event.type) {
      case 'checkout.completed':
      case 'checkout.async_payment_succeeded':
        if (event.paymentStatus !== 'paid') return 'awaiting_payment'; // authorised only: nothing is delivered
        return settle(tx, order.id, {
          amount: event.amount ?? -1,
          currency: event.currency ?? '',
          paymentIntentId: event.paymentIntentId,
          source: event.id,
        });
      case 'checkout.async_payment_failed':
        // A declined attempt on a session that is still open: the buyer may try again until it expires.
        if (event.sessionStatus === 'open') return 'attempt_failed';
      // falls through
      case 'checkout.expired': {
        const r = await orders.applyEvent(
          tx,
          order.id,
          event.type === 'checkout.expired' ? 'reservation_expired' : 'payment_failed',
          event.id,
        );
        if (r.applied) await keyPool.releaseReservation(order.id, tx);
        return r.applied ? r.to : `not_applied:${r.reason}`;
      }
      case 'charge.refunded':
        return refund(tx, order, event.amountRefunded ?? event.amount ?? 0);
      default:
        return 'ignored';
    }
  }

  /**
   * Delivers an order that was paid after its reservation ended and found too few keys, once the
   * owner has added some. An order flagged for a wrong amount is never delivered this way.
   */
  async function fulfilWaiting(orderId: string): Promise<'fulfilled' | 'still_short' | 'not_waiting'> {
    return db.transaction(async (tx) => {
      const order = await orders.findOrder(orderId, tx);
      if (order?.status !== 'needs_attention') return 'not_waiting';
      const events = await orders.findEvents(orderId, tx);
      if (events.some((e) => e.event === 'payment_mismatch')) return 'not_waiting';
      const items = await orders.findItems(orderId, tx);
      if (!(await fulfilment.deliverOrder(tx, orderId, items))) return 'still_short';
      await orders.applyEvent(tx, orderId, 'fulfilled_late', 'keys were added');
      await orders.updateOrder(tx, orderId, { attention_reason: null });
      await mail.enqueue(confirmationMail(order, items, true, config), tx);
      return 'fulfilled';
    });
  }

  return {
    settle,
    fulfilWaiting,
    /** Waiting orders that hold a product, oldest first: the ones to retry after its keys were imported. */
    async fulfilWaitingFor(productId: number): Promise<string[]> {
      const fulfilled: string[] = [];
      const waiting = (await orders.findByStatus('needs_attention', 500)).sort((a, b) => a.created_at - b.created_at);
      for (const order of waiting) {
        const items = await orders.findItems(order.id);
        if (items.some((i) => i.product_id === productId) && (await fulfilWaiting(order.id)) === 'fulfilled') fulfilled.push(order.id);
      }
      return fulfilled;
    },
    /**
     * POST /api/payment-callback: the signature is checked over the raw body before anything is
     * parsed; the event is recorded (a repeat is a no-op) and applied in the same transaction, so a
     * crash in between leaves it for the gateway's retry.
     */
    async handleWebhook(
      rawBody: Buffer,
      signature: string | undefined,
    ): Promise<{ eventId: string; orderId: string | null; outcome: string }> {
      const event = gateway.parseWebhook(rawBody, signature);
      return db.transaction(async (tx) => {
        const orderRef = event.reference?.startsWith('ord_') ? event.reference : null;
        const rowId = await repo.insertEvent(
          {
            provider: gateway.provider,
            event_id: event.id,
            type: event.rawType,
            order_id: orderRef,
            payload: rawBody.toString('utf8'),
            received_at: clock(),
          },
          tx,
        );
        if (rowId === null) return { eventId: event.id, orderId: orderRef, outcome: 'duplicate' };
        const outcome = await apply(tx, event);
        await repo.markProcessed(rowId, outcome, clock(), tx);
        return { eventId: event.id, orderId: orderRef, outcome };
      });
    },
    findEventsOfOrder: (orderId: string) => repo.findEventsOfOrder(orderId),
  };
}

export type PaymentEventsService = ReturnType<typeof createPaymentEventsService>;
export type PaymentSettler = Pick<PaymentEventsService, 'settle'>;
