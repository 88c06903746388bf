import type { Database, Executor } from '../platform/db/db.js';
import { outcomeOf, type Payable } from './payable.js';
import { createPaymentEventsRepo } from './payment-events.repo.js';
import { isSettled, type PaymentEvent, type PaymentGateway } from './payment-gateway.js';
import { retryTransient } from './payments.retry.js';

/** The part of the gateway that receives webhooks. */
export type WebhookGateway = Pick<PaymentGateway, 'provider' | 'parseWebhook'>;

/** Orders, and donations (by their `don_` reference or kind): the same lifecycle, each its own state table. */
export interface Payables {
  order?: Payable;
  donation?: Payable;
}

export interface PaymentEventsDeps {
  db: Database;
  gateway: WebhookGateway;
  payables: Payables;
  clock?: () => number;
  log?: { warn(obj: object, msg: string): void };
}

/** One gateway event through its payable's lifecycle, inside the caller's transaction; the answer is the outcome recorded with it. */
export async function applyPaymentEvent(
  tx: Executor,
  event: PaymentEvent,
  payables: Payables,
  log?: { warn(obj: object, msg: string): void },
): Promise<string> {
  const kind = event.kind === 'donation' || event.reference?.startsWith('don_') === true ? 'donation' : 'order';
  const payable = payables[kind];
  if (!payable) return `ignored_${kind}`;
  const id = await payable.find(tx, event);
  if (!id) {
    if (event.type === 'unknown') return 'ignored';
    if (kind === 'donation')
      log?.warn({ eventId: event.id, reference: event.reference, type: event.rawType }, 'payment event for an unknown donation');
    return `unknown_${kind}`;
  }
  switch (event.type) {
    case 'checkout.completed':
    case 'checkout.async_payment_succeeded':
      if (!isSettled(event)) return 'awaiting_payment'; // authorised or processing: nothing is delivered
      return outcomeOf(
        await payable.settle(tx, id, {
          amount: event.amount ?? -1,
          currency: event.currency ?? '',
          paymentIntentId: event.paymentIntentId,
          source: event.id,
          tax: event.amountTax,
        }),
      );
    case 'checkout.async_payment_failed':
      // A declined attempt on a session that is still open: the payer may try again until it expires.
      if (event.sessionStatus === 'open') return 'attempt_failed';
      return outcomeOf(await payable.fail(tx, id, event.id));
    case 'checkout.expired':
      return outcomeOf(await payable.expire(tx, id, event.id));
    case 'charge.refunded':
      return outcomeOf(
        await payable.refund(
          tx,
          id,
          { amountRefunded: event.amountRefunded ?? event.amount ?? 0, chargeAmount: event.amount, refundId: event.refundId ?? null },
          event.id,
        ),
      );
    default:
      return 'ignored';
  }
}

/** Rolls back what a repeated event did: the first copy's record stands alone. */
class RepeatedEvent extends Error {}

/** Records gateway events and applies them to orders and donations: each event once, each in one transaction with its effects. */
export function createPaymentEventsService({ db, gateway, payables, clock = Date.now, log }: PaymentEventsDeps) {
  const repo = createPaymentEventsRepo(db);

  return {
    /**
     * POST /api/payment-callback: the signature is checked over the raw body before anything is
     * parsed; the event is applied and recorded with its outcome in one transaction, so a crash in
     * between leaves it for the gateway's retry. The record comes last, in one statement with its
     * outcome: a repeat (its event id recorded already) is rolled back whole, a no-op. Two copies
     * at once both apply it, and the order's conditional transition (PostgreSQL waits for the first
     * copy's row lock) or the unique event id makes the second one the repeat. A transaction rolled
     * back by a concurrent one (the return page settling the same order) runs again here instead
     * of answering 5xx.
     */
    async handleWebhook(
      rawBody: Buffer,
      signature: string | undefined,
    ): Promise<{ eventId: string; orderId: string | null; outcome: string }> {
      const event = gateway.parseWebhook(rawBody, signature);
      const orderRef = event.reference?.startsWith('ord_') ? event.reference : null;
      const received = clock();
      try {
        return await retryTransient(() =>
          db.transaction(async (tx) => {
            const outcome = await applyPaymentEvent(tx, event, payables, log);
            const recorded = await repo.insertEvent(
              {
                provider: gateway.provider,
                event_id: event.id,
                type: event.rawType,
                order_id: orderRef,
                payload: rawBody.toString('utf8'),
                received_at: received,
                outcome,
                processed_at: clock(),
              },
              tx,
            );
            if (!recorded) throw new RepeatedEvent();
            return { eventId: event.id, orderId: orderRef, outcome };
          }),
        );
      } catch (err) {
        if (err instanceof RepeatedEvent) return { eventId: event.id, orderId: orderRef, outcome: 'duplicate' };
        throw err;
      }
    },
    findEventsOfOrder: (orderId: string) => repo.findEventsOfOrder(orderId),
  };
}

export type PaymentEventsService = ReturnType<typeof createPaymentEventsService>;
