/** Order states of DESIGN.md. `paid` is passed through inside the fulfilling transaction, never stored. */
export const orderStates = [
  'pending',
  'fulfilled',
  'failed',
  'cancelled',
  'expired',
  'needs_attention',
  'partially_refunded',
  'refunded',
] as const;
export type OrderState = (typeof orderStates)[number];

/** Every order starts here (`POST /checkout`, keys reserved). */
export const initialOrderState: OrderState = 'pending';

export const orderEvents = [
  'payment_settled', // the gateway reports the money as captured (never on authorisation alone)
  'payment_failed',
  'payment_cancelled',
  'reservation_expired',
  'payment_mismatch', // settled, but amount or currency differ from the order: fulfil nothing
  'fulfilled_late', // a late payment (or the owner after adding keys) could be fulfilled
  'refund_partial',
  'refund_full',
  'payment_retried', // the buyer pays an unpaid order again: its keys were reserved anew
  'free_order_placed', // a code took off the whole total: fulfilled at checkout, with no payment to wait for
] as const;
export type OrderEvent = (typeof orderEvents)[number];

const transitions: Record<OrderState, Partial<Record<OrderEvent, OrderState>>> = {
  pending: {
    payment_settled: 'fulfilled',
    payment_failed: 'failed',
    payment_cancelled: 'cancelled',
    reservation_expired: 'expired',
    payment_mismatch: 'needs_attention',
    // Only in the transaction that wrote the order: a free order is never seen pending.
    free_order_placed: 'fulfilled',
  },
  // A payment arriving after the reservation was released is never lost: the owner is told. An
  // expired or failed order can be paid again once its keys are reserved anew ("Pay now"); one the
  // buyer cancelled stays cancelled. Cancelling closes the payment session first, and the gateway's
  // "session expired" webhook for that close can land before the cancel: the buyer's cancel still wins.
  expired: {
    payment_settled: 'needs_attention',
    payment_mismatch: 'needs_attention',
    payment_retried: 'pending',
    payment_cancelled: 'cancelled',
  },
  cancelled: { payment_settled: 'needs_attention', payment_mismatch: 'needs_attention' },
  failed: { payment_settled: 'needs_attention', payment_mismatch: 'needs_attention', payment_retried: 'pending' },
  needs_attention: { fulfilled_late: 'fulfilled', refund_partial: 'partially_refunded', refund_full: 'refunded' },
  fulfilled: { refund_partial: 'partially_refunded', refund_full: 'refunded' },
  partially_refunded: { refund_partial: 'partially_refunded', refund_full: 'refunded' },
  refunded: {},
};

export type Transition = { ok: true; from: OrderState; to: OrderState } | { ok: false; from: OrderState; event: OrderEvent };

/** The next state for an event, or a refusal (which the caller logs and otherwise ignores). */
export function nextOrderState(from: OrderState, event: OrderEvent): Transition {
  const to = transitions[from][event];
  return to ? { ok: true, from, to } : { ok: false, from, event };
}

/** States whose key_lim reservation is still held. */
export function holdsReservation(state: OrderState): boolean {
  return state === 'pending';
}

/** States in which the buyer may reveal keys and download files (refunded units are revoked one by one). */
export function deliversGoods(state: OrderState): boolean {
  return state === 'fulfilled' || state === 'partially_refunded' || state === 'needs_attention';
}

/** States that have been paid, and so get an invoice. */
export function isPaid(state: OrderState): boolean {
  return state === 'fulfilled' || state === 'needs_attention' || state === 'partially_refunded' || state === 'refunded';
}
