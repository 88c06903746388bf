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

/**
 * One download link's transfer: every byte a link serves is accounted to it. A "pass" is one counted
 * download; its bytes may exceed one copy of the file only by the resume allowance.
 */
export interface TransferState {
  /** downloads counted on this link (0 before its first byte) */
  downloads: number;
  /** the client address of the current pass */
  ip: string | null;
  /** when the current pass last served bytes, epoch ms: the resume window runs from here */
  activeAt: number;
  /** bytes of the current pass: sent, and claimed by responses still being sent */
  sent: number;
}

export const NEW_TRANSFER: TransferState = { downloads: 0, ip: null, activeAt: 0, sent: 0 };

const MiB = 1024 * 1024;

/**
 * How far the bytes of one pass may exceed the file: what resumes send again because it was in
 * flight when a connection dropped, and what a download manager's connections overlap. An eighth
 * of the file, at most 16 MiB.
 */
export function resumeAllowance(size: number): number {
  return Math.min(Math.floor(size / 8), 16 * MiB);
}

/**
 * A response claims its bytes in blocks as it sends them (a sixty-fourth of the file, 64 KiB to
 * 4 MiB), not its whole range at once: an open range (`bytes=N-`) of a download manager's
 * connection that it will close at the next segment is charged only for what it sent.
 */
export function claimBlock(size: number): number {
  return Math.min(Math.max(Math.floor(size / 64), 64 * 1024), 4 * MiB);
}

export type TransferEvent =
  /**
   * A GET (or HEAD, `head`) through a link, possibly past its own expiry, claiming `claim` bytes
   * before its first byte: its first block, all of its range for a redirect, 0 for HEAD.
   */
  | { type: 'fetch'; claim: number; head: boolean; ip: string; linkExpired: boolean }
  /** a response of pass `pass`, still sending, claims `bytes` more */
  | { type: 'claim'; pass: number; bytes: number }
  /** a response of pass `pass` ended with `unsent` of its claimed bytes not sent */
  | { type: 'settle'; pass: number; unsent: number };

export interface TransferContext {
  grant: GrantState;
  /** the file's size */
  size: number;
  /** how long after a pass last served bytes the same link and address may resume it */
  windowMs: number;
  now: number;
}

/** `exhausted`: a running response may not send more (its pass has sent a copy and the allowance, or the link moved on). */
export type TransferRefusal = Exclude<GrantVerdict, 'available'> | 'link_expired' | 'exhausted';
export type TransferTransition = { ok: true; count: boolean; next: TransferState } | { ok: false; reason: TransferRefusal };

/**
 * The counting rule as a transition. A refunded or expired grant serves nothing. A GET resumes the
 * current pass (free) only on the same link, from the same address, within the window after the
 * pass last served bytes, while the pass has sent less than one copy and its claim fits in one copy
 * plus the allowance; any other GET counts a download before its first byte (refused at the limit,
 * and on an expired link, which can only resume). A running response's further claims are granted
 * within that same bound, so a pass never sends more than one copy plus the allowance, however its
 * requests are shaped or run in parallel. HEAD sends no bytes and never counts.
 */
export function applyTransferEvent(t: TransferState, event: TransferEvent, ctx: TransferContext): TransferTransition {
  if (event.type === 'settle')
    return { ok: true, count: false, next: event.pass === t.downloads ? { ...t, sent: Math.max(0, t.sent - event.unsent) } : t };
  const verdict = judgeGrant(ctx.grant, ctx.now);
  if (verdict === 'revoked' || verdict === 'access_expired') return { ok: false, reason: verdict };
  const budget = ctx.size + resumeAllowance(ctx.size);
  if (event.type === 'claim')
    return event.pass === t.downloads && t.sent + event.bytes <= budget
      ? { ok: true, count: false, next: { ...t, activeAt: ctx.now, sent: t.sent + event.bytes } }
      : { ok: false, reason: 'exhausted' };
  const resumable = t.downloads > 0 && t.ip === event.ip && ctx.now < t.activeAt + ctx.windowMs;
  if (event.head) {
    if (resumable) return { ok: true, count: false, next: t };
    if (event.linkExpired) return { ok: false, reason: 'link_expired' };
    return verdict === 'available' ? { ok: true, count: false, next: t } : { ok: false, reason: verdict };
  }
  if (resumable && t.sent < ctx.size && t.sent + event.claim <= budget)
    return { ok: true, count: false, next: { ...t, activeAt: ctx.now, sent: t.sent + event.claim } };
  if (event.linkExpired) return { ok: false, reason: 'link_expired' };
  const counted = applyGrantEvent(ctx.grant, { type: 'download' }, ctx.now);
  if (!counted.ok) return { ok: false, reason: counted.reason as TransferRefusal };
  return { ok: true, count: true, next: { downloads: t.downloads + 1, ip: event.ip, activeAt: ctx.now, sent: event.claim } };
}
