import { createRemoteJWKSet, customFetch, errors, jwtVerify, type FetchImplementation, type JWTPayload, type JWTVerifyGetKey } from 'jose';

/** Asymmetric algorithms only: an HMAC "signed" with the issuer's public key can never verify, nor can `none`. */
export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** Tolerated difference between our clock and the issuer's, in seconds. */
export const CLOCK_SKEW_SECONDS = 30;
/** After a fetch, an unknown `kid` waits this long before the JWKS is fetched again. */
export const JWKS_COOLDOWN_MS = 30_000;
/**
 * The same for a token straight from the provider's token endpoint (a login, a refresh), which no
 * visitor can forge: there an unknown `kid` means the provider rotated its keys, and logins must not
 * fail for a whole cooldown.
 */
export const PROVIDER_TOKEN_COOLDOWN_MS = 1_000;

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
  /** For ID tokens: their audience, and the algorithms the provider announces for them. */
  idToken?: { clientId: string; algorithms: () => Promise<string[]> };
}

export interface TokenVerifier {
  /**
   * Verifies an access token (signature via JWKS, iss, aud, exp, nbf) and returns its claims;
   * `fromProvider`: it comes from the token endpoint, not from a request.
   */
  verifyAccessToken(token: string, options?: { fromProvider?: boolean }): Promise<JWTPayload>;
  /**
   * Verifies an ID token's signature (with the access tokens' keys, and an algorithm both announced by
   * the provider and allowed here), iss, aud and exp; openid-client checks the rest (nonce, azp).
   */
  verifyIdToken(token: string): Promise<JWTPayload>;
}

/**
 * Access and ID token validation with jose. Keys come only from the issuer's JWKS: `jku`, `x5u`, `x5c`
 * and an embedded `jwk` in a token's header are never used to find a key. An unknown `kid` refetches
 * the JWKS at most once per cooldown period, so forged tokens cannot make us hammer the issuer; for
 * tokens from the provider itself the period is a second, so a key rotation is picked up at once.
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
  const keysFor =
    (fromProvider: boolean): JWTVerifyGetKey =>
    async (header, token) => {
      const remote = await keySet();
      try {
        return await remote(header, token);
      } catch (err) {
        const cooldown = fromProvider ? PROVIDER_TOKEN_COOLDOWN_MS : (options.jwksCooldownMs ?? JWKS_COOLDOWN_MS);
        if (!(err instanceof errors.JWKSNoMatchingKey) || options.clock() < fetchedAt + cooldown) throw err;
        fetchedAt = options.clock();
        await remote.reload();
        return remote(header, token);
      }
    };

  async function verify(token: string, audience: string, algorithms: string[], fromProvider: boolean): Promise<JWTPayload> {
    if (typeof token !== 'string' || token.length > 16_384 || token.split('.').length !== 3) throw new InvalidTokenError('malformed');
    try {
      const { payload } = await jwtVerify(token, keysFor(fromProvider), {
        issuer: options.issuer,
        audience,
        algorithms: ALLOWED_ALGORITHMS.filter((alg) => algorithms.includes(alg)),
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(options.clock()),
        requiredClaims: ['exp', 'sub'],
      });
      return payload;
    } catch (err) {
      if (err instanceof errors.JOSEError) throw new InvalidTokenError(err.code);
      throw err;
    }
  }

  return {
    async verifyAccessToken(token, { fromProvider = false } = {}) {
      const payload = await verify(token, options.audience, ALLOWED_ALGORITHMS, fromProvider);
      // Keycloak marks ID tokens `typ: ID` in the payload: one must never pass as an access token.
      if (payload.typ === 'ID' || payload.typ === 'Refresh') throw new InvalidTokenError('not an access token');
      return payload;
    },

    async verifyIdToken(token) {
      if (!options.idToken) throw new Error('ID tokens cannot be verified without the client id');
      return verify(token, options.idToken.clientId, await options.idToken.algorithms(), true);
    },
  };
}
