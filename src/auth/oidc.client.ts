import * as client from 'openid-client';
import type { Config } from '../platform/config.js';
import { ALLOWED_ALGORITHMS } from './token-verifier.js';

/** Tokens from the identity provider's token endpoint. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
  /** Validated ID token claims (present after a login; after a refresh only when the provider sends one). */
  idClaims: Record<string, unknown> | null;
}

/** The provider refused a grant (`invalid_grant` and friends): the session or login cannot continue. */
export class GrantRejectedError extends Error {
  constructor(readonly error: string) {
    super(`identity provider rejected the grant: ${error}`);
    this.name = 'GrantRejectedError';
  }
}

export interface LoginChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface AuthorizationOptions {
  /** Sends the user to the provider's registration instead of its sign-in. */
  register: boolean;
  /** `prompt=none`: the provider answers at once, from its own session, or with an error. */
  silent?: boolean;
}

export interface OidcClient {
  /** The jwks_uri from discovery. */
  jwksUri(): Promise<URL>;
  /** The ID token algorithms the provider announces that the store accepts (never empty). */
  idTokenAlgorithms(): Promise<string[]>;
  authorizationUrl(checks: LoginChecks, options: AuthorizationOptions): Promise<URL>;
  /**
   * Exchanges the code of a callback URL, checking state, PKCE, the ID token's claims, algorithm and
   * nonce. Its signature is the caller's to check (TokenVerifier.verifyIdToken), against the same keys
   * as access tokens.
   */
  exchangeCode(callbackUrl: URL, checks: LoginChecks): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  /** The provider's end-session URL for RP-initiated logout, or null when it has none. */
  endSessionUrl(): Promise<URL | null>;
}

function toTokenSet(response: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers): TokenSet {
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? null,
    idToken: response.id_token ?? null,
    idClaims: (response.claims() as Record<string, unknown> | undefined) ?? null,
  };
}

/** Maps OAuth error responses to GrantRejectedError; anything else (network, 5xx) propagates as is. */
function rejectedGrant(err: unknown): never {
  if (err instanceof client.ResponseBodyError && err.status >= 400 && err.status < 500) throw new GrantRejectedError(err.error);
  throw err;
}

/**
 * The ID token algorithms to accept: those the provider announces (RS256 when it announces none, the
 * OpenID Connect default) that are on the asymmetric allow-list, so never `none` or an HMAC.
 */
export function acceptedIdTokenAlgorithms(announced: unknown): string[] {
  const list = Array.isArray(announced) ? announced.filter((a): a is string => typeof a === 'string') : ['RS256'];
  return ALLOWED_ALGORITHMS.filter((alg) => list.includes(alg));
}

/**
 * openid-client over the configured issuer. Discovery happens on first use (not at start, so the
 * store starts while the provider is down) and is retried after a failure.
 */
export function createOidcClient(config: Config): OidcClient {
  const { oidc } = config;
  const redirectUri = `${config.publicUrl}/auth/callback`;
  const authentication = client.ClientSecretPost(oidc.clientSecret);
  // Plain http only for a provider on this machine outside production; production requires https (config).
  const insecure = oidc.issuer.startsWith('http://') && !config.production;
  let discovered: Promise<client.Configuration> | undefined;

  const configuration = () => {
    discovered ??= client
      .discovery(new URL(oidc.issuer), oidc.clientId, undefined, authentication, {
        execute: insecure ? [client.allowInsecureRequests] : [],
        timeout: 10,
      })
      .then((found) => {
        const metadata = found.serverMetadata();
        const algorithms = acceptedIdTokenAlgorithms(metadata.id_token_signing_alg_values_supported);
        if (algorithms.length === 0)
          throw new Error(
            `The identity provider signs ID tokens with none of ${ALLOWED_ALGORITHMS.join(', ')} (it announces ${String(metadata.id_token_signing_alg_values_supported)})`,
          );
        // openid-client checks an ID token's `alg` against the announced list: narrowed to the accepted ones.
        // (supportsPKCE is a helper method, not metadata: the new configuration adds its own.)
        const narrowed = { ...metadata, id_token_signing_alg_values_supported: algorithms, supportsPKCE: undefined };
        const cfg = new client.Configuration(narrowed, oidc.clientId, undefined, authentication);
        if (insecure) client.allowInsecureRequests(cfg);
        cfg.timeout = 10;
        return cfg;
      })
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  };

  /** `prompt` for a login: none for a silent renewal, registration, or consent when the provider needs it for a refresh token. */
  const promptFor = ({ register, silent }: AuthorizationOptions): string | null => {
    if (silent) return 'none';
    if (register) return oidc.registrationUrl ? null : 'create';
    return oidc.promptConsent && oidc.scopes.split(' ').includes('offline_access') ? 'consent' : null;
  };

  return {
    async jwksUri() {
      const uri = (await configuration()).serverMetadata().jwks_uri;
      if (!uri) throw new Error('The identity provider publishes no jwks_uri');
      return new URL(uri);
    },

    async idTokenAlgorithms() {
      return ((await configuration()).serverMetadata().id_token_signing_alg_values_supported as string[] | undefined) ?? ['RS256'];
    },

    async authorizationUrl(checks, options) {
      const params: Record<string, string> = {
        redirect_uri: redirectUri,
        scope: oidc.scopes,
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        ...(oidc.audienceParam ? { audience: oidc.audienceParam } : {}),
      };
      const prompt = promptFor(options);
      const url = client.buildAuthorizationUrl(await configuration(), prompt ? { ...params, prompt } : params);
      if (!options.register || options.silent || !oidc.registrationUrl) return url;
      // A provider's own registration entry point (Keycloak's /registrations) takes the same parameters.
      const custom = new URL(oidc.registrationUrl);
      for (const [name, value] of url.searchParams) if (!custom.searchParams.has(name)) custom.searchParams.set(name, value);
      return custom;
    },

    async exchangeCode(callbackUrl, checks) {
      const response = await client
        .authorizationCodeGrant(await configuration(), callbackUrl, {
          pkceCodeVerifier: checks.codeVerifier,
          expectedState: checks.state,
          expectedNonce: checks.nonce,
          idTokenExpected: true,
        })
        .catch(rejectedGrant);
      return toTokenSet(response);
    },

    async refresh(refreshToken) {
      return toTokenSet(await client.refreshTokenGrant(await configuration(), refreshToken).catch(rejectedGrant));
    },

    async endSessionUrl() {
      const cfg = await configuration();
      if (!cfg.serverMetadata().end_session_endpoint) return null;
      // client_id instead of id_token_hint: a token never goes into a URL (the provider confirms the logout instead).
      return client.buildEndSessionUrl(cfg, { post_logout_redirect_uri: `${config.publicUrl}/`, client_id: oidc.clientId });
    },
  };
}
