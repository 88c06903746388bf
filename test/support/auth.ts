/**
 * Logging in from tests, against the real development identity provider (no fakes).
 *
 *   const idp = await startTestIdp();                      // once per test file (beforeAll)
 *   const t = await createTestApp(dialect, idp.env);        // the store, configured for that IdP
 *   const buyer = await loginAs(t.app);                     // demo@example.com; or loginAs(t.app, 'owner'),
 *                                                           // loginAs(t.app, 'new') (a fresh registered user),
 *                                                           // loginAs(t.app, { email, password })
 *   await buyer.browser.request('/cart', { form: {...} });  // a form post from one of the store's pages
 *   await t.app.inject({ method: 'POST', url: '/api/cart/add', headers: buyer.headers, payload: {...} });
 *   await idp.close();                                      // afterAll
 *
 * `loginAs` goes through the store's /login, the IdP's sign-in form and /auth/callback, so the
 * session row, cookie and tokens are exactly what a browser gets. It returns
 * `{ cookie, headers, user, browser }`: `headers` holds the cookie header, ready for `app.inject`
 * (no Fetch Metadata or Origin: a client that is not a browser, which the cross-origin check lets
 * through). Each call uses its own client address, so the per-client login rate limit does not trip.
 *
 * For APIs called with `Authorization: Bearer`, `issueTokens(idp)` runs the code flow against the
 * IdP directly (no store session) and returns genuine tokens.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import * as client from 'openid-client';
import { DEMO_USERS } from '../../dev/idp/idp.users.js';
import { startDevIdp, type DevIdp } from '../../dev/idp/idp.js';

/** The store URL testConfig() uses by default (its PUBLIC_URL). */
export const TEST_STORE_URL = 'http://localhost:3000';

export interface TestIdp {
  idp: DevIdp;
  /** Environment for createTestApp/testConfig that points the store at this IdP. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the dev IdP on a free port for one test file; `env` configures the store for it. */
export async function startTestIdp(options: { storeUrl?: string; accessTokenTtl?: number } = {}): Promise<TestIdp> {
  const clientSecret = randomBytes(16).toString('hex');
  const idp = await startDevIdp({
    port: 0,
    storeUrl: options.storeUrl ?? TEST_STORE_URL,
    clientId: 'store-test',
    clientSecret,
    audience: 'store-test-api',
    accessTokenTtl: options.accessTokenTtl ?? 300,
  });
  const env = { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: 'store-test', OIDC_CLIENT_SECRET: clientSecret, OIDC_AUDIENCE: 'store-test-api' };
  return { idp, env, close: () => idp.close() };
}

export interface PageResponse {
  url: string;
  status: number;
  location: string | null;
  body: string;
}

/** What a browser says about a request one of the store's own pages made (a form post, a script's fetch). */
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

/** A form post from one of the store's pages as Chromium sends it: Fetch Metadata and the Origin of the default PUBLIC_URL. */
export const SAME_ORIGIN_POST = { ...SAME_ORIGIN, origin: 'http://localhost:3000' };

/** What a browser says about a form post or fetch that a page on another site made (the cross-origin check refuses it). */
export const CROSS_SITE = { 'sec-fetch-site': 'cross-site', origin: 'https://attacker.example' };

/**
 * A minimal browser: a cookie jar per host, requests to the store through app.inject and to the
 * IdP over real HTTP, redirects followed by hand so tests can stop or tamper at any step. Its
 * POST, PUT, PATCH and DELETE to the store say what a browser says about a post from the store's
 * own page (`Sec-Fetch-Site: same-origin`, `Origin`), unless `headers` has either of them: then
 * those are all the browser says (`{ origin: 'null' }` is an older browser's sandboxed page).
 */
export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>();
  private readonly storeOrigin: string;
  readonly remoteAddress = `10.${[1, 2, 3].map(() => (randomBytes(1)[0]! % 250) + 1).join('.')}`;

  constructor(
    private readonly app: FastifyInstance,
    storeUrl = TEST_STORE_URL,
  ) {
    this.storeOrigin = new URL(storeUrl).origin;
  }

  /** The Cookie header this browser sends to a URL (the store by default). */
  cookieHeader(url = this.storeOrigin): string {
    return [...(this.jar.get(new URL(url).host) ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  cookie(name: string, url = this.storeOrigin): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  setCookie(name: string, value: string | null, url = this.storeOrigin) {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    if (value === null) this.jar.get(host)!.delete(name);
    else this.jar.get(host)!.set(name, value);
  }

  private remember(url: string, setCookies: string[]) {
    for (const header of setCookies) {
      const [pair, ...attributes] = header.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at).trim();
      const value = pair!.slice(at + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()),
      );
      this.setCookie(name, expired || value === '' ? null : value, url);
    }
  }

  /** One request, no redirects followed. */
  async request(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<PageResponse> {
    const target = new URL(url, this.storeOrigin);
    const method = init.method ?? (init.form ? 'POST' : 'GET');
    const told = init.headers !== undefined && ('origin' in init.headers || 'sec-fetch-site' in init.headers);
    const fromOwnPage = !told && target.origin === this.storeOrigin && !['GET', 'HEAD'].includes(method.toUpperCase());
    const headers: Record<string, string> = {
      ...(fromOwnPage ? { ...SAME_ORIGIN, origin: this.storeOrigin } : {}),
      ...(init.headers ?? {}),
    };
    const cookie = this.cookieHeader(target.href);
    if (cookie) headers.cookie = cookie;
    const payload = init.form ? new URLSearchParams(init.form).toString() : undefined;
    if (payload) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (target.origin === this.storeOrigin) {
      const res = await this.app.inject({
        method: method as 'GET',
        url: target.pathname + target.search,
        headers,
        payload,
        remoteAddress: this.remoteAddress,
      });
      const setCookie = res.headers['set-cookie'];
      this.remember(target.href, setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]);
      const location = res.headers.location;
      return {
        url: target.href,
        status: res.statusCode,
        location: typeof location === 'string' ? new URL(location, target).href : null,
        body: res.body,
      };
    }
    const res = await fetch(target, { method, headers, body: payload, redirect: 'manual' });
    this.remember(target.href, res.headers.getSetCookie());
    const location = res.headers.get('location');
    return { url: target.href, status: res.status, location: location ? new URL(location, target).href : null, body: await res.text() };
  }

  /** Follows redirects from a request until a page answers or `stop` says so. */
  async follow(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
    stop: (location: string) => boolean = () => false,
  ): Promise<PageResponse> {
    let response = await this.request(url, init);
    for (let hops = 0; response.location && response.status >= 300 && response.status < 400 && !stop(response.location); hops++) {
      if (hops > 15) throw new Error(`too many redirects from ${url}`);
      response = await this.request(response.location);
    }
    return response;
  }
}

/** The action of the (first, or named) post form of a page. */
export function formAction(page: PageResponse, contains = ''): string {
  for (const match of page.body.matchAll(/<form[^>]*method="post"[^>]*action="([^"]+)"/g)) {
    const action = match[1]!.replaceAll('&amp;', '&');
    if (action.includes(contains)) return new URL(action, page.url).href;
  }
  throw new Error(`no post form${contains ? ` with ${contains}` : ''} on ${page.url} (status ${page.status})`);
}

