import type { FulfilmentService } from '../fulfilment/fulfilment.service.js';
import type { KeyPoolService } from '../fulfilment/key-pool.service.js';
import { confirmationMail } from '../orders/confirmation-mail.js';
import { nextOrderState, type OrderEvent, type OrderState } from '../orders/order-state.js';
import type { ApplyResult, OrdersService } from '../orders/orders.service.js';
import type { OrderItemRow, OrderRow } from '../orders/orders.types.js';
import { refundMail } from '../orders/refund-mail.js';
import { createCreditNotesService, type CreditNotesService } from '../orders/credit-notes.service.js';
import { refundedOfOrder, unitAmounts } from '../orders/unit-amounts.js';
import type { Database, Executor } from '../platform/db/db.js';
import type { MailSettings } from '../platform/mail/mail-blocks.js';
import type { MailService } from '../platform/mail/mail.service.js';
import { ConflictError } from '../platform/errors.js';
import { moved, type Payable, type PayableResult, type SettledPayment } from './payable.js';

/** The buyer's cart, from which a paid order's products are taken out. */
export interface PaidCart {
  removeProducts(tx: Executor, ownerId: string, productIds: number[]): Promise<void>;
}

export interface OrderPaymentsDeps {
  db: Database;
  orders: OrdersService;
  fulfilment: Pick<FulfilmentService, 'deliverOrder' | 'revokeUnits' | 'keysForMail'>;
  keyPool: Pick<KeyPoolService, 'releaseReservation'>;
  cart: PaidCart;
  mail: Pick<MailService, 'enqueue'>;
  config: MailSettings;
  clock?: () => number;
  /** where refunds reported by the gateway get their credit notes (default: the CN-{YYYY}- series) */
  creditNotes?: Pick<CreditNotesService, 'issue' | 'listOfOrder'>;
  /** gives an ended order's discount code use back (src/discounts), in the same transaction */
  discounts?: {
    release(tx: Executor, orderId: string): Promise<unknown>;
    /** a paid order's code leaves the buyer's cart with its products */
    clearCartCode(tx: Executor, ownerId: string, code: string): Promise<void>;
  };
}

