import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createSessionRepo } from '../../src/auth/session.repo.js';
import { sessionIdFor } from '../../src/auth/session.service.js';
import { testConfig } from '../support/env.js';
import { createTestApp, type ApiErrorBody, type TestApp } from '../support/app.js';
import { formAction, loginAs, startTestIdp, TEST_STORE_URL, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';

describe.each(testDialects)('sessions on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let refreshes = 0;
  let offset = 0;

  beforeAll(async () => {
    idp = await startTestIdp();
    idp.idp.provider.on('grant.success', (ctx: { oidc: { params: { grant_type?: string } } }) => {
      if (ctx.oidc.params.grant_type === 'refresh_token') refreshes++;
    });
    t = await createTestApp(dialect, idp.env, () => Date.now() + offset);
  });
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  const idOf = (user: LoggedIn) => sessionIdFor(user.browser.cookie('sid')!);
  const row = (user: LoggedIn) => t.db.kysely.selectFrom('sessions').selectAll().where('id', '=', idOf(user)).executeTakeFirst();
  /** Makes the store believe the access token has `ms` left (negative: already expired); the token itself stays valid. */
  const expireIn = (user: LoggedIn, ms: number) =>
    t.db.kysely
      .updateTable('sessions')
      .set({ access_expires_at: Date.now() + ms })
      .where('id', '=', idOf(user))
      .execute();
  const get = (user: LoggedIn, url: string, app = t.app) => app.inject({ url, headers: { cookie: user.browser.cookieHeader() } });

  it('refreshes once when many requests arrive together near expiry, and the session lives on', async () => {
    const user = await loginAs(t.app);
    await expireIn(user, 30_000);
    const before = refreshes;
    const answers = await Promise.all(Array.from({ length: 12 }, () => get(user, '/api/session')));
    expect(answers.map((a) => a.json<{ authenticated: boolean }>().authenticated)).toEqual(Array(12).fill(true));
    expect(refreshes - before).toBe(1);
    // The rotated refresh token still works: no reuse was detected at the provider.
    await expireIn(user, 30_000);
    expect((await get(user, '/api/session')).json<{ authenticated: boolean }>().authenticated).toBe(true);
    expect(refreshes - before).toBe(2);
  });

  it('lets one of two app instances refresh an expired token while the other waits for it', async () => {
    const user = await loginAs(t.app);
    const other = await buildApp({ config: testConfig(idp.env), db: t.db, clock: () => Date.now() + offset });
    await other.ready();
    try {
      await expireIn(user, -1_000);
      const before = refreshes;
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => get(user, '/profile', i % 2 ? other : t.app)));
      expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200));
      expect(refreshes - before).toBe(1);
      expect((await row(user))!.refresh_lease_until).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('sends a page to the login and gives an API 401 once the provider has ended the session', async () => {
    const user = await loginAs(t.app);
    // Sign out at the provider only (as from another site): the grant and its refresh tokens are revoked.
    const end = await user.browser.follow(
      `${idp.idp.issuer}/session/end?client_id=store-test&post_logout_redirect_uri=${encodeURIComponent(`${TEST_STORE_URL}/`)}`,
    );
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(end.body)![1]!;
    await user.browser.request(formAction(end), { form: { xsrf, logout: 'yes' } });
    expect((await get(user, '/profile')).statusCode).toBe(200); // the access token is still valid for now

    await expireIn(user, 10_000);
    const page = await get(user, '/profile?tab=1');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?returnTo=%2Fprofile%3Ftab%3D1');
    expect(String(page.headers['set-cookie'])).toMatch(/sid=;/);
    expect(await row(user)).toBeUndefined();
    const api = await t.app.inject({ method: 'POST', url: '/api/session/refresh', headers: { ...user.headers } });
    expect(api.statusCode).toBe(401);
    expect(api.json<ApiErrorBody>().error.code).toBe('session_expired');
  });

  it('treats a session deleted elsewhere (logout in another tab) as logged out', async () => {
    const user = await loginAs(t.app);
    await t.db.kysely.deleteFrom('sessions').where('id', '=', idOf(user)).execute();
    expect((await get(user, '/profile')).statusCode).toBe(303);
    const api = await t.app.inject({ method: 'POST', url: '/api/session/refresh', headers: user.headers });
    expect(api.statusCode).toBe(401);
  });

  it('ends a session after a week without requests, and after thirty days in any case', async () => {
    const idle = await loginAs(t.app);
    offset = 8 * 24 * 3600_000;
    expect((await get(idle, '/api/session')).json<{ authenticated: boolean }>().authenticated).toBe(false);
    offset = 0;
    expect(await row(idle)).toBeUndefined();

    const old = await loginAs(t.app);
    await t.db.kysely
      .updateTable('sessions')
      .set({ created_at: Date.now() - 31 * 24 * 3600_000 })
      .where('id', '=', idOf(old))
      .execute();
    expect((await get(old, '/api/session')).json<{ authenticated: boolean }>().authenticated).toBe(false);
  });

  it('cleans up expired sessions and abandoned logins', async () => {
    const user = await loginAs(t.app);
    const keep = await loginAs(t.app);
    await t.db.kysely
      .updateTable('sessions')
      .set({ expires_at: Date.now() - 1 })
      .where('id', '=', idOf(user))
      .execute();
    await t.app.inject({ url: '/login', remoteAddress: '10.200.1.1' });
    await t.db.kysely
      .updateTable('login_transactions')
      .set({ expires_at: Date.now() - 1 })
      .execute();
    const removed = await createSessionRepo(t.db).deleteExpired(Date.now());
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await row(user)).toBeUndefined();
    expect(await row(keep)).toBeDefined();
    expect(await t.db.kysely.selectFrom('login_transactions').selectAll().execute()).toEqual([]);
  });

  it('keeps serving a still-valid token while the provider cannot be reached, then asks to log in', async () => {
    const own = await startTestIdp();
    const app = await createTestApp(dialect, own.env);
    try {
      const user = await loginAs(app.app);
      await own.close();
      const sid = sessionIdFor(user.browser.cookie('sid')!);
      await app.db.kysely
        .updateTable('sessions')
        .set({ access_expires_at: Date.now() + 10_000 })
        .where('id', '=', sid)
        .execute();
      const page = await app.app.inject({ url: '/profile', headers: { cookie: user.browser.cookieHeader() } });
      // The profile needs the provider's account API, which is down too: a clear 502, not a crash.
      expect([200, 502]).toContain(page.statusCode);
      expect(
        (await app.app.inject({ url: '/api/session', headers: { cookie: user.browser.cookieHeader() } })).json<{ authenticated: boolean }>()
          .authenticated,
      ).toBe(true);
      await app.db.kysely
        .updateTable('sessions')
        .set({ access_expires_at: Date.now() - 60_000 })
        .where('id', '=', sid)
        .execute();
      const expired = await app.app.inject({ url: '/profile', headers: { cookie: user.browser.cookieHeader() } });
      expect(expired.statusCode).toBe(303);
      expect(expired.headers.location).toBe('/login?returnTo=%2Fprofile');
      // The session is kept (and its cookie too) for when the provider is back.
      expect(expired.headers['set-cookie']).toBeUndefined();
      expect(await app.db.kysely.selectFrom('sessions').select('id').where('id', '=', sid).executeTakeFirst()).toBeDefined();
      const api = await app.app.inject({ method: 'POST', url: '/api/session/refresh', headers: user.headers });
      expect(api.statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});
