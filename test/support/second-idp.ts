/**
 * A second OpenID Connect provider for tests, configured unlike the bundled one (dev/idp): a plain
 * `oidc-provider` with its own sign-in and consent pages (devInteractions), ES256 ID tokens that carry
 * only `sub`, PS256 JWT access tokens carrying email, name and the roles in `realm_access.roles`
 * (Keycloak's shape), short access tokens, rotating refresh tokens, and oidc-provider's default
 * refresh policy: a refresh token only for `offline_access` asked with `prompt=consent`.
 *
 *   const idp = await startSecondIdp({ accessTokenTtl: 30 });
 *   const t = await createTestApp(dialect, { ...idp.env, OIDC_PROMPT_CONSENT: 'true' });
 *   const buyer = await loginAtSecondIdp(t.app);            // 'buyer' (customer) or 'boss' (shop-owner)
 *   await idp.rotateKeys();                                  // a new signing key, the old one withdrawn
 *   await idp.close();
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { createMemoryAdapter } from '../../dev/idp/idp.adapter.js';
import { TEST_STORE_URL, TestBrowser, type PageResponse } from './auth.js';

/** The accounts this provider knows (devInteractions take any password). */
export const SECOND_IDP_ACCOUNTS = {
  buyer: { email: 'buyer@second.example', name: 'Second Buyer', roles: ['customer'] },
  boss: { email: 'boss@second.example', name: 'Second Boss', roles: ['customer', 'shop-owner'] },
} as const;
export type SecondIdpAccount = keyof typeof SECOND_IDP_ACCOUNTS;

const CLIENT_ID = 'second-store';
const AUDIENCE = 'https://api.second.example/store';

export interface SecondIdpOptions {
  /** Access token lifetime in seconds (default 30). */
  accessTokenTtl?: number;
  /** Store URLs whose callback the client accepts (more with addStore). */
  storeUrls?: string[];
}

export interface SecondIdp {
  issuer: string;
  provider: Provider;
  /** Environment for testConfig/createTestApp pointing the store at this provider. */
  env: Record<string, string>;
  /** Counts of grants at the token endpoint, by grant type. */
  grants: { authorization_code: number; refresh_token: number };
  /** `prompt` of every authorization request, in order (`''` when absent). */
  prompts: string[];
  /** Registers one more store (its redirect and post-logout URIs). */
  addStore(url: string): void;
  /** Signs with a new key from now on; the old key leaves the JWKS unless kept. */
  rotateKeys(options?: { keepOld?: boolean }): Promise<void>;
  close(): Promise<void>;
}

async function signingKey(alg: 'ES256' | 'PS256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `${alg.toLowerCase()}-${randomUUID().slice(0, 8)}`, alg, use: 'sig' };
}

