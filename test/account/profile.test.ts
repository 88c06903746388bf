import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { CROSS_SITE, loginAs, startTestIdp, type LoggedIn, type SessionJson, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';

describe.each(testDialects)('the profile page on %s', (dialect) => {
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

  async function save(user: LoggedIn, fields: Record<string, string>) {
    return user.browser.request('/profile', { form: fields });
  }

  it('sends a visitor to log in first', async () => {
    const res = await t.app.inject({ url: '/profile' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?returnTo=%2Fprofile');
  });

  it('shows the data the provider holds', async () => {
    const user = await loginAs(t.app);
    const page = await user.browser.request('/profile');
    expect(page.status).toBe(200);
    expect(page.body).toContain('value="Demo"');
    expect(page.body).toContain('value="Buyer"');
    expect(page.body).toContain('value="demo@example.com"');
    expect(page.body).toContain('<form method="post" action="/profile"');
  });

  it('saves changes at the provider and shows them', async () => {
    const user = await loginAs(t.app, 'new');
    const email = `renamed-${Date.now()}@example.com`;
    const saved = await save(user, { firstName: 'Ada', lastName: 'Lovelace', email });
    expect(saved.status).toBe(303);
    expect(saved.location).toMatch(/\/profile\?saved=1$/);
    const page = await user.browser.request('/profile?saved=1');
    expect(page.body).toContain('Your profile has been saved.');
    expect(page.body).toContain('value="Ada"');
    expect(page.body).toContain('Ada Lovelace'); // the account link in the header
    expect(idp.idp.users.findByEmail(email)).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', id: user.user.sub });
    expect((JSON.parse((await user.browser.request('/api/session')).body) as SessionJson).user).toMatchObject({
      email,
      name: 'Ada Lovelace',
    });
  });

  it("shows the provider's validation errors and keeps what was typed", async () => {
    const user = await loginAs(t.app, 'new');
    const taken = await save(user, { firstName: 'Sam', lastName: 'Taken', email: 'demo@example.com' });
    expect(taken.status).toBe(400);
    expect(taken.body).toContain('Another account already uses this email address.');
    expect(taken.body).toContain('value="Taken"');
    const empty = await save(user, { firstName: '', lastName: 'Nobody', email: user.user.email });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('Please fill in this field.');
    expect(idp.idp.users.findById(user.user.sub)).toMatchObject({ firstName: 'Test', lastName: 'Buyer' });
  });

  it('refuses over-long values itself, and malformed posts outright', async () => {
    const user = await loginAs(t.app, 'new');
    const long = await save(user, { firstName: 'x'.repeat(150), lastName: 'B', email: user.user.email });
    expect(long.status).toBe(400);
    expect(long.body).toContain('This is too long.');
    const missing = await save(user, { firstName: 'A' });
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('Invalid input');
    expect(idp.idp.users.findById(user.user.sub)).toMatchObject({ firstName: 'Test' });
  });

  it('refuses a post from another site', async () => {
    const user = await loginAs(t.app, 'new');
    const res = await user.browser.request('/profile', {
      form: { firstName: 'Evil', lastName: 'Change', email: 'evil@example.com' },
      headers: CROSS_SITE,
    });
    expect(res.status).toBe(403);
    expect(res.body).toContain('This request came from another site');
    expect(idp.idp.users.findById(user.user.sub)).toMatchObject({ firstName: 'Test' });
  });
});

describe('the profile page without a usable account API', () => {
  let idp: TestIdp;
  beforeAll(async () => {
    idp = await startTestIdp();
  });
  afterAll(async () => idp?.close());

  it('answers 502 with a clear message when the account API cannot be reached', async () => {
    const t = await createTestApp('sqlite', { ...idp.env, OIDC_ACCOUNT_API_URL: 'http://127.0.0.1:9/account' });
    try {
      const user = await loginAs(t.app);
      const page = await user.browser.request('/profile');
      expect(page.status).toBe(502);
      expect(page.body).toContain('Your account details cannot be loaded right now.');
    } finally {
      await t.close();
    }
  });

  it('shows the session copy read-only when the provider has no account API (OIDC_ACCOUNT_API_URL=none)', async () => {
    const t = await createTestApp('sqlite', { ...idp.env, OIDC_ACCOUNT_API_URL: 'none' });
    try {
      const user = await loginAs(t.app);
      const page = await user.browser.request('/profile');
      expect(page.status).toBe(200);
      expect(page.body).toContain('Your profile is managed by your identity provider.');
      expect(page.body).toContain('value="demo@example.com"');
      expect(page.body).not.toContain('Save profile');
      const post = await save(user, { firstName: 'A', lastName: 'B', email: 'a@b.example' });
      expect(post.status).toBe(400);
    } finally {
      await t.close();
    }
  });

  async function save(user: LoggedIn, fields: Record<string, string>) {
    return user.browser.request('/profile', { form: fields });
  }
});
