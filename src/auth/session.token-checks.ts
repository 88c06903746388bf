import type { SessionRow } from './session.repo.js';
import { InvalidTokenError, type TokenVerifier } from './token-verifier.js';

/**
 * A session's access token, once its signature and claims checked out, is trusted for this long
 * (never past its expiry) before they are checked again: an RS256 verification on every request was
 * the largest part of resolving a session. A key the provider withdraws is refused after this.
 */
const VERIFIED_FOR_MS = 60_000;
/** Sessions whose verification is remembered per instance (a few dozen bytes each). */
const VERIFIED_KEPT = 20_000;

/** Checks sessions' access tokens, remembering per instance which checked out within the last minute. */
export function createSessionTokenChecks(verifier: TokenVerifier, clock: () => number, log?: { warn(obj: object, msg: string): void }) {
  // By session id: the end of the sealed tokens (their GCM tag, new with every seal) and until when.
  const verifiedRecently = new Map<string, { sealTag: string; until: number }>();

  return {
    /** The session's access token when it checks out (now, or within the last minute), else null. */
    async check(row: SessionRow, accessToken: string): Promise<string | null> {
      try {
        const now = clock();
        const sealTag = row.tokens_encrypted.slice(-24);
        const known = verifiedRecently.get(row.id);
        if (known && known.sealTag === sealTag && known.until > now) return accessToken;
        await verifier.verifyAccessToken(accessToken);
        verifiedRecently.delete(row.id);
        if (verifiedRecently.size >= VERIFIED_KEPT) verifiedRecently.delete(verifiedRecently.keys().next().value!);
        verifiedRecently.set(row.id, { sealTag, until: Math.min(now + VERIFIED_FOR_MS, row.access_expires_at) });
        return accessToken;
      } catch (err) {
        if (!(err instanceof InvalidTokenError)) log?.warn({ err }, 'cannot validate the access token now');
        return null;
      }
    },
  };
}
