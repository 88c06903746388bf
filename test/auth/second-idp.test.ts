import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../src/app.js';
import { sessionIdFor } from '../../src/auth/session.service.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import { createDatabase, type Database } from '../../src/platform/db/db.js';
import { createTestApp, type TestApp } from '../support/app.js';
import type { TestBrowser } from '../support/auth.js';
import { postgresUrl, testDialects } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { loginAtSecondIdp, startSecondIdp, type SecondIdp } from '../support/second-idp.js';

const secrets = createSecretBox(testConfig().encryptionKey);
const asPage = { accept: 'text/html,application/xhtml+xml' };
/** The requests of one page load (the page, its keep-alive script and its session call, and a few more). */
const PAGE_LOAD = [
  '/orders',
  '/auth/session.js',
  '/api/session',
  '/profile',
  '/api/session',
  '/orders?page=1',
  '/',
  '/api/session',
  '/profile',
];

interface Stored {
  accessToken: string;
  refreshToken: string | null;
  idToken: string | null;
}

// Date is faked (and keeps running) for the store and the provider alike, so "31 seconds later" is one
// call; the provider's 30 s access tokens really expire.
describe.each(testDialects)('a second provider (plain oidc-provider: ES256 ID tokens, 30 s access tokens) on %s', (dialect) => {
  let idp: SecondIdp;
  let consent: TestApp;
  let plain: TestApp;

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    idp = await startSecondIdp({ accessTokenTtl: 30 });
    consent = await createTestApp(dialect, { ...idp.env, OIDC_PROMPT_CONSENT: 'true' });
    plain = await createTestApp(dialect, idp.env);
  });
  afterAll(async () => {
    await consent?.close();
    await plain?.close();
    await idp?.close();
    vi.useRealTimers();
  });

  const later = (ms: number) => vi.setSystemTime(Date.now() + ms);
  const row = (t: TestApp, browser: TestBrowser) =>
    t.db.kysely
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', sessionIdFor(browser.cookie('sid') ?? ''))
      .executeTakeFirst();
  const stored = async (t: TestApp, browser: TestBrowser) => JSON.parse(secrets.open((await row(t, browser))!.tokens_encrypted)) as Stored;
  const session = async (browser: TestBrowser) => JSON.parse((await browser.request('/api/session')).body) as Record<string, unknown>;

  it('logs in with an ES256 ID token and a PS256 access token, the roles read from realm_access.roles', async () => {
    const boss = await loginAtSecondIdp(plain.app, 'boss');
    expect(await session(boss)).toMatchObject({
      authenticated: true,
      user: { sub: 'boss', email: 'boss@second.example', name: 'Second Boss', roles: ['customer', 'shop-owner'], isOwner: true },
    });
    const tokens = await stored(plain, boss);
    expect(decodeProtectedHeader(tokens.idToken!).alg).toBe('ES256');
    expect(decodeProtectedHeader(tokens.accessToken).alg).toBe('PS256');
    const buyer = await loginAtSecondIdp(plain.app, 'buyer');
    expect(await session(buyer)).toMatchObject({ user: { roles: ['customer'], isOwner: false } });
  });

  it('gets no refresh token without prompt=consent, and one with OIDC_PROMPT_CONSENT', async () => {
    const without = await loginAtSecondIdp(plain.app);
    expect(idp.prompts.at(-1)).toBe('');
    expect((await stored(plain, without)).refreshToken).toBeNull();
    const withConsent = await loginAtSecondIdp(consent.app);
    expect(idp.prompts.at(-1)).toBe('consent');
    expect((await stored(consent, withConsent)).refreshToken).toEqual(expect.any(String));
  });

  it('refreshes a 30 s token once at half its lifetime, not on every request of a page load', async () => {
    const buyer = await loginAtSecondIdp(consent.app);
    const before = idp.grants.refresh_token;
    for (const url of PAGE_LOAD) await buyer.request(url, { headers: asPage });
    expect(idp.grants.refresh_token - before).toBe(0);

    later(16_000);
    for (const url of PAGE_LOAD) await buyer.request(url, { headers: asPage });
    await Promise.all(PAGE_LOAD.map((url) => buyer.request(url, { headers: asPage })));
    expect(idp.grants.refresh_token - before).toBe(1);
    expect(await session(buyer)).toMatchObject({ authenticated: true });
    const { expiresIn, refreshIn } = (await session(buyer)) as { expiresIn: number; refreshIn: number };
    expect(expiresIn).toBeGreaterThan(25);
    expect(refreshIn).toBeGreaterThan(10);
    expect(refreshIn).toBeLessThanOrEqual(15);
  });

  it('keeps the buyer logged in past the access token lifetime with rotating refresh tokens', async () => {
    const buyer = await loginAtSecondIdp(consent.app);
    const logins = idp.grants.authorization_code;
    for (let round = 0; round < 3; round++) {
      later(31_000);
      const page = await buyer.request('/orders', { headers: asPage });
      expect(page.status).toBe(200);
      expect(page.body).toContain('Second Buyer');
    }
    expect(idp.grants.authorization_code).toBe(logins);
  });

  it('lets two instances on one database use a rotating refresh token once', async () => {
    const buyer = await loginAtSecondIdp(consent.app);
    // On PostgreSQL the second instance has a pool of its own; SQLite in memory is one connection.
    const otherDb: Database =
      dialect === 'postgres' ? createDatabase(postgresUrl!, { searchPath: consent.db.schema, poolSize: 5 }) : consent.db;
    const other = await buildApp({ config: testConfig({ ...idp.env, OIDC_PROMPT_CONSENT: 'true' }), db: otherDb });
    await other.ready();
    try {
      for (let round = 0; round < 2; round++) {
        later(31_000);
        const before = idp.grants.refresh_token;
        const answers = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? other : consent.app).inject({ url: '/orders', headers: { ...asPage, cookie: buyer.cookieHeader() } }),
          ),
        );
        expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200));
        // One refresh per round: the provider would revoke the whole grant on a reused refresh token.
        expect(idp.grants.refresh_token - before).toBe(1);
      }
    } finally {
      await other.close();
      if (otherDb !== consent.db) await otherDb.destroy();
    }
  });

  it('renews a session without a refresh token by prompt=none on the next page load, back on the same page', async () => {
    const buyer = await loginAtSecondIdp(plain.app);
    const cookie = buyer.cookie('sid');
    later(16_000);
    // Scripts and APIs are never redirected; the token is still valid for them.
    expect(await session(buyer)).toMatchObject({ authenticated: true, refreshIn: null });
    const start = await buyer.request('/orders?page=1', { headers: asPage });
    expect(start.status).toBe(303);
    expect(start.location).toBe('http://localhost:3000/auth/renew?returnTo=%2Forders%3Fpage%3D1');
    const back = await buyer.follow(start.location!, {}, (location) => location === 'http://localhost:3000/orders?page=1');
    expect(back.location).toBe('http://localhost:3000/orders?page=1');
    expect(idp.prompts.at(-1)).toBe('none');
    expect(buyer.cookie('sid')).toBe(cookie);
    expect(await session(buyer)).toMatchObject({ authenticated: true });
    expect((await session(buyer)).expiresIn).toBeGreaterThan(25);
    expect((await buyer.request('/orders?page=1', { headers: asPage })).status).toBe(200);

    // Past the token's expiry the session waits for the next page load, which renews it.
    later(31_000);
    expect(await session(buyer)).toMatchObject({ authenticated: false });
    const page = await buyer.follow('/profile', { headers: asPage }, (location) => location === 'http://localhost:3000/profile');
    expect(page.location).toBe('http://localhost:3000/profile');
    expect((await buyer.request('/profile', { headers: asPage })).body).toContain('buyer@second.example');
  });

  it('ends the session when the provider refuses a silent renewal, without a redirect loop', async () => {
    const buyer = await loginAtSecondIdp(plain.app);
    const id = sessionIdFor(buyer.cookie('sid')!);
    // Signed out at the provider (its session cookie gone): prompt=none answers login_required.
    buyer.setCookie('op_session', null, idp.issuer);
    later(31_000);
    const hops: string[] = [];
    const end = await buyer.follow('/orders', { headers: asPage }, (location) => {
      hops.push(location.replace(/[?&](code|state|iss|session_state)=[^&]*/g, ''));
      return location.includes('/login');
    });
    expect(hops.some((hop) => hop.includes('error=login_required'))).toBe(true);
    expect(end.location).toBe('http://localhost:3000/login?returnTo=%2Forders');
    expect(buyer.cookie('sid')).toBeUndefined();
    expect(await plain.db.kysely.selectFrom('sessions').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
  });

  it('sends a page load to the provider once while the provider cannot be reached, not in a loop', async () => {
    const own = await startSecondIdp({ accessTokenTtl: 30 });
    const t = await createTestApp(dialect, own.env);
    try {
      const buyer = await loginAtSecondIdp(t.app);
      await own.close();
      later(31_000);
      const first = await buyer.request('/', { headers: asPage });
      expect(first.location).toBe('http://localhost:3000/auth/renew?returnTo=%2F');
      expect((await buyer.request(first.location!)).location).toMatch(new RegExp(`^${own.issuer}/auth\\?.*prompt=none`));
      // The browser could not reach the provider; the next load is served, logged out, and the session kept.
      const again = await buyer.request('/', { headers: asPage });
      expect(again.status).toBe(200);
      expect(again.body).toContain('Log in');
      expect(await row(t, buyer)).toBeDefined();
    } finally {
      await t.close();
    }
  });

  it('logs in and refreshes right after the provider rotates its signing keys', async () => {
    // A store that has just fetched the provider's keys (openid-client kept them a minute at least).
    const fresh = await createTestApp(dialect, { ...idp.env, OIDC_PROMPT_CONSENT: 'true' });
    try {
      const buyer = await loginAtSecondIdp(fresh.app);
      await idp.rotateKeys();
      later(1_100);
      const boss = await loginAtSecondIdp(fresh.app, 'boss');
      expect(await session(boss)).toMatchObject({ authenticated: true, user: { sub: 'boss' } });
      later(31_000);
      expect((await buyer.request('/orders', { headers: asPage })).status).toBe(200);
      expect(await session(buyer)).toMatchObject({ authenticated: true, user: { sub: 'buyer' } });
    } finally {
      await fresh.close();
    }
  });
});
