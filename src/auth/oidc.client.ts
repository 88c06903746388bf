import * as client from 'openid-client';
import type { Config } from '../platform/config.js';

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

export interface OidcClient {
  /** The jwks_uri from discovery. */
  jwksUri(): Promise<URL>;
  authorizationUrl(checks: LoginChecks, options: { register: boolean }): Promise<URL>;
  /** Exchanges the code of a callback URL, checking state, PKCE, the ID token and its nonce. */
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
 * openid-client over the configured issuer. Discovery happens on first use (not at start, so the
 * store starts while the provider is down) and is retried after a failure.
 */
export function createOidcClient(config: Config): OidcClient {
  const { oidc } = config;
  const redirectUri = `${config.publicUrl}/auth/callback`;
  let discovered: Promise<client.Configuration> | undefined;

  const configuration = () => {
    discovered ??= client
      .discovery(
        new URL(oidc.issuer),
        oidc.clientId,
        { id_token_signed_response_alg: 'RS256' },
        client.ClientSecretPost(oidc.clientSecret),
        {
          // Plain http only for the development provider on this machine; production requires https (config.ts).
          execute: oidc.issuer.startsWith('http://') && !config.production ? [client.allowInsecureRequests] : [],
          timeout: 10,
        },
      )
      .then((cfg) => {
        // ID token signatures are checked against the JWKS too, not only trusted because they came over TLS.
        client.enableNonRepudiationChecks(cfg);
        return cfg;
      })
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  };

  return {
    async jwksUri() {
      const uri = (await configuration()).serverMetadata().jwks_uri;
      if (!uri) throw new Error('The identity provider publishes no jwks_uri');
      return new URL(uri);
    },

    async authorizationUrl(checks, { register }) {
      const params: Record<string, string> = {
        redirect_uri: redirectUri,
        scope: oidc.scopes,
        state: checks.state,
        nonce: checks.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
        code_challenge_method: 'S256',
        ...(oidc.audienceParam ? { audience: oidc.audienceParam } : {}),
      };
      const url = client.buildAuthorizationUrl(
        await configuration(),
        register && !oidc.registrationUrl ? { ...params, prompt: 'create' } : params,
      );
      if (!register || !oidc.registrationUrl) return url;
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
