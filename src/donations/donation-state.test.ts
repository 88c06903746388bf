import { describe, expect, it } from 'vitest';
import { donationEvents, donationStates, nextDonationState, type DonationEvent, type DonationState } from './donation-state.js';

// The table, written out independently of the implementation's.
const allowed: Array<[DonationState, DonationEvent, DonationState]> = [
  ['pending', 'payment_settled', 'paid'],
  ['pending', 'payment_failed', 'failed'],
  ['pending', 'payment_cancelled', 'cancelled'],
  ['pending', 'session_expired', 'expired'],
  ['failed', 'payment_settled', 'paid'],
  ['cancelled', 'payment_settled', 'paid'],
  ['expired', 'payment_settled', 'paid'],
  ['pending', 'payment_mismatch', 'needs_attention'],
  ['failed', 'payment_mismatch', 'needs_attention'],
  ['cancelled', 'payment_mismatch', 'needs_attention'],
  ['expired', 'payment_mismatch', 'needs_attention'],
  ['paid', 'refund_full', 'refunded'],
  ['needs_attention', 'refund_full', 'refunded'],
];

describe('donation state machine', () => {
  const pairs = donationStates.flatMap((state) => donationEvents.map((event) => [state, event] as const));

  it.each(pairs)('%s + %s', (state, event) => {
    const expected = allowed.find(([s, e]) => s === state && e === event);
    const result = nextDonationState(state, event);
    if (expected) expect(result).toEqual({ ok: true, from: state, to: expected[2] });
    else expect(result).toEqual({ ok: false, from: state, event });
  });

  it('covers every state and event', () => {
    expect(pairs).toHaveLength(donationStates.length * donationEvents.length);
    expect(new Set(allowed.map(([s]) => s))).toEqual(new Set(donationStates.filter((s) => s !== 'refunded')));
  });

  it('never leaves refunded, and a paid donation is never paid, failed, cancelled or expired again', () => {
    for (const event of donationEvents) expect(nextDonationState('refunded', event).ok).toBe(false);
    for (const event of ['payment_settled', 'payment_failed', 'payment_cancelled', 'session_expired', 'payment_mismatch'] as const)
      expect(nextDonationState('paid', event).ok).toBe(false);
  });

  it('leaves a donation paid with the wrong amount only through a refund', () => {
    for (const event of donationEvents) expect(nextDonationState('needs_attention', event).ok).toBe(event === 'refund_full');
  });
});
