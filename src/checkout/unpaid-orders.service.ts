import type { KeyPoolService } from '../fulfilment/key-pool.service.js';
import { isPaid, nextOrderState, type OrderState } from '../orders/order-state.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { OrderItemRow, OrderRow } from '../orders/orders.types.js';
import type { Database } from '../platform/db/db.js';
import { AppError, ConflictError } from '../platform/errors.js';
import type { Payable } from '../payments/payable.js';
import { isSettled, type CheckoutSession } from '../payments/payment-gateway.js';
import { orderGatewayItems } from './checkout.pricing.js';
import type { Buyer, CheckoutDiscounts, CheckoutGateway } from './checkout.types.js';

export interface UnpaidOrdersDeps {
  db: Database;
  orders: OrdersService;
  keyPool: Pick<KeyPoolService, 'reserveKeys'>;
  gateway: CheckoutGateway;
  payments: Pick<Payable, 'settle' | 'cancel' | 'expire'>;
  /** the code's use an expired order gave back is taken again when it is paid again */
  discounts?: Pick<CheckoutDiscounts, 'retake'>;
  config: { publicUrl: string; reservationMs: number };
  clock?: () => number;
  log?: { warn(obj: object, msg: string): void };
}

const unavailable = () =>
  new AppError(
    'payment_gateway_unavailable',
    'Payment is not available right now. Nothing was charged; please try again in a moment.',
    503,
  );

/**
 * "Pay now" and "Cancel" on an order that is not paid: a declined card leaves the order pending with
 * its payment page still open; a closed page, a lapsed reservation or a failed payment needs the
 * keys reserved again (as far as stock allows) and a new payment page for the same order.
 */
export function createUnpaidOrdersService({
  db,
  orders,
  keyPool,
  gateway,
  payments,
  discounts,
  config,
  clock = Date.now,
  log,
}: UnpaidOrdersDeps) {
  /** Closes the order's payment session at the gateway; one paid meanwhile is settled instead (true). */
  async function closeSession(order: OrderRow): Promise<boolean> {
    if (!order.payment_ref) return false;
    let session: CheckoutSession | null = null;
    try {
      session = await gateway.expireCheckoutSession(order.payment_ref);
    } catch (err) {
      // A session the gateway no longer knows cannot be paid.
      if (!(err instanceof AppError && err.code === 'payment_session_not_found')) {
        log?.warn({ err, orderId: order.id }, 'could not close the payment session');
        throw unavailable();
      }
    }
    if (!session || !isSettled(session)) return false;
    await settle(order.id, session);
    return true;
  }

  async function settle(orderId: string, session: CheckoutSession) {
    const paid = {
      amount: session.amountTotal,
      currency: session.currency,
      paymentIntentId: session.paymentIntentId,
      tax: session.amountTax,
    };
    await db.transaction((tx) => payments.settle(tx, orderId, { ...paid, source: `pay-now:${session.id}` }));
  }

  /**
   * The pending order's payment session as the gateway sees it now (null if it cannot say). One
   * already paid is settled (`paid`); one whose payment is still processing can be neither paid
   * again nor cancelled.
   */
  async function currentSession(order: OrderRow): Promise<CheckoutSession | 'paid' | null> {
    if (!order.payment_ref) return null;
    const session = await gateway.retrieveCheckoutSession(order.payment_ref).catch(() => null);
    if (session?.status !== 'complete') return session;
    if (isSettled(session)) {
      await settle(order.id, session);
      return 'paid';
    }
    throw new ConflictError(
      'payment_processing',
      'Your payment is still being processed, so this order cannot be paid again or cancelled. We will email you once it is confirmed.',
    );
  }

  /**
   * Reserves the order's keys again, takes back its code's use and puts it back to pending (or
   * throws `out_of_stock` or `discount_exhausted`, leaving it as it was).
   */
  async function reopen(order: OrderRow, items: OrderItemRow[], until: number) {
    await db.transaction(async (tx) => {
      const r = await orders.applyEvent(tx, order.id, 'payment_retried', 'paid again by the buyer', { reserved_until: until }, order);
      if (!r.applied) throw new ConflictError('order_not_payable', 'This order changed in the meantime. Please reload the page.');
      for (const i of items.filter((x) => x.type === 'key_lim'))
        await keyPool.reserveKeys(tx, { productId: i.product_id, orderId: order.id, quantity: i.quantity, until, name: i.name });
      await discounts?.retake(tx, order.id);
    });
  }

  async function newSession(order: OrderRow, items: OrderItemRow[], until: number): Promise<string> {
    try {
      const session = await gateway.createCheckoutSession({
        reference: order.id,
        kind: 'order',
        lineItems: orderGatewayItems(order, items),
        currency: order.currency,
        customerEmail: order.email,
        successUrl: `${config.publicUrl}/checkout/return?order=${order.id}&session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${config.publicUrl}/checkout/return?order=${order.id}&cancelled=1`,
        expiresAt: until,
        idempotencyKey: `checkout-${order.id}-${until}`,
      });
      await orders.attachPaymentSession(db.kysely, order.id, { provider: gateway.provider, ref: session.id });
      if (!session.url) throw new Error('the gateway gave no payment page');
      return session.url;
    } catch (err) {
      log?.warn({ err, orderId: order.id }, 'payment session could not be created');
      // Expired, not cancelled: the buyer may press Pay now again once the gateway is back.
      await db.transaction((tx) => payments.expire(tx, order.id, 'payment gateway unavailable'));
      throw err instanceof AppError ? err : unavailable();
    }
  }

  return {
    /**
     * POST /orders/:id/pay. Where to send the buyer: the open payment page of a pending order, or a
     * new one after the keys were reserved again; null when the order turned out to be paid already.
     */
    async payNow(orderId: string, buyer: Buyer): Promise<string | null> {
      const { order, items } = await orders.getOrderForUser(orderId, buyer.sub);
      const status = order.status as OrderState;
      const now = clock();
      if (isPaid(status)) return null;
      if (status === 'pending') {
        const session = await currentSession(order);
        if (session === 'paid') return null;
        if (session?.status === 'open' && session.url && (order.reserved_until ?? 0) > now) return session.url;
        // Its payment page ended (or the gateway cannot say): close it and start again.
        if (await closeSession(order)) return null;
        await db.transaction((tx) => payments.expire(tx, orderId, 'paying again: the payment page had ended'));
      } else if (!nextOrderState(status, 'payment_retried').ok) {
        throw new ConflictError('order_not_payable', 'This order was cancelled and cannot be paid. Your cart still holds the products.');
      }
      const current = (await orders.findOrder(orderId))!;
      const until = now + config.reservationMs;
      await reopen(current, items, until);
      return newSession({ ...current, status: 'pending', reserved_until: until }, items, until);
    },

    /** POST /orders/:id/cancel: a pending order is cancelled, its keys released and its payment page closed. */
    async cancel(orderId: string, buyer: Buyer): Promise<void> {
      const { order } = await orders.getOrderForUser(orderId, buyer.sub);
      if (order.status !== 'pending')
        throw new ConflictError('order_not_cancellable', 'Only an order awaiting payment can be cancelled. Please reload the page.');
      if ((await currentSession(order)) === 'paid' || (await closeSession(order))) return;
      const r = await db.transaction((tx) => payments.cancel(tx, orderId, 'cancelled by the buyer on the order page'));
      if (r.kind !== 'moved')
        throw new ConflictError('order_not_cancellable', 'This order changed in the meantime. Please reload the page.');
    },
  };
}

export type UnpaidOrdersService = ReturnType<typeof createUnpaidOrdersService>;
