import { randomBytes } from 'node:crypto';
import type { PurchaseService } from '../catalog/purchase.service.js';
import type { KeyPoolService } from '../fulfilment/key-pool.service.js';
import type { OrdersService } from '../orders/orders.service.js';
import type { Database, Executor } from '../platform/db/db.js';
import { AppError, ConflictError } from '../platform/errors.js';
import { formatMoney } from '../platform/money.js';
import type { Payable } from '../payments/payable.js';
import { isTransient, retryTransient } from '../payments/payments.retry.js';
import { isSettled, paymentOf, type CheckoutSession } from '../payments/payment-gateway.js';
import {
  createCheckoutPricing,
  gatewayItems,
  orderColumns,
  orderItemRows,
  noDiscounts,
  noTax,
  type PricedCart,
} from './checkout.pricing.js';
import type { Billing, Buyer, CheckoutCart, CheckoutDiscounts, CheckoutGateway, CheckoutTax, Reviewed } from './checkout.types.js';

export interface CheckoutDeps {
  db: Database;
  cart: CheckoutCart;
  purchases: PurchaseService;
  keyPool: KeyPoolService;
  orders: OrdersService;
  gateway: CheckoutGateway;
  /** The order's payable lifecycle: the return page settles or cancels through it, the sweeper expires. */
  payments: Pick<Payable, 'settle' | 'cancel' | 'expire'> & {
    /** fulfils a free order (total 0) in the transaction that wrote it */
    placeFree(tx: Executor, orderId: string): Promise<unknown>;
  };
  /** the tax domain (none: no tax) and the discounts domain (none: no codes) */
  tax?: CheckoutTax;
  discounts?: CheckoutDiscounts;
  /** `homeCountry`: the billing country a first order's form starts with */
  /** `taxProvider` 'stripe': the gateway computes the tax (automatic tax) */
  config: { publicUrl: string; reservationMs: number; pricesIncludeTax: boolean; homeCountry?: string; taxProvider?: string };
  clock?: () => number;
  log?: { warn(obj: object, msg: string): void };
}

export type { ReviewLine, PricedCart } from './checkout.pricing.js';

/** Order ids are public: 96 random bits, never a sequence. */
export const newOrderId = () => `ord_${randomBytes(12).toString('hex')}`;

