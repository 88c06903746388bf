import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { formAction, loginAs, startTestIdp, TEST_STORE_URL, TestBrowser, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';

/** What GET /api/session answers (src/auth/auth.routes.tsx). */
interface SessionJson {
  authenticated: boolean;
  user: { sub: string; email: string; name: string; roles: string[]; isOwner: boolean } | null;
  expiresIn: number | null;
  refreshIn: number | null;
}

const demo = { email: 'demo@example.com', password: 'demo1234' };
/** A JWT's header and payload, which both start "eyJ". */
const JWT = /eyJ[\w-]*\.eyJ/;

describe.each(testDialects)('login, refresh and logout on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let offset = 0;

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env, () => Date.now() + offset);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const sessionRows = () => t.db.kysely.selectFrom('sessions').selectAll().execute();
  const atStore = (location: string) => location.startsWith(TEST_STORE_URL) && !location.includes('/auth/callback');

  it('goes from a protected page to the provider and back, then refreshes and logs out', async () => {
    const browser = new TestBrowser(t.app);
    const guarded = await browser.request('/profile');
    expect(guarded.status).toBe(303);
    expect(guarded.location).toBe(`${TEST_STORE_URL}/login?returnTo=%2Fprofile`);

    const signIn = await browser.follow(guarded.location!);
    expect(signIn.url.startsWith(idp.idp.issuer)).toBe(true);
    expect(signIn.body).toContain('Sign in');
    const back = await browser.follow(formAction(signIn), { form: demo }, atStore);
    expect(back.location).toBe(`${TEST_STORE_URL}/profile`);

    const profile = await browser.request('/profile');
    expect(profile.status).toBe(200);
    expect(profile.body).toContain('value="Demo"');
    expect(profile.body).toContain('Demo Buyer');

    // Tokens live only in the database, sealed; the cookie holds a random id whose hash is the row id.
    const [row] = (await sessionRows()).filter((r) => r.email === demo.email);
    expect(row).toBeDefined();
    const cookie = browser.cookie('sid')!;
    expect(row!.id).not.toBe(cookie);
    expect(row!.tokens_encrypted).toMatch(/^v1\./);
    // A JWT's header and payload both start "eyJ"; random ciphertext may hold "eyJ" once by chance.
    expect(row!.tokens_encrypted).not.toMatch(JWT);
    expect(profile.body).not.toMatch(JWT);

    // Near expiry the next request refreshes the tokens (the refresh token rotates at the provider).
    offset = row!.access_expires_at - Date.now() - 30_000;
    const refreshed = await browser.request('/profile');
    offset = 0;
    expect(refreshed.status).toBe(200);
    const [after] = (await sessionRows()).filter((r) => r.id === row!.id);
    expect(after!.tokens_encrypted).not.toBe(row!.tokens_encrypted);

    // The page-level keep-alive for long-lived pages.
    const keepAlive = await browser.request('/api/session/refresh', { method: 'POST' });
    expect(keepAlive.status).toBe(200);
    expect(JSON.parse(keepAlive.body)).toMatchObject({ authenticated: true, user: { email: demo.email } });
    expect((JSON.parse(keepAlive.body) as SessionJson).expiresIn).toBeGreaterThan(200);

    // Logout: the header's link (a same-origin GET), the provider's end-session page, then home.
    const out = await browser.request('/auth/logout', { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(out.status).toBe(303);
    expect(out.location!.startsWith(`${idp.idp.issuer}/session/end`)).toBe(true);
    expect(new URL(out.location!).searchParams.get('client_id')).toBe('store-test');
    expect(out.location).not.toMatch(JWT); // no token in a URL
    expect(browser.cookie('sid')).toBeUndefined();
    expect((await sessionRows()).some((r) => r.id === row!.id)).toBe(false);
    const idpConfirm = await browser.request(out.location!);
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(idpConfirm.body)![1]!;
    const home = await browser.request(formAction(idpConfirm), { form: { xsrf, logout: 'yes' } });
    expect(home.location).toBe(`${TEST_STORE_URL}/`);

    // Logged out at the provider too: logging in asks for the password again.
    expect((await browser.request('/profile')).status).toBe(303);
    expect((await browser.follow('/login')).body).toContain('Sign in');
  });

  it('registers a new account through /register (prompt=create)', async () => {
    const browser = new TestBrowser(t.app);
    const start = await browser.request('/register?returnTo=/orders');
    expect(new URL(start.location!).searchParams.get('prompt')).toBe('create');
    const page = await browser.follow(start.location!);
    expect(page.body).toContain('Create an account');
    const email = `reg-${Date.now()}@example.com`;
    const back = await browser.follow(
      formAction(page),
      { form: { firstName: 'Reggie', lastName: 'Stration', email, password: 'password-1234' } },
      atStore,
    );
    expect(back.location).toBe(`${TEST_STORE_URL}/orders`);
    const session = JSON.parse((await browser.request('/api/session')).body) as SessionJson;
    expect(session.user).toMatchObject({ email, name: 'Reggie Stration', isOwner: false });
  });

  it('marks the owner from the roles claim', async () => {
    const owner = await loginAs(t.app, 'owner');
    const session = JSON.parse((await owner.browser.request('/api/session')).body) as SessionJson;
    expect(session.user).toMatchObject({ email: 'owner@example.com', roles: ['owner'], isOwner: true });
  });

  it.each([
    ['an absolute URL', 'https://evil.example/steal'],
    ['a protocol-relative URL', '//evil.example/steal'],
    ['a backslash host', '/\\evil.example'],
    ['an overlong path', `/${'a'.repeat(3000)}`],
  ])('ignores returnTo with %s', async (_name, returnTo) => {
    const browser = new TestBrowser(t.app);
    const page = await browser.follow(`/login?returnTo=${encodeURIComponent(returnTo)}`);
    const back = await browser.follow(formAction(page), { form: demo }, atStore);
    expect(back.location).toBe(`${TEST_STORE_URL}/`);
    // Already logged in, /login goes straight back, still never elsewhere.
    const again = await browser.request(`/login?returnTo=${encodeURIComponent(returnTo)}`);
    expect(again.location).toBe(`${TEST_STORE_URL}/`);
  });

  it('issues a new session id at every login and ends the session the browser had before', async () => {
    const browser = new TestBrowser(t.app);
    browser.setCookie('sid', 'planted-by-an-attacker');
    await loginAs(t.app, 'demo', { browser });
    const first = browser.cookie('sid')!;
    expect(first).not.toBe('planted-by-an-attacker');

    // Log in again while the first session's cookie is still there when the callback arrives.
    browser.setCookie('sid', null);
    const sso = await browser.follow('/login', {}, (l) => l.includes('/auth/callback'));
    browser.setCookie('sid', first);
    expect((await browser.request(sso.location!)).status).toBe(303);
    const second = browser.cookie('sid')!;
    expect(second).not.toBe(first);
    const old = new TestBrowser(t.app);
    old.setCookie('sid', first);
    expect((JSON.parse((await old.request('/api/session')).body) as SessionJson).authenticated).toBe(false);
    expect((JSON.parse((await browser.request('/api/session')).body) as SessionJson).authenticated).toBe(true);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/ and without Secure on plain http', async () => {
    const browser = new TestBrowser(t.app);
    const page = await browser.follow('/login');
    const callback = await browser.follow(formAction(page), { form: demo }, (l) => l.includes('/auth/callback'));
    const res = await t.app.inject({
      url: new URL(callback.location!).pathname + new URL(callback.location!).search,
      headers: { cookie: browser.cookieHeader() },
    });
    const header = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('sid='))!;
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Lax/);
    expect(header).toMatch(/; Path=\//);
    expect(header).not.toMatch(/Secure/);
    expect(header).not.toMatch(/Domain/);
  });

  it('rate-limits /login per client', async () => {
    const browser = new TestBrowser(t.app);
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await browser.request('/login')).status);
    expect(statuses.slice(0, 30).every((s) => s === 303)).toBe(true);
    expect(statuses[30]).toBe(429);
    await expect(new TestBrowser(t.app).request('/login')).resolves.toMatchObject({ status: 303 });
  });

  it('answers an anonymous session API and refuses an anonymous refresh with 401 JSON', async () => {
    const browser = new TestBrowser(t.app);
    const session = JSON.parse((await browser.request('/api/session')).body) as SessionJson;
    expect(session).toMatchObject({ authenticated: false, user: null });
    const refresh = await browser.request('/api/session/refresh', { method: 'POST' });
    expect(refresh.status).toBe(401);
    expect(JSON.parse(refresh.body)).toEqual({
      error: { code: 'session_expired', message: 'Your session has ended. Please log in again.' },
    });
  });
});

