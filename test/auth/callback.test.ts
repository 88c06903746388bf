import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { formAction, startTestIdp, TEST_STORE_URL, TestBrowser, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';

const demo = { email: 'demo@example.com', password: 'demo1234' };
const atCallback = (location: string) => location.includes('/auth/callback');

describe.each(testDialects)('the login callback on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const sessionCount = async () =>
    Number(
      (
        await t.db.kysely
          .selectFrom('sessions')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /** Starts a login at the store and signs in at the IdP; returns the callback URL (not yet visited). */
  async function signInAtIdp(browser: TestBrowser, tamper?: (authorize: URL) => void): Promise<URL> {
    const start = await browser.request('/login?returnTo=/orders');
    const authorize = new URL(start.location!);
    tamper?.(authorize);
    const page = await browser.follow(authorize.href, {}, atCallback);
    const done = page.status === 200 ? await browser.follow(formAction(page), { form: demo }, atCallback) : page;
    return new URL(done.location!);
  }

  const visit = (browser: TestBrowser, url: URL) => browser.request(url.pathname + url.search);

  function expectLoginFailed(res: { status: number; body: string }, text: RegExp) {
    expect(res.status).toBe(400);
    expect(res.body).toMatch(text);
    expect(res.body).not.toMatch(/eyJ[\w-]*\.eyJ/); // no JWT (header and payload) in the page
  }

  it('completes with the right state, code and verifier (control case)', async () => {
    const browser = new TestBrowser(t.app);
    const before = await sessionCount();
    const res = await visit(browser, await signInAtIdp(browser));
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${TEST_STORE_URL}/orders`);
    expect(await sessionCount()).toBe(before + 1);
  });

  it('refuses a callback without state', async () => {
    const browser = new TestBrowser(t.app);
    const callback = await signInAtIdp(browser);
    callback.searchParams.delete('state');
    expectLoginFailed(await visit(browser, callback), /login response was incomplete/);
  });

  it('refuses a callback whose state does not match the one this browser started', async () => {
    const browser = new TestBrowser(t.app);
    const before = await sessionCount();
    const callback = await signInAtIdp(browser);
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    expectLoginFailed(await visit(browser, callback), /expired or was started in another browser/);
    expect(await sessionCount()).toBe(before);
  });

  it('refuses the callback in another browser than the one that started the login', async () => {
    const victim = new TestBrowser(t.app);
    const callback = await signInAtIdp(victim);
    const attacker = new TestBrowser(t.app);
    expectLoginFailed(await visit(attacker, callback), /started in another browser/);
    // The state was used up by that attempt: even the right browser cannot use it any more.
    expectLoginFailed(await visit(victim, callback), /expired or was started in another browser/);
  });

  it('uses state once: a replayed callback is refused', async () => {
    const browser = new TestBrowser(t.app);
    const callback = await signInAtIdp(browser);
    expect((await visit(browser, callback)).status).toBe(303);
    const before = await sessionCount();
    expectLoginFailed(await visit(browser, callback), /expired or was started in another browser/);
    expect(await sessionCount()).toBe(before);
  });

  it('refuses a used code replayed under a fresh state', async () => {
    const browser = new TestBrowser(t.app);
    const callback = await signInAtIdp(browser);
    expect((await visit(browser, callback)).status).toBe(303);
    browser.setCookie('sid', null);
    const fresh = new URL((await browser.request('/login?returnTo=/')).location!);
    const replay = new URL(callback);
    replay.searchParams.set('state', fresh.searchParams.get('state')!);
    const before = await sessionCount();
    expectLoginFailed(await visit(browser, replay), /could not be verified/);
    expect(await sessionCount()).toBe(before);
  });

  it('refuses an ID token with the wrong nonce', async () => {
    const browser = new TestBrowser(t.app);
    const before = await sessionCount();
    const callback = await signInAtIdp(browser, (authorize) => authorize.searchParams.set('nonce', 'a-nonce-the-store-never-made'));
    expectLoginFailed(await visit(browser, callback), /could not be verified/);
    expect(await sessionCount()).toBe(before);
    expect(browser.cookie('sid')).toBeUndefined();
  });

  it('refuses a PKCE challenge swapped at the provider (the verifier no longer matches)', async () => {
    const browser = new TestBrowser(t.app);
    const callback = await signInAtIdp(browser, (authorize) =>
      authorize.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'),
    );
    expectLoginFailed(await visit(browser, callback), /could not be verified/);
  });

  it('returns to the page the user was on when the login is cancelled at the provider', async () => {
    const browser = new TestBrowser(t.app);
    const start = await browser.request('/login?returnTo=/cart');
    const page = await browser.follow(start.location!);
    const abort = /href="([^"]*\/abort)"/.exec(page.body)![1]!;
    const cancelled = await browser.follow(new URL(abort, page.url).href, {}, atCallback);
    const res = await visit(browser, new URL(cancelled.location!));
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${TEST_STORE_URL}/cart`);
    expect(browser.cookie('sid')).toBeUndefined();
  });
});

describe('when the identity provider is down', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { OIDC_ISSUER: 'http://127.0.0.1:9', OIDC_CLIENT_ID: 'x', OIDC_CLIENT_SECRET: 'y' });
  });
  afterAll(async () => t?.close());

  it('answers /login with a clear 503 page, not an error 500', async () => {
    const res = await t.app.inject({ url: '/login' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('The login service is not reachable right now.');
  });

  it('still serves public pages to a browser with a session cookie', async () => {
    const res = await t.app.inject({ url: '/about', headers: { cookie: 'sid=some-old-session' } });
    expect(res.statusCode).toBe(200);
  });
});
