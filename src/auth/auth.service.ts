import { createHash, timingSafeEqual } from 'node:crypto';
import * as client from 'openid-client';
import type { Config } from '../platform/config.js';
import type { SecretBox } from '../platform/crypto.js';
import type { Database } from '../platform/db/db.js';
import { AppError } from '../platform/errors.js';
import { GrantRejectedError, type OidcClient } from './oidc.client.js';
import { safeReturnTo } from './return-to.js';
import { createSessionRepo } from './session.repo.js';
import type { SessionService } from './session.service.js';
import { InvalidTokenError, type TokenVerifier } from './token-verifier.js';

/** How long a started login may take at the provider. */
export const LOGIN_TTL_MS = 10 * 60_000;

/** The login could not be completed; the user starts again. */
export class LoginFailedError extends AppError {
  constructor(message: string) {
    super('login_failed', message, 400);
  }
}

/** The identity provider cannot be reached right now. */
export class IdentityProviderUnavailableError extends AppError {
  constructor() {
    super('idp_unavailable', 'The login service is not reachable right now. Please try again in a moment.', 503);
  }
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
const BINDING = /^[A-Za-z0-9_-]{43}$/;

interface LoginPayload {
  nonce: string;
  codeVerifier: string;
  returnTo: string;
  /** A silent renewal (`prompt=none`) of the browser's session, not a login. */
  silent?: boolean;
}

/** Where a callback leads: a new session (login), the same one renewed, or the session ended. */
export interface LoginOutcome {
  /** The session cookie value to set; null: none (cancelled, or the session ended). */
  token: string | null;
  returnTo: string;
  /** The user who logged in (not set for a renewal, which is no new login). */
  sub?: string;
  /** A silent renewal failed: the session is gone and its cookie must go too. */
  ended?: boolean;
}

/** Network trouble (unreachable, timeout) as opposed to a response that fails validation. */
function isUnreachable(err: unknown): boolean {
  return err instanceof TypeError || (err instanceof client.ClientError && ['OAUTH_TIMEOUT', 'OAUTH_ABORT'].includes(err.code ?? ''));
}

export interface AuthServiceDeps {
  db: Database;
  secrets: SecretBox;
  clock: () => number;
  config: Config;
  oidc: OidcClient;
  verifier: TokenVerifier;
  sessions: SessionService;
  log?: { info(obj: object, msg: string): void };
}

/**
 * The login round trip. `state`, the PKCE verifier and the nonce live in a login transaction row,
 * found by a hash of `state`, deleted when used (one-time, across app instances) and bound to the
 * browser by a random value in a cookie that only that browser sends back.
 */
export function createAuthService({ db, secrets, clock, config, oidc, verifier, sessions, log }: AuthServiceDeps) {
  const repo = createSessionRepo(db);

  /** Starts a login; returns the provider URL and the browser binding to keep in a cookie. */
  async function startLogin(input: {
    returnTo: unknown;
    register: boolean;
    binding?: string;
    silent?: boolean;
  }): Promise<{ url: string; binding: string }> {
    const binding = input.binding && BINDING.test(input.binding) ? input.binding : client.randomState();
    const checks = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
    let url: URL;
    try {
      url = await oidc.authorizationUrl(checks, { register: input.register, silent: input.silent });
    } catch (err) {
      throw isUnreachable(err) || err instanceof client.ClientError ? new IdentityProviderUnavailableError() : err;
    }
    const payload: LoginPayload = {
      nonce: checks.nonce,
      codeVerifier: checks.codeVerifier,
      returnTo: safeReturnTo(input.returnTo),
      ...(input.silent ? { silent: true } : {}),
    };
    const now = clock();
    await repo.insertTransaction({
      id: sha256(checks.state),
      browser_hash: sha256(binding),
      payload_encrypted: secrets.seal(JSON.stringify(payload)),
      created_at: now,
      expires_at: now + LOGIN_TTL_MS,
    });
    return { url: url.href, binding };
  }

  return {
    startLogin,

    /**
     * Starts a silent renewal (`prompt=none`) of the browser's session; null when the provider cannot
     * be reached, and the page is served without it.
     */
    async startRenewal(input: { returnTo: unknown; binding?: string }): Promise<{ url: string; binding: string } | null> {
      try {
        return await startLogin({ ...input, register: false, silent: true });
      } catch (err) {
        if (err instanceof IdentityProviderUnavailableError) return null;
        throw err;
      }
    },

    /**
     * Completes a login from the callback's query: returns the new session's cookie value and the
     * user's subject (none when the user cancelled at the provider) and where to go next. A silent
     * renewal that the provider refuses (`login_required` and the like) ends the session instead of
     * failing: the visitor goes on, logged out, to the page they asked for.
     */
    async completeLogin(input: { query: URLSearchParams; binding?: string; previousSession?: string }): Promise<LoginOutcome> {
      const state = input.query.get('state');
      if (!state) throw new LoginFailedError('The login response was incomplete. Please log in again.');
      const transaction = await repo.consumeTransaction(sha256(state));
      if (
        !transaction ||
        transaction.expires_at < clock() ||
        !input.binding ||
        !sameHash(transaction.browser_hash, sha256(input.binding))
      ) {
        throw new LoginFailedError('This login expired or was started in another browser. Please log in again.');
      }
      const { nonce, codeVerifier, returnTo, silent } = JSON.parse(secrets.open(transaction.payload_encrypted)) as LoginPayload;
      const endSession = async (reason: string): Promise<LoginOutcome> => {
        log?.info({ reason }, 'silent session renewal refused: the session ends');
        if (input.previousSession) await sessions.destroy(input.previousSession);
        return { token: null, returnTo, ended: true };
      };
      const error = input.query.get('error');
      if (silent && error) return endSession(error);
      if (error === 'access_denied') return { token: null, returnTo };
      if (error) throw new LoginFailedError('The identity provider could not log you in. Please try again.');

      const callbackUrl = new URL(`${config.publicUrl}/auth/callback`);
      for (const [name, value] of input.query) callbackUrl.searchParams.append(name, value);
      try {
        const tokens = await oidc.exchangeCode(callbackUrl, { state, nonce, codeVerifier });
        if (!tokens.idToken) throw new InvalidTokenError('no ID token');
        await verifier.verifyIdToken(tokens.idToken);
        const claims = await verifier.verifyAccessToken(tokens.accessToken, { fromProvider: true });
        if (!tokens.idClaims || tokens.idClaims.sub !== claims.sub)
          throw new InvalidTokenError('ID token and access token name different subjects');
        if (silent) {
          const renewed = input.previousSession && (await sessions.renew(input.previousSession, tokens, claims));
          return renewed ? { token: input.previousSession!, returnTo } : endSession('another user, or the session is gone');
        }
        const { token } = await sessions.create(tokens, claims, input.previousSession);
        return { token, returnTo, sub: claims.sub };
      } catch (err) {
        // A renewal the provider cannot finish now keeps the session (the renew cookie prevents a loop).
        if (isUnreachable(err) && silent) return { token: null, returnTo };
        if (isUnreachable(err)) throw new IdentityProviderUnavailableError();
        const rejected = [
          GrantRejectedError,
          InvalidTokenError,
          client.ClientError,
          client.ResponseBodyError,
          client.AuthorizationResponseError,
        ];
        if (rejected.some((type) => err instanceof type)) {
          if (silent) return endSession(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
          log?.info({ reason: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }, 'login callback refused');
          throw new LoginFailedError('The login could not be verified. Please log in again.');
        }
        throw err;
      }
    },

    /** Ends the local session; returns where to send the browser (the provider's logout, or home). */
    async logout(sessionToken?: string): Promise<string> {
      if (sessionToken) await sessions.destroy(sessionToken);
      try {
        return (await oidc.endSessionUrl())?.href ?? '/';
      } catch {
        return '/';
      }
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
