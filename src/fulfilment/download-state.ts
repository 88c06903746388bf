/** A download grant as the rules see it: one per file-product unit bought. */
export interface GrantState {
  status: 'active' | 'revoked';
  downloadsUsed: number;
  downloadLimit: number;
  /** access expiry, epoch ms */
  expiresAt: number;
}

/** What a buyer may do with a grant right now; everything but `available` names its own page. */
export type GrantVerdict = 'available' | 'revoked' | 'access_expired' | 'limit_reached';

/** Derived, never stored: exhaustion and expiry follow from the counters and the clock. */
export function judgeGrant(grant: GrantState, now: number): GrantVerdict {
  if (grant.status === 'revoked') return 'revoked';
  if (grant.expiresAt <= now) return 'access_expired';
  if (grant.downloadsUsed >= grant.downloadLimit) return 'limit_reached';
  return 'available';
}

export type GrantEvent =
  | { type: 'download' } // a counted download (a resumed transfer's further ranges are not counted)
  | { type: 'revoke' } // refund of the unit
  | { type: 'reset' } // owner: downloads back to zero
  | { type: 'extend'; expiresAt: number }; // owner: new access expiry

export type GrantTransition = { ok: true; next: GrantState } | { ok: false; reason: GrantVerdict | 'not_later' };

/** The grant after an event, or why the event is refused. A revoked grant never comes back. */
export function applyGrantEvent(grant: GrantState, event: GrantEvent, now: number): GrantTransition {
  if (grant.status === 'revoked') return { ok: false, reason: 'revoked' };
  switch (event.type) {
    case 'download': {
      const verdict = judgeGrant(grant, now);
      return verdict === 'available'
        ? { ok: true, next: { ...grant, downloadsUsed: grant.downloadsUsed + 1 } }
        : { ok: false, reason: verdict };
    }
    case 'revoke':
      return { ok: true, next: { ...grant, status: 'revoked' } };
    case 'reset':
      return { ok: true, next: { ...grant, downloadsUsed: 0 } };
    case 'extend':
      return event.expiresAt > grant.expiresAt && event.expiresAt > now
        ? { ok: true, next: { ...grant, expiresAt: event.expiresAt } }
        : { ok: false, reason: 'not_later' };
  }
}
