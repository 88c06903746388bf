import Provider, { interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { createMemoryAdapter } from './idp.adapter.js';
import type { UserStore } from './idp.users.js';
import { LogoutPage, MessagePage, renderPage } from './idp.views.js';

export interface ProviderOptions {
  issuer: string;
  storeUrl: string;
  clientId: string;
  clientSecret: string;
  audience: string;
  accessTokenTtl: number;
  users: UserStore;
  /** Private signing keys (JWK), kept by the caller so tokens survive a restart of `npm start`. */
  signingKeys: Record<string, unknown>[];
  cookieKeys: string[];
}

/** oidc-provider needs the resource indicator to be an absolute URI; any audience string maps onto one. */
export function resourceIndicatorFor(audience: string): string {
  return URL.canParse(audience) && /^[a-z][a-z0-9+.-]*:/i.test(audience)
    ? audience
    : `urn:dev-idp:resource:${encodeURIComponent(audience)}`;
}

/** A page content-security-policy: no script at all, and forms may lead on to the store. */
export function pageCsp(storeUrl: string): string {
  return `default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' ${new URL(storeUrl).origin}; frame-ancestors 'none'; base-uri 'none'`;
}

function sendPage(ctx: KoaContextWithOIDC, storeUrl: string, html: string, status = 200) {
  ctx.set('content-security-policy', pageCsp(storeUrl));
  ctx.type = 'html';
  ctx.status = status;
  ctx.body = html;
}

/** `prompt=create` (OpenID Connect "Initiating User Registration"): the interaction starts on the registration page. */
function createPrompt() {
  return new interactionPolicy.Prompt({ name: 'create', requestable: true });
}

/** The oidc-provider instance: code flow with PKCE, rotating refresh tokens, JWT access tokens for the store. */
export function createProvider(o: ProviderOptions): Provider {
  const resource = resourceIndicatorFor(o.audience);
  const policy = interactionPolicy.base();
  policy.add(createPrompt(), 0);

  const claimsOf = (id: string) => {
    const user = o.users.findById(id);
    if (!user) return undefined;
    return {
      sub: user.id,
      email: user.email,
      email_verified: true,
      name: `${user.firstName} ${user.lastName}`.trim(),
      given_name: user.firstName,
      family_name: user.lastName,
      preferred_username: user.email,
      roles: user.roles,
    };
  };

  const provider = new Provider(o.issuer, {
    adapter: createMemoryAdapter(),
    clients: [
      {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        client_name: 'Store',
        redirect_uris: [`${o.storeUrl}/auth/callback`],
        post_logout_redirect_uris: [`${o.storeUrl}/`],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: o.signingKeys },
    cookies: {
      // Distinct names: the store and the IdP may share a host name (cookies ignore ports).
      names: { session: 'idp_session', interaction: 'idp_interaction', resume: 'idp_resume' },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
      keys: o.cookieKeys,
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'roles'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    // Profile claims go into the ID token too (as Keycloak and Auth0 do), so the store needs no userinfo call.
    conformIdTokenClaims: false,
    async findAccount(_ctx: unknown, sub: string) {
      const claims = claimsOf(sub);
      return claims && { accountId: sub, claims: async () => claims };
    },
    interactions: { policy, url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    // The store is a first-party client: consent is implied, so a grant is created instead of a consent page.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session, result, provider: p } = ctx.oidc;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client!.clientId);
      if (grantId) return p.Grant.find(grantId);
      if (!session.accountId) return undefined;
      const grant = new p.Grant({ clientId: client!.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email profile offline_access');
      grant.addResourceScope(resource, 'store');
      await grant.save();
      return grant;
    },
    pkce: { required: () => true },
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    async extraTokenClaims(_ctx: unknown, token: { accountId?: string; kind?: string; resourceServer?: unknown }) {
      if (!token.resourceServer || !token.accountId) return undefined;
      const claims = claimsOf(token.accountId);
      return claims && { email: claims.email, name: claims.name, roles: claims.roles };
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        // Token requests that name `scope=openid …` get an opaque token for userinfo; the store's get its JWT.
        useGrantedResource: async (ctx: KoaContextWithOIDC) =>
          !(typeof ctx.oidc.params.scope === 'string' ? ctx.oidc.params.scope : '').split(' ').includes('openid'),
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== resource) throw new Error('unknown resource indicator');
          return {
            scope: 'store',
            audience: o.audience,
            accessTokenTTL: o.accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx: KoaContextWithOIDC) {
          const action = ctx.oidc.urlFor('end_session_confirm');
          sendPage(ctx, o.storeUrl, renderPage(LogoutPage({ action, xsrf: ctx.oidc.session.state.secret })));
        },
        async postLogoutSuccessSource(ctx: KoaContextWithOIDC) {
          sendPage(
            ctx,
            o.storeUrl,
            renderPage(MessagePage({ title: 'Signed out', message: 'You are signed out.', back: `${o.storeUrl}/` })),
          );
        },
      },
    },
    async renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) {
      const message = out.error_description ?? out.error;
      sendPage(ctx, o.storeUrl, renderPage(MessagePage({ title: 'Sign-in problem', message, back: `${o.storeUrl}/` })), ctx.status || 400);
    },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: o.accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 3600,
      Grant: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
      RefreshToken: 14 * 24 * 3600,
    },
  });
  return provider;
}