/** Starts the second provider on a free port of 127.0.0.1. */
export async function startSecondIdp(options: SecondIdpOptions = {}): Promise<SecondIdp> {
  const clientSecret = randomBytes(16).toString('hex');
  const adapter = createMemoryAdapter();
  const cookieKeys = [randomBytes(32).toString('base64url')];
  const storeUrls = new Set((options.storeUrls ?? [TEST_STORE_URL]).map((u) => u.replace(/\/+$/, '')));
  let keys = { id: [await signingKey('ES256')], access: await signingKey('PS256') };
  const grants = { authorization_code: 0, refresh_token: 0 };
  const prompts: string[] = [];

  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let provider!: Provider;
  const mount = () => {
    const setup = { issuer, clientSecret, adapter, cookieKeys, storeUrls: [...storeUrls], keys, ttl: options.accessTokenTtl ?? 30 };
    // oidc-provider warns at every start that its development pages are on: they are meant to be here.
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      provider = createSecondProvider(setup);
    } finally {
      console.warn = warn;
    }
    provider.on('grant.success', (ctx: KoaContextWithOIDC) => {
      const type = String(ctx.oidc.params.grant_type);
      if (type === 'authorization_code' || type === 'refresh_token') grants[type]++;
    });
    provider.on('authorization.accepted', (ctx: KoaContextWithOIDC) =>
      prompts.push(String((ctx.oidc.params.prompt as string | undefined) ?? '')),
    );
    const callback = provider.callback();
    handler = (req, res) => callback(req, res);
  };
  mount();

  return {
    issuer,
    get provider() {
      return provider;
    },
    env: {
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_CLIENT_SECRET: clientSecret,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_ROLES_CLAIM: 'realm_access.roles',
      OWNER_ROLE: 'shop-owner',
      OIDC_ACCOUNT_API_URL: 'none',
    },
    grants,
    prompts,
    addStore(url) {
      storeUrls.add(url.replace(/\/+$/, ''));
      mount();
    },
    async rotateKeys({ keepOld = false } = {}) {
      const fresh = await signingKey('ES256');
      keys = { id: keepOld ? [fresh, ...keys.id] : [fresh], access: await signingKey('PS256') };
      mount();
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

interface ProviderSetup {
  issuer: string;
  clientSecret: string;
  adapter: ReturnType<typeof createMemoryAdapter>;
  cookieKeys: string[];
  storeUrls: string[];
  keys: { id: JWK[]; access: JWK };
  ttl: number;
}

function createSecondProvider(s: ProviderSetup): Provider {
  const account = (id: string) => SECOND_IDP_ACCOUNTS[id as SecondIdpAccount] as (typeof SECOND_IDP_ACCOUNTS)[SecondIdpAccount] | undefined;
  return new Provider(s.issuer, {
    adapter: s.adapter,
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: s.clientSecret,
        redirect_uris: s.storeUrls.map((u) => `${u}/auth/callback`),
        post_logout_redirect_uris: s.storeUrls.map((u) => `${u}/`),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'ES256',
      },
    ],
    jwks: { keys: [...s.keys.id, s.keys.access] },
    cookies: {
      // The store and this provider share 127.0.0.1 in browser tests, and cookies ignore ports.
      names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_resume' },
      keys: s.cookieKeys,
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    async findAccount(_ctx: unknown, sub: string) {
      const found = account(sub);
      return found && { accountId: sub, claims: async () => ({ sub, email: found.email, email_verified: true, name: found.name }) };
    },
    // Like Keycloak: who the user is and their roles travel in the access token.
    async extraTokenClaims(_ctx: unknown, token: { accountId?: string; resourceServer?: unknown }) {
      const found = token.resourceServer && token.accountId ? account(token.accountId) : undefined;
      return found && { email: found.email, name: found.name, realm_access: { roles: [...found.roles] } };
    },
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => AUDIENCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== AUDIENCE) throw new Error('unknown resource indicator');
          return { scope: 'store', audience: AUDIENCE, accessTokenTTL: s.ttl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'PS256' } } };
        },
      },
    },
    ttl: { AccessToken: s.ttl, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Grant: 3600, Session: 3600, RefreshToken: 3600 },
  });
}

/** The first form of a devInteractions page (its `action` comes before `method`). */
function interactionForm(page: PageResponse): string {
  const action = /<form[^>]*action="([^"]+)"[^>]*method="post"/.exec(page.body)?.[1];
  if (!action) throw new Error(`no form on ${page.url} (status ${page.status}):\n${page.body.slice(0, 500)}`);
  return new URL(action.replaceAll('&amp;', '&'), page.url).href;
}

/**
 * Logs in at the second provider through the store's /login, answering its sign-in and (when it
 * asks) consent pages; returns the browser holding the store's session.
 */
export async function loginAtSecondIdp(
  app: FastifyInstance,
  user: SecondIdpAccount = 'buyer',
  options: { browser?: TestBrowser; returnTo?: string } = {},
): Promise<TestBrowser> {
  const browser = options.browser ?? new TestBrowser(app);
  const storeOrigin = new URL(TEST_STORE_URL).origin;
  const backAtStore = (location: string) => new URL(location).origin === storeOrigin && !location.includes('/auth/callback');
  let page = await browser.follow(`/login?returnTo=${encodeURIComponent(options.returnTo ?? '/')}`, {}, backAtStore);
  for (let step = 0; page.status === 200 && step < 3; step++) {
    const signIn = page.body.includes('name="login"');
    const form: Record<string, string> = signIn ? { prompt: 'login', login: user, password: 'any' } : { prompt: 'consent' };
    page = await browser.follow(interactionForm(page), { form }, backAtStore);
  }
  if (!page.location || !backAtStore(page.location)) throw new Error(`login did not come back to the store: ${page.status} ${page.url}`);
  return browser;
}