/** What GET /api/session answers (sessionJson in src/auth/auth.routes.tsx). */
export interface SessionJson {
  authenticated: boolean;
  user: { sub: string; email: string; name: string; roles: string[]; isOwner: boolean } | null;
  /** Seconds until the access token needs a refresh; null when signed out. */
  expiresIn: number | null;
  /** Seconds until the keep-alive script's next refresh; null without a refresh token (or signed out). */
  refreshIn: number | null;
}

export type LoginUser = 'demo' | 'owner' | 'new' | { email: string; password: string };

export interface LoggedIn {
  /** The Cookie header (the session cookie). */
  cookie: string;
  /** `cookie`, for app.inject. */
  headers: Record<string, string>;
  user: { sub: string; email: string; name: string };
  browser: TestBrowser;
}

/**
 * Logs a user in through the real flow (store /login → IdP sign-in or registration → callback);
 * see the top of this file. Fails loudly when the login does not complete.
 */
export async function loginAs(
  app: FastifyInstance,
  user: LoginUser = 'demo',
  options: { storeUrl?: string; browser?: TestBrowser } = {},
): Promise<LoggedIn> {
  const browser = options.browser ?? new TestBrowser(app, options.storeUrl);
  const storeOrigin = new URL(options.storeUrl ?? TEST_STORE_URL).origin;
  const backAtStore = (location: string) => new URL(location).origin === storeOrigin && !location.includes('/auth/callback');
  const register = user === 'new';
  const signIn = await browser.follow(register ? '/register?returnTo=/' : '/login?returnTo=/');
  if (signIn.status !== 200)
    throw new Error(`the IdP's ${register ? 'registration' : 'sign-in'} page did not open: ${signIn.status} ${signIn.url}`);
  let form: Record<string, string>;
  if (user === 'new') {
    const email = `buyer-${randomBytes(6).toString('hex')}@example.com`;
    form = { firstName: 'Test', lastName: 'Buyer', email, password: 'password-1234' };
  } else if (user === 'demo' || user === 'owner') {
    const seeded = DEMO_USERS.find((u) => u.email.startsWith(`${user}@`))!;
    form = { email: seeded.email, password: seeded.password };
  } else form = { ...user };
  const done = await browser.follow(formAction(signIn), { form }, backAtStore);
  if (!done.location || !backAtStore(done.location))
    throw new Error(`login did not come back to the store: ${done.status} ${done.url}\n${done.body.slice(0, 500)}`);
  const session = await browser.request('/api/session');
  const body = JSON.parse(session.body) as SessionJson;
  if (!body.authenticated || !body.user) throw new Error('logged in at the IdP but the store has no session');
  const cookie = browser.cookieHeader();
  return { cookie, headers: { cookie }, user: body.user, browser };
}

/** Genuine tokens from the test IdP for a user (code flow with PKCE, as the store's client), for Bearer APIs. */
export async function issueTokens(
  testIdp: TestIdp,
  user: { email: string; password: string } = { email: 'demo@example.com', password: 'demo1234' },
  storeUrl = TEST_STORE_URL,
): Promise<{ accessToken: string; refreshToken: string; idToken: string }> {
  const { env } = testIdp;
  const cfg = await client.discovery(
    new URL(env.OIDC_ISSUER!),
    env.OIDC_CLIENT_ID!,
    undefined,
    client.ClientSecretPost(env.OIDC_CLIENT_SECRET),
    {
      execute: [client.allowInsecureRequests],
    },
  );
  const state = client.randomState();
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(cfg, {
    redirect_uri: `${storeUrl}/auth/callback`,
    scope: 'openid profile email',
    state,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  const browser = new TestBrowser({} as FastifyInstance, storeUrl);
  const atStore = (location: string) => location.startsWith(storeUrl);
  const page = await browser.follow(url.href, {}, atStore);
  const back = page.status === 200 ? await browser.follow(formAction(page), { form: user }, atStore) : page;
  const tokens = await client.authorizationCodeGrant(cfg, new URL(back.location!), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    idTokenExpected: true,
  });
  return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token!, idToken: tokens.id_token! };
}
