import { createHmac, timingSafeEqual } from 'node:crypto';

export interface DownloadClaim {
  grantId: number;
  fileId: number;
  /** epoch ms */
  expiresAt: number;
}

export type TokenCheck = { ok: true; claim: DownloadClaim } | { ok: false; reason: 'tampered' | 'expired' };

/**
 * Download links `<grant>.<file>.<expiry>.<HMAC>`: bound to one grant and one file, short-lived, and
 * usable without the session cookie (download managers), since the token itself is the proof.
 */
export function createDownloadTokens(key: Buffer) {
  const mac = (body: string) => createHmac('sha256', key).update(`download:${body}`).digest();
  return {
    sign(claim: DownloadClaim): string {
      const body = `${claim.grantId}.${claim.fileId}.${Math.floor(claim.expiresAt / 1000)}`;
      return `${body}.${mac(body).toString('base64url')}`;
    },
    /** Checks the signature first (constant time), then the expiry. */
    verify(token: string, now: number): TokenCheck {
      const match = /^(\d{1,12})\.(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
      if (!match) return { ok: false, reason: 'tampered' };
      const [, grant, file, expiry, sig] = match as unknown as [string, string, string, string, string];
      const expected = mac(`${grant}.${file}.${expiry}`);
      const given = Buffer.from(sig, 'base64url');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
      const claim = { grantId: Number(grant), fileId: Number(file), expiresAt: Number(expiry) * 1000 };
      return claim.expiresAt <= now ? { ok: false, reason: 'expired' } : { ok: true, claim };
    },
  };
}

export type DownloadTokens = ReturnType<typeof createDownloadTokens>;
