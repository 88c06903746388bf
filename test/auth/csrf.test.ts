import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../support/env.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { csrfFromPage, issueTokens, loginAs, startTestIdp, TestBrowser, type TestIdp } from '../support/auth.js';

describe.each(testDialects)('CSRF protection on %s', (dialect) => {
  let idp: TestIdp;
  let db: TestDatabase;
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    idp = await startTestIdp();
    db = await createTestDatabase(dialect);
    app = await buildApp({ config: testConfig(idp.env), db });
    // Routes as other domains write them: a form post, a JSON API, and a webhook that opts out.
    app.post('/test/form', async () => ({ ok: true }));
    app.delete('/api/test/thing', async () => ({ ok: true }));
    app.post('/api/test/webhook', { config: { csrf: false } }, async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await idp?.close();
  });

  /** A visitor's browser that has loaded a page: it holds the CSRF cookie and the page's token. */
  async function visitor() {
    const browser = new TestBrowser(app);
    const session = await browser.request('/api/session');
    return { browser, token: (JSON.parse(session.body) as { csrfToken: string }).csrfToken };
  }

  it('accepts a form post with the token of this browser, in the body or in the header', async () => {
    const { browser, token } = await visitor();
    expect((await browser.request('/test/form', { form: { _csrf: token } })).status).toBe(200);
    expect((await browser.request('/test/form', { method: 'POST', headers: { 'x-csrf-token': token } })).status).toBe(200);
    expect((await browser.request('/api/test/thing', { method: 'DELETE', headers: { 'x-csrf-token': token } })).status).toBe(200);
  });

  it('refuses a post without a token with a 403 page, and a JSON csrf_invalid under /api', async () => {
    const { browser } = await visitor();
    const page = await browser.request('/test/form', { form: { name: 'x' } });
    expect(page.status).toBe(403);
    expect(page.body).toContain('This form has expired or did not come from this site.');
    const api = await browser.request('/api/test/thing', { method: 'DELETE' });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.body)).toEqual({
      error: {
        code: 'csrf_invalid',
        message: 'This form has expired or did not come from this site. Please reload the page and try again.',
      },
    });
  });

  it('refuses a wrong token, a token from another browser, and a post without the CSRF cookie', async () => {
    const { browser, token } = await visitor();
    const other = await visitor();
    expect((await browser.request('/test/form', { form: { _csrf: `${token.slice(0, -2)}xx` } })).status).toBe(403);
    expect((await browser.request('/test/form', { form: { _csrf: other.token } })).status).toBe(403);
    const noCookie = await app.inject({ method: 'POST', url: '/test/form', payload: { _csrf: token } });
    expect(noCookie.statusCode).toBe(403);
  });

  it('skips only a route that opted out with config csrf: false', async () => {
    expect((await app.inject({ method: 'POST', url: '/api/test/webhook', payload: {} })).statusCode).toBe(200);
  });

  it('does not ask a request authenticated by a Bearer token for one (no cookie authority)', async () => {
    const { accessToken } = await issueTokens(idp);
    const res = await app.inject({ method: 'DELETE', url: '/api/test/thing', headers: { authorization: `Bearer ${accessToken}` } });
    expect(res.statusCode).toBe(200);
    const forged = await app.inject({ method: 'DELETE', url: '/api/test/thing', headers: { authorization: 'Bearer a.b.c' } });
    expect(forged.statusCode).toBe(401);
  });

  it('protects logout and the session refresh: a forged post leaves the session alone', async () => {
    const user = await loginAs(app);
    const logout = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie: user.cookie } });
    expect(logout.statusCode).toBe(403);
    const refresh = await app.inject({ method: 'POST', url: '/api/session/refresh', headers: { cookie: user.cookie } });
    expect(refresh.statusCode).toBe(403);
    expect((await user.browser.request('/api/session')).body).toContain('"authenticated":true');
  });

  it('embeds the token in pages (meta tag for scripts) and it works with the session cookie', async () => {
    const user = await loginAs(app);
    const page = await user.browser.request('/auth/logout');
    const token = csrfFromPage(page);
    expect(page.body).toContain(`name="_csrf" value="${token}"`);
    expect((await user.browser.request('/test/form', { form: { _csrf: token } })).status).toBe(200);
  });
});