/** Checkout: re-prices the cart from the database, creates the order, reserves keys, goes to the gateway. */
export function createCheckoutService({
  db,
  cart,
  purchases,
  keyPool,
  orders,
  gateway,
  payments,
  tax,
  discounts,
  config,
  clock = Date.now,
  log,
}: CheckoutDeps) {
  const pricing = createCheckoutPricing({
    cart,
    purchases,
    tax: tax ?? noTax(config.pricesIncludeTax),
    discounts: discounts ?? noDiscounts,
  });
  const codes = discounts ?? noDiscounts;

  /** The gateway's payment session for a priced cart; nothing is written when it cannot be opened. */
  async function openPaymentSession(
    orderId: string,
    priced: PricedCart,
    buyer: Buyer,
    expiresAt: number,
  ): Promise<{ id: string; url: string }> {
    try {
      return await gateway.createCheckoutSession({
        reference: orderId,
        kind: 'order',
        ...gatewayItems(priced, config.taxProvider === 'stripe'),
        currency: priced.currency,
        customerEmail: buyer.email,
        successUrl: `${config.publicUrl}/checkout/return?order=${orderId}&session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${config.publicUrl}/checkout/return?order=${orderId}&cancelled=1`,
        expiresAt,
        idempotencyKey: `checkout-${orderId}`,
      });
    } catch (err) {
      log?.warn({ err, orderId }, 'payment session could not be created');
      if (err instanceof AppError) throw err;
      throw new AppError(
        'payment_gateway_unavailable',
        'Payment is not available right now. Nothing was charged; please try again in a moment.',
        503,
      );
    }
  }

  /** The billing details the form starts with: the buyer's last order's, or the shop's country. */
  async function prefill(buyer: Buyer): Promise<Billing> {
    return (await orders.lastBilling(buyer.sub)) ?? { name: buyer.name ?? '', country: config.homeCountry ?? 'DE' };
  }

  /** Whether the last sweep found the gateway unreachable: an outage is logged once, not on every pass. */
  let sweepBlocked = false;
  async function cancelUnpaid(orderId: string, detail: string) {
    await db.transaction((tx) => payments.cancel(tx, orderId, detail));
  }

  return {
    prefill,

    /** GET /checkout: the summary the buyer confirms, priced for `billing`. */
    reviewCart: (buyer: Buyer, billing: Billing) => pricing.price(buyer, billing, clock()),

    /**
     * POST /checkout. Re-prices the cart, opens the gateway's payment session for it, then writes
     * the pending order with item snapshots and that session, and reserves key_lim keys, in one
     * transaction (or fails with `out_of_stock`, leaving nothing behind but a session nobody was
     * sent to, which is closed). A double submission with the same key leads to the same order. If
     * the gateway cannot be reached nothing is written. `reviewed` is the total the buyer saw on the
     * review page: a different one now (a price or the country changed) is `price_changed`.
     * `given`: the billing details (without them, as the buyer's last order); a code in the cart is
     * redeemed in the order's transaction. A total of 0 (a code took off everything) opens no
     * session: the order is fulfilled in that same transaction, and `paymentUrl` is null.
     */
    async placeOrder(
      buyer: Buyer,
      idempotencyKey: string,
      reviewed?: Reviewed,
      given?: Billing,
    ): Promise<{ orderId: string; paymentUrl: string | null }> {
      // A form submitted again (its key already used) is found by its failure below, not by a read
      // before every order: the order's insert meets the unique key, or the cart was emptied by its payment.
      const orderId = newOrderId();
      const now = clock();
      const reservedUntil = now + config.reservationMs;
      const resumeOrThrow = async (err: unknown) => {
        const winner = await orders.findOrderByIdempotencyKey(idempotencyKey);
        if (winner) return resume(winner, buyer);
        throw err;
      };
      let p: PricedCart;
      try {
        // Read before any write, as PostgreSQL's read committed saw them inside the transaction too:
        // what a concurrent change could make stale is re-checked by the writes themselves (the
        // idempotency key's unique index, the pool's locked reservation).
        // A client posting without the review page is billed as the buyer's last order was.
        const billing: Billing = given ?? (await prefill(buyer));
        billing.name ||= buyer.email;
        p = await pricing.price(buyer, billing, now, reviewed?.code || null);
        if (reviewed && (reviewed.total !== p.quote.total || reviewed.currency !== p.currency)) {
          throw new ConflictError(
            'price_changed',
            `The total changed to ${formatMoney(p.quote.total, p.currency)} since you reviewed your order (it was ${formatMoney(reviewed.total, reviewed.currency)}). Nothing was charged; please check the order below and confirm again.`,
          );
        }
      } catch (err) {
        return resumeOrThrow(err);
      }
      // The session first, so the order is written with it (one statement on PostgreSQL) rather than
      // updated once it exists. Nobody can pay it before the order is written: the buyer is sent to it after.
      // A free order (a code took off the whole total) has nothing to pay and no session.
      const free = p.quote.total === 0;
      const session = free ? null : await openPaymentSession(orderId, p, buyer, reservedUntil);
      const pooled = p.lines.filter((x) => x.product.type === 'key_lim');
      const write = async (tx: Executor) => {
        await orders.createOrder(
          tx,
          {
            id: orderId,
            user_sub: buyer.sub,
            email: buyer.email,
            currency: p.currency,
            ...orderColumns(p),
            idempotency_key: idempotencyKey,
            reserved_until: reservedUntil,
            payment_provider: session ? gateway.provider : null,
            payment_ref: session?.id ?? null,
            created_at: now,
            updated_at: now,
          },
          orderItemRows(p),
        );
        // The code's use is taken with the order: used up meanwhile, nothing is written.
        if (p.code) await codes.redeem(tx, { codeId: p.code.codeId, orderId, userSub: buyer.sub, at: now });
        for (const l of pooled) {
          await keyPool.reserveKeys(tx, {
            productId: l.product.id,
            orderId,
            quantity: l.quantity,
            until: reservedUntil,
            name: l.product.name,
          });
        }
        // Settled where it was written: keys reserved above are delivered, the invoice (of 0) numbered,
        // the cart emptied and the receipt queued, or none of it.
        if (free) await payments.placeFree(tx, orderId);
      };
      try {
        // A single statement is atomic by itself: no transaction (two round trips) around it.
        if (pooled.length === 0 && !p.code && orders.createsOrderInOneStatement) await write(db.kysely);
        else await db.transaction(write);
      } catch (err) {
        // Sold out, the code used up, or the same form submitted again: the session leads nowhere, so it is closed.
        if (session)
          await gateway
            .expireCheckoutSession(session.id)
            .catch((e: unknown) => log?.warn({ err: e, orderId }, 'could not expire the payment session of an order not placed'));
        return resumeOrThrow(err);
      }
      return { orderId, paymentUrl: session?.url ?? null };
    },

    /**
     * The page the gateway sends the buyer back to. A cancel ends the order; a success is confirmed
     * with the gateway and settled here if the webhook has not arrived yet (both settle once).
     */
    async confirmReturn(orderId: string, buyer: Buyer, input: { sessionId?: string; cancelled?: boolean }) {
      const found = await orders.getOrderForUser(orderId, buyer.sub);
      const { order } = found;
      // Usually the webhook came first: the order is read once and shown as it is.
      if (order.status !== 'pending' || !order.payment_ref) return found;
      if (input.cancelled) {
        await gateway
          .expireCheckoutSession(order.payment_ref)
          .catch((err: unknown) => log?.warn({ err, orderId }, 'could not expire the payment session'));
        await cancelUnpaid(orderId, 'cancelled by the buyer');
      } else if (input.sessionId === order.payment_ref) {
        const session = await gateway.retrieveCheckoutSession(order.payment_ref).catch(() => null);
        if (session?.paymentStatus === 'paid') {
          const paid = paymentOf(session, `return:${session.id}`);
          // Rolled back by the webhook settling it at the same moment, again and again: the webhook
          // settles it, and the buyer sees the page that waits for it rather than an error.
          await retryTransient(() => db.transaction((tx) => payments.settle(tx, order.id, paid))).catch((err: unknown) => {
            if (!isTransient(err)) throw err;
            log?.warn({ err, orderId }, 'return page could not settle the payment; the webhook will');
          });
        }
      }
      return orders.getOrderForUser(orderId, buyer.sub);
    },

    /**
     * The sweeper: pending orders past their reservation expire and give their keys back. Each
     * one's payment session is closed first and its final state read: one paid meanwhile (its
     * webhook lost, the buyer gone) is settled instead, as the webhook would have. While the
     * gateway cannot be reached, orders with a session stay pending for the next pass.
     */
    async expireStaleOrders(): Promise<number> {
      let expired = 0;
      let reachable = true;
      for (const { id, payment_ref } of await orders.findExpiredPending()) {
        let session: CheckoutSession | null = null;
        if (payment_ref) {
          if (!reachable) continue;
          try {
            session = await gateway.expireCheckoutSession(payment_ref);
          } catch (err) {
            // A session the gateway no longer knows cannot be paid: the order expires.
            if (!(err instanceof AppError && err.code === 'payment_session_not_found')) {
              reachable = false;
              if (!sweepBlocked) log?.warn({ err, orderId: id }, 'order sweeper: the payment gateway cannot be reached; stale orders wait');
              continue;
            }
          }
        }
        if (session && isSettled(session)) {
          const paid = paymentOf(session, `sweep:${session.id}`);
          const result = await db.transaction((tx) => payments.settle(tx, id, paid));
          if (result.kind !== 'not_applied')
            log?.warn(
              { orderId: id, sessionId: session.id },
              'order sweeper settled a payment whose webhook never arrived: check the webhook endpoint',
            );
          continue;
        }
        const result = await db.transaction((tx) => payments.expire(tx, id, 'reservation time passed'));
        if (result.kind === 'moved') expired++;
      }
      sweepBlocked = !reachable;
      return expired;
    },
  };

  async function resume(order: { id: string; user_sub: string; status: string; payment_ref: string | null }, buyer: Buyer) {
    if (order.user_sub !== buyer.sub)
      throw new ConflictError('checkout_conflict', 'This checkout form was already used. Please reload the page.');
    if (order.status !== 'pending' || !order.payment_ref) return { orderId: order.id, paymentUrl: null };
    const session = await gateway.retrieveCheckoutSession(order.payment_ref).catch(() => null);
    return { orderId: order.id, paymentUrl: session?.status === 'open' ? (session.url ?? null) : null };
  }
}

export type CheckoutService = ReturnType<typeof createCheckoutService>;
