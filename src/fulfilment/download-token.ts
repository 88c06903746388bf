import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface DownloadClaim {
  grantId: number;
  fileId: number;
  /** epoch ms */
  expiresAt: number;
  /** 128 random bits naming this link: its transfer is accounted to it */
  linkId: string;
}

export type TokenCheck =
  | { ok: true; claim: DownloadClaim }
  | { ok: false; reason: 'tampered' }
  /** genuine but past its expiry: it may still resume its own counted transfer */
  | { ok: false; reason: 'expired'; claim: DownloadClaim };

/**
 * Download links `<grant>.<file>.<expiry>.<link id>.<HMAC>`: bound to one grant and one file,
 * short-lived, and usable without the session cookie (download managers), since the token itself
 * is the proof. Each link is one transfer (see applyTransferEvent).
 */
export function createDownloadTokens(key: Buffer) {
  const mac = (body: string) => createHmac('sha256', key).update(`download:${body}`).digest();
  return {
    /** Signs a claim; a link id is drawn unless given (a new link is a new transfer). */
    sign(claim: Omit<DownloadClaim, 'linkId'> & { linkId?: string }): string {
      const linkId = claim.linkId ?? randomBytes(16).toString('base64url');
      const body = `${claim.grantId}.${claim.fileId}.${Math.floor(claim.expiresAt / 1000)}.${linkId}`;
      return `${body}.${mac(body).toString('base64url')}`;
    },
    /** Checks the signature first (constant time), then the expiry. */
    verify(token: string, now: number): TokenCheck {
      const match = /^(\d{1,12})\.(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return { ok: false, reason: 'tampered' };
      const [, grant, file, expiry, linkId, sig] = match as unknown as [string, string, string, string, string, string];
      const expected = mac(`${grant}.${file}.${expiry}.${linkId}`);
      const given = Buffer.from(sig, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
      const claim = { grantId: Number(grant), fileId: Number(file), expiresAt: Number(expiry) * 1000, linkId };
      return claim.expiresAt <= now ? { ok: false, reason: 'expired', claim } : { ok: true, claim };
    },
  };
}

export type DownloadTokens = ReturnType<typeof createDownloadTokens>;
