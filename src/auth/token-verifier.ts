import { createRemoteJWKSet, customFetch, errors, jwtVerify, type FetchImplementation, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** Asymmetric algorithms only: an HMAC "signed" with the issuer's public key can never verify. */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
/** Tolerated difference between our clock and the issuer's, in seconds. */
export const CLOCK_SKEW_SECONDS = 30;
/** After a fetch, an unknown `kid` waits this long before the JWKS is fetched again. */
export const JWKS_COOLDOWN_MS = 30_000;

/** A token that must not be trusted; `reason` is for logs, never for users. */
export class InvalidTokenError extends Error {
  constructor(readonly reason: string) {
    super(`invalid token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** Where the issuer's keys are (from discovery); resolved on first use. */
  jwksUri: () => Promise<URL>;
  clock: () => number;
  /** Tests count JWKS fetches through this… */
  fetch?: FetchImplementation;
  /** …and shorten the cooldown. */
  jwksCooldownMs?: number;
}

export interface TokenVerifier {
  /** Verifies an access token (signature via JWKS, iss, aud, exp, nbf) and returns its claims. */
  verifyAccessToken(token: string): Promise<JWTPayload>;
}

/**
 * Access token validation with jose. Keys come only from the issuer's JWKS: `jku`, `x5u`, `x5c` and
 * an embedded `jwk` in a token's header are never used to find a key. An unknown `kid` refetches the
 * JWKS at most once per cooldown period, so forged tokens cannot make us hammer the issuer.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  let keys: ReturnType<typeof createRemoteJWKSet> | undefined;
  let fetchedAt = -Infinity;
  const keySet = async () => {
    if (keys) return keys;
    fetchedAt = options.clock();
    // jose's own cooldown reads Date.now(); it is switched off for the one below, on the injected clock.
    keys = createRemoteJWKSet(await options.jwksUri(), {
      cooldownDuration: Infinity,
      cacheMaxAge: 10 * 60_000,
      timeoutDuration: 5_000,
      ...(options.fetch ? { [customFetch]: options.fetch } : {}),
    });
    return keys;
  };
  const getKey: JWTVerifyGetKey = async (header, token) => {
    const remote = await keySet();
    try {
      return await remote(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || options.clock() < fetchedAt + (options.jwksCooldownMs ?? JWKS_COOLDOWN_MS))
        throw err;
      fetchedAt = options.clock();
      await remote.reload();
      return remote(header, token);
    }
  };

  return {
    async verifyAccessToken(token) {
      if (typeof token !== 'string' || token.length > 16_384 || token.split('.').length !== 3) throw new InvalidTokenError('malformed');
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ALLOWED_ALGORITHMS,
          clockTolerance: CLOCK_SKEW_SECONDS,
          currentDate: new Date(options.clock()),
          requiredClaims: ['exp', 'sub'],
        });
        // Keycloak marks ID tokens `typ: ID` in the payload: one must never pass as an access token.
        if (payload.typ === 'ID' || payload.typ === 'Refresh') throw new InvalidTokenError('not an access token');
        return payload;
      } catch (err) {
        if (err instanceof InvalidTokenError) throw err;
        if (err instanceof errors.JOSEError) throw new InvalidTokenError(err.code);
        throw err;
      }
    },
  };
}
