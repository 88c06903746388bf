import { normaliseSku } from '../catalog/sku.js';
import type { FulfilmentService } from '../fulfilment/fulfilment.service.js';
import type { OrderState } from '../orders/order-state.js';
import type { OrdersService } from '../orders/orders.service.js';
import { refundMail } from '../orders/refund-mail.js';
import type { PaymentGateway } from './payment-gateway.js';
import type { Database, Executor } from '../platform/db/db.js';
import { AppError, ConflictError, NotFoundError } from '../platform/errors.js';
import type { MailSettings } from '../platform/mail/mail-blocks.js';
import type { MailService } from '../platform/mail/mail.service.js';
import { createCreditNotesService, type CreditNotesService } from '../orders/credit-notes.service.js';
import { refundedOfOrder, unitAmounts } from '../orders/unit-amounts.js';

/** What to refund: everything left, or some units of one item (by SKU). */
export interface RefundRequest {
  orderId: string;
  item?: { sku: string; units: number };
  /** why, in the order's event log (the admin requires one) */
  reason?: string;
  /**
   * The units of the order already refunded when the owner chose this refund (the admin form sends
   * it): if another refund came first, this one is refused (`order_changed`) instead of refunding
   * more, so a double-submitted form or two tabs never refund twice.
   */
  refundedUnitsSeen?: number;
  /** refuse (`not_in_attention`) unless the order is in this state: resolving an order in attention */
  onlyFrom?: OrderState;
}

/** Work done in the refund's own transaction once it is applied (the admin's audit row). */
export type RefundFollowUp = (tx: Executor, outcome: RefundOutcome) => Promise<void>;

export interface RefundOutcome {
  orderId: string;
  /** minor units the gateway refunded this time */
  amount: number;
  currency: string;
  units: { sku: string; units: number }[];
  status: OrderState;
  /** the order's status before the refund */
  from: OrderState;
  refundId: string | null;
  /** the credit note this refund issued, as printed (`CN-2026-000004`), and its page */
  creditNote: { number: string; path: string };
}

const REFUNDABLE: readonly string[] = ['fulfilled', 'needs_attention', 'partially_refunded'];

/**
 * The owner's refunds. One transaction takes the order's row lock, revokes exactly the refunded
 * units, counts them and moves the order through the state table, and last asks the gateway to pay
 * the money back: if the gateway refuses, nothing changed here. The buyer's refund notice is queued
 * in the same transaction; the gateway's later `charge.refunded` webhook finds the amount already
 * accounted (`refund_already_applied`) and sends none. Each refund issues its credit note in the
 * same transaction, after the gateway paid: a refused refund leaves none.
 */
