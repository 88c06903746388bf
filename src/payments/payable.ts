import type { Executor } from '../platform/db/db.js';

/** A settled payment as the gateway reports it, from the webhook or the return page. */
export interface SettledPayment {
  amount: number;
  currency: string;
  paymentIntentId: string | null;
  /** event id or `return:<session>`: recorded in the payable's log */
  source: string;
  /** the tax the gateway computed (automatic tax) in `amount`; null or absent when the store computed it */
  tax?: number | null;
}

/** What one lifecycle step did to an order or a donation. */
export type PayableResult =
  /** the state table moved it (`to` is where it ended, after any step the first one led to) */
  | { kind: 'moved'; from: string; to: string }
  /** the state table refused the event, or a concurrent transaction moved it first */
  | { kind: 'not_applied'; reason: 'refused' | 'raced' }
  /** settled with another amount or currency: set aside for the owner (needs_attention), nothing delivered */
  | { kind: 'amount_mismatch' }
  /** nothing to do: the owner's refund already counted this amount, or a partial refund of something that cannot be split */
  | { kind: 'unchanged'; why: 'refund_already_applied' | 'partial_refund' };

/**
 * Where a payable stands for a payment the gateway reports: `pending` (its session may still be paid),
 * `unpaid` (it ended without one; a late payment still settles it) or `done` (paid, refunded or set aside).
 */
export type PayableStanding = 'pending' | 'unpaid' | 'done';

/**
 * The lifecycle every payable thing shares (orders and donations): the gateway's events move it
 * through its own state table, each inside the transaction that records the event.
 */
export interface Payable {
  /** The id a gateway event is about (its reference, or the payment intent of a refund), or null when it is not ours. */
  find(tx: Executor, ref: { reference: string | null; paymentIntentId: string | null }): Promise<string | null>;
  /** Read only, so reconciling a settled one writes nothing. */
  standing(tx: Executor, id: string): Promise<PayableStanding>;
  /** The money arrived: deliver once, or set aside for the owner when the amount differs. */
  settle(tx: Executor, id: string, payment: SettledPayment): Promise<PayableResult>;
  /** The last attempt failed and the session is closed. */
  fail(tx: Executor, id: string, source: string): Promise<PayableResult>;
  /** The session ran out unpaid. */
  expire(tx: Executor, id: string, source: string): Promise<PayableResult>;
  /** The payer came back through the cancel link, or the gateway could not be reached. */
  cancel(tx: Executor, id: string, source: string): Promise<PayableResult>;
  /** The gateway refunded `amountRefunded` in total so far, of a charge of `chargeAmount` (when the event says). */
  refund(
    tx: Executor,
    id: string,
    refund: { amountRefunded: number; chargeAmount: number | null; refundId?: string | null },
    source: string,
  ): Promise<PayableResult>;
}

/** The outcome recorded with a payment event and answered to the gateway, e.g. `fulfilled` or `not_applied:raced`. */
export function outcomeOf(result: PayableResult): string {
  switch (result.kind) {
    case 'moved':
      return result.to;
    case 'not_applied':
      return `not_applied:${result.reason}`;
    case 'amount_mismatch':
      return 'amount_mismatch';
    case 'unchanged':
      return result.why;
  }
}

/** A transition result in the shared shape (orders and donations report theirs alike). */
export function moved(r: { applied: true; from: string; to: string } | { applied: false; reason: 'refused' | 'raced' }): PayableResult {
  return r.applied ? { kind: 'moved', from: r.from, to: r.to } : { kind: 'not_applied', reason: r.reason };
}
