import { describe, expect, it } from 'vitest';
import { nextOrderState, orderEvents, orderStates, type OrderEvent, type OrderState } from './order-state.js';

// The whole table of DESIGN.md, written out independently of the implementation's.
const allowed: Array<[OrderState, OrderEvent, OrderState]> = [
  ['pending', 'payment_settled', 'fulfilled'],
  ['pending', 'payment_failed', 'failed'],
  ['pending', 'payment_cancelled', 'cancelled'],
  ['pending', 'reservation_expired', 'expired'],
  ['pending', 'payment_mismatch', 'needs_attention'],
  ['pending', 'free_order_placed', 'fulfilled'],
  ['expired', 'payment_settled', 'needs_attention'],
  ['cancelled', 'payment_settled', 'needs_attention'],
  ['failed', 'payment_settled', 'needs_attention'],
  ['expired', 'payment_mismatch', 'needs_attention'],
  ['cancelled', 'payment_mismatch', 'needs_attention'],
  ['failed', 'payment_mismatch', 'needs_attention'],
  ['expired', 'payment_retried', 'pending'],
  ['expired', 'payment_cancelled', 'cancelled'],
  ['failed', 'payment_retried', 'pending'],
  ['needs_attention', 'fulfilled_late', 'fulfilled'],
  ['fulfilled', 'refund_partial', 'partially_refunded'],
  ['fulfilled', 'refund_full', 'refunded'],
  ['needs_attention', 'refund_partial', 'partially_refunded'],
  ['needs_attention', 'refund_full', 'refunded'],
  ['partially_refunded', 'refund_partial', 'partially_refunded'],
  ['partially_refunded', 'refund_full', 'refunded'],
];

describe('order state machine', () => {
  const pairs = orderStates.flatMap((state) => orderEvents.map((event) => [state, event] as const));

  it.each(pairs)('%s + %s', (state, event) => {
    const expected = allowed.find(([s, e]) => s === state && e === event);
    const result = nextOrderState(state, event);
    if (expected) expect(result).toEqual({ ok: true, from: state, to: expected[2] });
    else expect(result).toEqual({ ok: false, from: state, event });
  });

  it('covers every state and event in the table', () => {
    expect(pairs).toHaveLength(orderStates.length * orderEvents.length);
    expect(new Set(allowed.map(([s]) => s))).toEqual(new Set(orderStates.filter((s) => s !== 'refunded')));
  });

  it('pays again only an order that ended unpaid without the buyer cancelling it', () => {
    const retryable = orderStates.filter((s) => nextOrderState(s, 'payment_retried').ok);
    expect(retryable).toEqual(['failed', 'expired']);
  });

  it('places a free order only from pending, the state its own transaction wrote it in', () => {
    const from = orderStates.filter((s) => nextOrderState(s, 'free_order_placed').ok);
    expect(from).toEqual(['pending']);
  });

  it('never leaves refunded', () => {
    for (const event of orderEvents) expect(nextOrderState('refunded', event).ok).toBe(false);
  });
});
