/** Donation states: a donation is a payment with nothing to deliver, so the table is short. */
export const donationStates = ['pending', 'paid', 'failed', 'cancelled', 'expired', 'refunded'] as const;
export type DonationState = (typeof donationStates)[number];

export const donationEvents = [
  'payment_settled', // the gateway reports the money as captured (never on authorisation alone)
  'payment_failed', // a failed payment on a session that is closed (an open session may still be paid)
  'payment_cancelled', // the donor came back through the cancel link
  'session_expired',
  'refund_full',
] as const;
export type DonationEvent = (typeof donationEvents)[number];

const transitions: Record<DonationState, Partial<Record<DonationEvent, DonationState>>> = {
  pending: { payment_settled: 'paid', payment_failed: 'failed', payment_cancelled: 'cancelled', session_expired: 'expired' },
  // Money that arrives late is never turned away silently: the donation is paid after all (and logged).
  failed: { payment_settled: 'paid' },
  cancelled: { payment_settled: 'paid' },
  expired: { payment_settled: 'paid' },
  paid: { refund_full: 'refunded' },
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