export function createRefundService({
  db,
  gateway,
  orders,
  fulfilment,
  mail,
  config,
  creditNotes = createCreditNotesService({ db }),
}: {
  db: Database;
  gateway: Pick<PaymentGateway, 'refund'>;
  orders: OrdersService;
  fulfilment: Pick<FulfilmentService, 'revokeUnits'>;
  mail: Pick<MailService, 'enqueue'>;
  config: MailSettings;
  /** where the credit notes are issued (default: the CN-{YYYY}- series) */
  creditNotes?: Pick<CreditNotesService, 'issue' | 'listOfOrder'>;
}) {
  return {
    /** The one refund of the CLI and the admin; `followUp` runs in its transaction once the gateway has paid. */
    async refundOrder(request: RefundRequest, followUp?: RefundFollowUp): Promise<RefundOutcome> {
      return db.transaction(async (tx) => {
        if (!(await orders.findOrder(request.orderId, tx)))
          throw new NotFoundError(`There is no order ${request.orderId}.`, 'order_not_found');
        // The row lock: a refund webhook (or a second owner refund) waits until this one commits.
        await orders.lockOrder(tx, request.orderId);
        const order = (await orders.findOrder(request.orderId, tx))!;
        if (request.onlyFrom && order.status !== request.onlyFrom)
          throw new ConflictError(
            'not_in_attention',
            `This order is ${order.status.replace('_', ' ')}, not waiting for attention: there is nothing to resolve.`,
          );
        if (order.status === 'refunded') throw new ConflictError('already_refunded', `Order ${order.id} is already refunded in full.`);
        if (!REFUNDABLE.includes(order.status))
          throw new ConflictError('not_paid', `Order ${order.id} is ${order.status}: only paid orders can be refunded.`);
        // A free order (a code took off the whole total) was never paid: its units are revoked and the
        // €0 credit note corrects its €0 invoice, with nothing asked of the gateway.
        const free = order.total === 0;
        if (!order.payment_intent && !free)
          throw new ConflictError(
            'no_payment_reference',
            `Order ${order.id} has no payment reference from the gateway; refund it in the gateway's dashboard.`,
          );

        const items = await orders.findItems(order.id, tx);
        const refundedBefore = items.reduce((n, i) => n + i.refunded_quantity, 0);
        if (request.refundedUnitsSeen !== undefined && request.refundedUnitsSeen !== refundedBefore)
          throw new ConflictError(
            'order_changed',
            `Order ${order.id} changed since you looked at it: another refund came first (${refundedBefore} ${refundedBefore === 1 ? 'unit is' : 'units are'} refunded now). Nothing more was refunded; check the order and refund again if you still mean to.`,
          );
        const left = (i: (typeof items)[number]) => i.quantity - i.refunded_quantity;
        let plan: { item: (typeof items)[number]; units: number }[];
        if (request.item) {
          const sku = normaliseSku(request.item.sku);
          const item = items.find((i) => i.sku === sku);
          if (!item)
            throw new NotFoundError(
              `Order ${order.id} has no item ${sku} (it has ${items.map((i) => i.sku).join(', ')}).`,
              'item_not_found',
            );
          if (request.item.units > left(item)) {
            throw new AppError(
              'too_many_units',
              `Only ${left(item)} of ${item.quantity} units of ${sku} are left to refund; asked for ${request.item.units}.`,
            );
          }
          plan = [{ item, units: request.item.units }];
        } else {
          plan = items.filter((i) => left(i) > 0).map((item) => ({ item, units: left(item) }));
        }
        const unitsNow = plan.reduce((n, p) => n + p.units, 0);
        const full = refundedBefore + unitsNow === items.reduce((n, i) => n + i.quantity, 0);
        // The last refund takes whatever the gateway still holds, so rounding per unit never leaves cents behind.
        // Each unit at what it was paid (unitAmounts: the last unit of a line takes its remainder).
        const amount = full
          ? undefined
          : plan.reduce((sum, p) => sum + unitAmounts(p.item, order, p.item.refunded_quantity, p.units).gross, 0);

        for (const p of plan) {
          await fulfilment.revokeUnits(tx, p.item.id, p.units);
          await orders.incrementRefunded(tx, p.item.id, p.units);
        }
        const what = plan.map((p) => `${p.units} × ${p.item.sku}`).join(', ');
        const why = request.reason?.trim() ? ` (${request.reason.trim()})` : '';
        const applied = await orders.applyEvent(tx, order.id, full ? 'refund_full' : 'refund_partial', `owner refund: ${what}${why}`);
        if (!applied.applied) throw new ConflictError('refund_refused', `Order ${order.id} cannot be refunded from ${order.status}.`);

        // Same order, same state, same request: the same key, so a retry after a lost answer never pays twice.
        const idempotencyKey = `refund-${order.id}-${refundedBefore}-${request.item ? `${plan[0]!.item.id}x${unitsNow}` : 'all'}`;
        const result =
          // Only a free order gets here without a payment intent (checked above).
          amount === 0 || !order.payment_intent
            ? null
            : await gateway.refund({ paymentIntentId: order.payment_intent, ...(amount !== undefined ? { amount } : {}), idempotencyKey });
        if (result && (result.status === 'failed' || result.status === 'canceled')) {
          throw new AppError(
            'refund_failed',
            `The payment gateway did not refund order ${order.id} (refund ${result.id} is ${result.status}); nothing was changed.`,
            502,
          );
        }
        const refunded = result?.amount ?? 0;
        const units = plan.map((p) => ({ itemId: p.item.id, units: p.units }));
        const creditNote = await creditNotes.issue(tx, {
          order,
          items,
          units,
          amount: refunded,
          reason: request.reason?.trim() || 'Refund',
          refundRef: result?.id ?? null,
        });
        if (refunded > 0) {
          const notes = await creditNotes.listOfOrder(order.id, tx);
          const before = notes.reduce((n, c) => n + c.total, 0) - refunded;
          const accountedBefore = refundedOfOrder(order, items, before).total;
          const refundedTotal = full ? order.total : Math.min(order.total, accountedBefore + refunded);
          const creditNoteUrl = `${config.publicUrl}${creditNote.path}`;
          await mail.enqueue(refundMail(order, items, { amount: refunded, units, refundedTotal, creditNoteUrl }, config), tx);
        }
        const outcome: RefundOutcome = {
          orderId: order.id,
          amount: refunded,
          currency: order.currency,
          units: plan.map((p) => ({ sku: p.item.sku, units: p.units })),
          status: applied.to,
          from: applied.from,
          refundId: result?.id ?? null,
          creditNote,
        };
        await followUp?.(tx, outcome);
        return outcome;
      });
    },
  };
}

export type RefundService = ReturnType<typeof createRefundService>;