/** An order's payable lifecycle: settling fulfils it, failing, expiring or cancelling releases its keys, a refund revokes units. */
export function createOrderPayments({
  db,
  orders,
  fulfilment,
  keyPool,
  cart,
  mail,
  config,
  clock = Date.now,
  creditNotes = createCreditNotesService({ db, clock }),
  discounts,
}: OrderPaymentsDeps) {
  /** An event that ends an unpaid order and gives its reserved keys back. */
  async function endUnpaid(tx: Executor, orderId: string, event: OrderEvent, source: string): Promise<PayableResult> {
    let r = await orders.applyEvent(tx, orderId, event, source);
    // Another transaction moved the order between this one's read and write (a cancel's own session
    // close reported by the gateway's "session expired" while the cancel ran): judged again against
    // the state it left, as the table has an answer for it (an expired order may still be cancelled).
    if (!r.applied && r.reason === 'raced') r = await orders.applyEvent(tx, orderId, event, source);
    if (r.applied) await keyPool.releaseReservation(orderId, tx);
    if (r.applied) await discounts?.release(tx, orderId);
    return moved(r);
  }

  /** Keys for the receipt only when the owner turned MAIL_INCLUDE_KEYS on (off: no read at all). */
  const mailedKeys = async (tx: Executor, items: { id: number }[], delivered: boolean) =>
    delivered && config.mail.includeKeys
      ? fulfilment.keysForMail(
          tx,
          items.map((i) => i.id),
        )
      : [];

  // The order `find` read for an event, handed to the settle that follows in the same transaction
  // instead of reading it again; taken once, so nothing later in the transaction sees a stale copy.
  const found = new WeakMap<Executor, { order: OrderRow; items: OrderItemRow[] }>();
  const readOrder = async (tx: Executor, orderId: string) => {
    const kept = found.get(tx);
    found.delete(tx);
    return kept?.order.id === orderId ? kept : orders.findOrderWithItems(orderId, tx);
  };

  /**
   * What a settled order gets once the state table moved it, paid or free: its units delivered (late
   * ones as far as the pool allows), its products and code out of the cart, its receipt mailed.
   */
  async function fulfilSettled(
    tx: Executor,
    order: OrderRow,
    items: OrderItemRow[],
    r: Extract<ApplyResult, { applied: true }>,
    paidAt: number,
  ): Promise<PayableResult> {
    let to = r.to;
    if (r.from === 'pending') {
      // Keys were reserved at checkout and only the sweeper releases them, so this cannot fall short;
      // if it ever did, rolling back lets the gateway retry and the owner see the failure.
      if (!(await fulfilment.deliverOrder(tx, order.id, items))) throw new Error(`reserved keys missing for order ${order.id}`);
    } else if (await fulfilment.deliverOrder(tx, order.id, items)) {
      const late = await orders.applyEvent(tx, order.id, 'fulfilled_late', 'keys were still available');
      if (late.applied) to = late.to;
    } else {
      await orders.setAttentionReason(
        tx,
        order.id,
        'Paid after the reservation ended, and the pool has too few keys left: add keys and fulfil, or refund.',
      );
    }
    // Numbered by the transition itself (applyEvent's withInvoice), in the paying transaction.
    const invoiceNumber = r.order.invoice_number;
    await cart.removeProducts(
      tx,
      order.user_sub,
      items.map((i) => i.product_id),
    );
    if (order.discount_code) await discounts?.clearCartCode(tx, order.user_sub, order.discount_code);
    const receipt = { ...order, invoice_number: invoiceNumber, invoice_series: r.order.invoice_series, paid_at: paidAt };
    await mail.enqueue(confirmationMail(receipt, items, to === 'fulfilled', config, await mailedKeys(tx, items, to === 'fulfilled')), tx);
    return { kind: 'moved', from: r.from, to };
  }

  const payable: Payable = {
    async find(tx, { reference, paymentIntentId }) {
      // By reference (a checkout event) the items come in the same read, for the settle that follows.
      if (reference) {
        const read = await orders.findOrderWithItems(reference, tx);
        if (read) found.set(tx, read);
        return read?.order.id ?? null;
      }
      return paymentIntentId ? ((await orders.findOrderByPaymentIntent(paymentIntentId, tx))?.id ?? null) : null;
    },

    async standing(tx, orderId) {
      const status = (await orders.findOrder(orderId, tx))?.status as OrderState | undefined;
      if (status === 'pending') return 'pending';
      return status && nextOrderState(status, 'payment_settled').ok ? 'unpaid' : 'done';
    },

    /**
     * From the webhook, the return page, the sweeper or the reconciler, whichever comes first: the
     * state table and the conditional update let exactly one of them fulfil. A payment whose amount
     * or currency differs fulfils nothing and flags the order for the owner.
     */
    async settle(tx, orderId, pay: SettledPayment) {
      const read = await readOrder(tx, orderId);
      if (!read) throw new Error(`no order ${orderId} to settle`);
      const { order } = read;
      let { items } = read;
      const paid = { paid_at: clock(), payment_intent: pay.paymentIntentId };
      // Tax computed by the gateway (automatic tax): the order records it when the rest agrees (the
      // same total with prices including tax, or the same amount before tax added).
      if (pay.tax != null && pay.tax !== order.tax && (pay.amount === order.total || pay.amount - pay.tax === order.total - order.tax)) {
        // The same total: the tax was inside the prices (lines keep their gross); else it was added.
        const inclusive = pay.amount === order.total;
        items = await orders.recordGatewayTax(tx, orderId, { tax: pay.tax, total: pay.amount }, items, inclusive);
        Object.assign(order, { tax: pay.tax, total: pay.amount });
      }
      if (pay.amount !== order.total || pay.currency.toUpperCase() !== order.currency) {
        const reason = `Paid ${pay.amount} ${pay.currency.toUpperCase()} for an order of ${order.total} ${order.currency}: refund or settle by hand.`;
        const r = await orders.applyEvent(tx, orderId, 'payment_mismatch', pay.source, { ...paid, attention_reason: reason }, order);
        if (r.applied) await keyPool.releaseReservation(orderId, tx);
        return r.applied ? { kind: 'amount_mismatch' } : moved(r);
      }
      const r = await orders.applyEvent(tx, orderId, 'payment_settled', pay.source, paid, order, true);
      // The second of the webhook and the return page ends here.
      if (!r.applied) return moved(r);
      return fulfilSettled(tx, order, items, r, paid.paid_at);
    },

    fail: (tx, orderId, source) => endUnpaid(tx, orderId, 'payment_failed', source),
    expire: (tx, orderId, source) => endUnpaid(tx, orderId, 'reservation_expired', source),
    cancel: (tx, orderId, source) => endUnpaid(tx, orderId, 'payment_cancelled', source),

    /**
     * A refund reported by the gateway (cumulative amount). A full refund revokes every unit; a
     * partial one revokes whole units, dearest first, as far as the newly refunded amount covers them.
     */
    async refund(tx, orderId, { amountRefunded, refundId }, source) {
      // Takes the order's row lock first: an owner's refund in flight (refund.service) commits before
      // this reads what it already revoked, so no unit is revoked twice.
      await orders.lockOrder(tx, orderId);
      const order = (await orders.findOrder(orderId, tx))!;
      const items = await orders.findItems(orderId, tx);
      // What is accounted for already: the refunded units' amounts, or the credit notes' total when
      // more (a refund of an amount only returned no unit).
      const notes = await creditNotes.listOfOrder(orderId, tx);
      const accounted = refundedOfOrder(
        order,
        items,
        notes.reduce((n, c) => n + c.total, 0),
      ).total;
      const full = amountRefunded >= order.total;
      let budget = amountRefunded - accounted;
      if (full ? items.every((i) => i.refunded_quantity >= i.quantity) && budget <= 0 : budget <= 0)
        return { kind: 'unchanged', why: 'refund_already_applied' };
      const taken: { itemId: number; units: number }[] = [];
      for (const item of [...items].sort((a, b) => b.unit_price - a.unit_price)) {
        const left = item.quantity - item.refunded_quantity;
        let units = full ? left : 0;
        // Whole units, each at what it was paid (the last of a line takes the line's remainder).
        while (!full && units < left && unitAmounts(item, order, item.refunded_quantity, units + 1).gross <= budget) units++;
        if (units <= 0) continue;
        budget -= unitAmounts(item, order, item.refunded_quantity, units).gross;
        await fulfilment.revokeUnits(tx, item.id, units);
        await orders.incrementRefunded(tx, item.id, units);
        taken.push({ itemId: item.id, units });
      }
      const r = await orders.applyEvent(
        tx,
        orderId,
        full ? 'refund_full' : 'refund_partial',
        `refunded ${amountRefunded} ${order.currency}`,
      );
      // A refund made in the gateway's dashboard: the buyer hears of it here, with its credit note.
      // The owner's refunds were told and documented by refund.service and end above as already
      // applied, so no refund is announced or documented twice.
      if (r.applied) {
        const refundedTotal = Math.min(amountRefunded, order.total);
        const amount = refundedTotal - accounted;
        // Nothing new was paid back (the credit notes already cover it): the units go, no note is due.
        const note =
          amount > 0
            ? await creditNotes.issue(tx, {
                order,
                items,
                units: taken,
                amount,
                reason: 'Refunded at the payment gateway',
                refundRef: refundId ?? source,
              })
            : null;
        const creditNoteUrl = note ? `${config.publicUrl}${note.path}` : null;
        await mail.enqueue(refundMail(order, items, { amount, units: taken, refundedTotal, creditNoteUrl }, config), tx);
      }
      return moved(r);
    },
  };

  /**
   * Delivers a `needs_attention` order now: keys and grants as a late payment gets them, the order
   * `fulfilled_late`, its reason cleared, the buyer mailed. `short` when the pool still has too few
   * keys (nothing taken, the order stays in attention); `not_waiting` for any other order.
   */
  async function deliverLate(
    tx: Executor,
    orderId: string,
    detail: string,
    { evenMismatched }: { evenMismatched: boolean },
  ): Promise<'fulfilled' | 'still_short' | 'not_waiting'> {
    let order = await orders.findOrder(orderId, tx);
    if (order?.status !== 'needs_attention') return 'not_waiting';
    if (!evenMismatched && (await orders.findEvents(orderId, tx)).some((e) => e.event === 'payment_mismatch')) return 'not_waiting';
    const items = await orders.findItems(orderId, tx);
    if (!(await fulfilment.deliverOrder(tx, orderId, items))) return 'still_short';
    const moved = await orders.applyEvent(tx, orderId, 'fulfilled_late', detail, {}, order);
    // Another transaction moved the order first (a refund): undo what was just delivered.
    if (!moved.applied)
      throw new ConflictError('order_changed', `Order ${orderId} changed while it was being delivered; nothing was delivered.`);
    await orders.setAttentionReason(tx, orderId, null);
    // A payment of the wrong amount was never given an invoice number: the owner accepting it does.
    if (order.invoice_number === null) order = { ...order, ...(await orders.assignInvoiceNumber(tx, orderId, order.paid_at)) };
    await mail.enqueue(confirmationMail(order, items, true, config, await mailedKeys(tx, items, true)), tx);
    return 'fulfilled';
  }

  /** Delivers an order paid after its reservation ended once the owner added keys (never one paid with the wrong amount). */
  const fulfilWaiting = (orderId: string) => db.transaction((tx) => deliverLate(tx, orderId, 'keys were added', { evenMismatched: false }));

  return {
    ...payable,
    fulfilWaiting,

    /**
     * A free order (a code took off the whole total), in the transaction that wrote it: fulfilled
     * as a paid order is settled, with its invoice of 0 and its receipt, and no payment to wait for.
     */
    async placeFree(tx: Executor, orderId: string): Promise<PayableResult> {
      const read = await orders.findOrderWithItems(orderId, tx);
      if (!read || read.order.total !== 0) throw new Error(`order ${orderId} is not free`);
      const paidAt = clock();
      const detail = 'free: a discount code took off the whole total';
      const r = await orders.applyEvent(tx, orderId, 'free_order_placed', detail, { paid_at: paidAt }, read.order, true);
      if (!r.applied) throw new Error(`free order ${orderId} could not be placed from ${read.order.status}`);
      return fulfilSettled(tx, read.order, read.items, r, paidAt);
    },

    /**
     * The owner resolves an order in attention by delivering it, with their note in its event log;
     * `then` runs in the same transaction once it is delivered (the admin's audit row).
     */
    async deliverByOwner(orderId: string, note: string, then: (tx: Executor) => Promise<void>): Promise<void> {
      await db.transaction(async (tx) => {
        // The row lock: an owner's refund of the same order runs before or after this, never beside it.
        await orders.lockOrder(tx, orderId);
        const outcome = await deliverLate(tx, orderId, `owner: ${note}`, { evenMismatched: true });
        // Thrown, so the lock's touch of the order rolls back too: a refusal changes nothing.
        if (outcome === 'not_waiting') {
          const status = (await orders.findOrder(orderId, tx))?.status ?? 'unknown';
          throw new ConflictError(
            'not_in_attention',
            `This order is ${status.replace('_', ' ')}, not waiting for attention: there is nothing to resolve.`,
          );
        }
        if (outcome === 'still_short')
          throw new ConflictError(
            'out_of_stock',
            'The key pool has too few keys to deliver this order. Add keys to the product, or refund the order; it still needs attention.',
          );
        await then(tx);
      });
    },

    /**
     * Queues the receipt of a paid order again (keys only with MAIL_INCLUDE_KEYS, as the first time);
     * `then` runs in the same transaction. False for an order that has no receipt to send.
     */
    async resendReceipt(orderId: string, then: (tx: Executor, order: OrderRow) => Promise<void>): Promise<boolean> {
      return db.transaction(async (tx) => {
        const read = await orders.findOrderWithItems(orderId, tx);
        const status = read?.order.status;
        if (!read || !(status === 'fulfilled' || status === 'partially_refunded' || status === 'needs_attention')) return false;
        const delivered = status !== 'needs_attention';
        const keys = await mailedKeys(tx, read.items, delivered);
        await mail.enqueue(confirmationMail(read.order, read.items, delivered, config, keys), tx);
        await then(tx, read.order);
        return true;
      });
    },
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
  };
}

export type OrderPayments = ReturnType<typeof createOrderPayments>;
