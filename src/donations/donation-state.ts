/** Donation states: a donation is a payment with nothing to deliver, so the table is short. */
export const donationStates = ['pending', 'paid', 'failed', 'cancelled', 'expired', 'needs_attention', 'refunded'] as const;
export type DonationState = (typeof donationStates)[number];

export const donationEvents = [
  'payment_settled', // the gateway reports the money as captured (never on authorisation alone)
  'payment_failed', // a failed payment on a session that is closed (an open session may still be paid)
  'payment_cancelled', // the donor came back through the cancel link
  'session_expired',
  'payment_mismatch', // settled, but amount or currency differ from the donation: set aside for the owner
  'refund_full',
] as const;
export type DonationEvent = (typeof donationEvents)[number];

const transitions: Record<DonationState, Partial<Record<DonationEvent, DonationState>>> = {
  pending: {
    payment_settled: 'paid',
    payment_failed: 'failed',
    payment_cancelled: 'cancelled',
    session_expired: 'expired',
    payment_mismatch: 'needs_attention',
  },
  // Money that arrives late is never turned away silently: the donation is paid after all (and logged).
  failed: { payment_settled: 'paid', payment_mismatch: 'needs_attention' },
  cancelled: { payment_settled: 'paid', payment_mismatch: 'needs_attention' },
  expired: { payment_settled: 'paid', payment_mismatch: 'needs_attention' },
  paid: { refund_full: 'refunded' },
  // Money of the wrong amount is the owner's to give back (as an order's is), never accepted silently.
  needs_attention: { refund_full: 'refunded' },
  refunded: {},
};

export type DonationTransition =
  { ok: true; from: DonationState; to: DonationState } | { ok: false; from: DonationState; event: DonationEvent };

/** The next state for an event, or a refusal (which the caller logs and otherwise ignores). */
export function nextDonationState(from: DonationState, event: DonationEvent): DonationTransition {
  const to = transitions[from]?.[event];
  return to ? { ok: true, from, to } : { ok: false, from, event };
}

/** True for a state whose payment did not happen (the donor may simply donate again). */
export function isUnpaidEnd(state: DonationState): boolean {
  return state === 'failed' || state === 'cancelled' || state === 'expired';
}