describe('cookies behind https', () => {
  let idp: TestIdp;
  let t: TestApp;
  const storeUrl = 'https://shop.test';
  beforeAll(async () => {
    idp = await startTestIdp({ storeUrl });
    t = await createTestApp('sqlite', { ...idp.env, PUBLIC_URL: storeUrl });
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  it('uses __Host- prefixed Secure cookies for the session and the login binding, and no other cookie', async () => {
    const browser = new TestBrowser(t.app, storeUrl);
    const start = await t.app.inject({ url: '/login' });
    const loginCookie = ([] as string[]).concat(start.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-login='))!;
    expect(loginCookie).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Lax/);
    const page = await browser.follow('/login');
    const callback = await browser.follow(formAction(page), { form: demo }, (l) => l.includes('/auth/callback'));
    const url = new URL(callback.location!);
    const res = await t.app.inject({ url: url.pathname + url.search, headers: { cookie: browser.cookieHeader() } });
    const sid = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('__Host-sid='))!;
    expect(sid).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Lax/);
    expect(sid).not.toMatch(/Domain/);
    expect(res.headers.location).toBe('/');
    const session = await t.app.inject({ url: '/api/session', headers: { cookie: `__Host-sid=${/^__Host-sid=([^;]+)/.exec(sid)![1]}` } });
    expect(session.json()).toMatchObject({ authenticated: true });
    expect(session.headers['set-cookie']).toBeUndefined();
  });
});
