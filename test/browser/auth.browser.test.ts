import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestIdp, type SessionJson, type TestIdp } from '../support/auth.js';
import { launchBrowser, screenshot, startForeignSite, startStore, watchPageProblems, type RunningStore } from '../support/browser.js';

describe('login through the identity provider in a real browser', () => {
  let idp: TestIdp;
  let store: RunningStore;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    [idp, browser] = await Promise.all([startTestIdp(), launchBrowser()]);
    store = await startStore({ env: idp.env, catalog: 'empty' });
    // The store's port is known only now: register its redirect URIs at the provider.
    idp.idp.setStoreUrl(store.url);
  });
  afterAll(async () => {
    await browser?.close();
    await store?.close();
    await idp?.close();
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    problems = watchPageProblems(page);
  });
  afterEach(async () => {
    await context.close();
  });

  it('logs in on the provider’s page, shows the profile and logs out', async () => {
    await page.goto(`${store.url}/profile`);
    expect(page.url().startsWith(idp.idp.issuer)).toBe(true);
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign in');
    await screenshot(page, 'auth-idp-sign-in');
    await page.fill('#email', 'demo@example.com');
    await page.fill('#password', 'demo1234');
    // The keep-alive script of signed-in pages asks when the session needs its next refresh.
    const keepAlive = page.waitForResponse((r) => r.url() === `${store.url}/api/session`);
    await Promise.all([page.waitForURL(`${store.url}/profile`), page.click('button[type=submit]')]);
    const session = (await (await keepAlive).json()) as SessionJson;
    expect(session.authenticated).toBe(true);
    expect(session.expiresIn).toBeGreaterThan(0);

    await expect(page.locator('main h1').textContent()).resolves.toBe('Your profile');
    await expect(page.inputValue('#profile-firstName')).resolves.toBe('Demo');
    await expect(page.inputValue('#profile-email')).resolves.toBe('demo@example.com');
    await expect(page.locator('nav.account').textContent()).resolves.toContain('Demo Buyer');
    await screenshot(page, 'auth-profile');

    // The session cookie exists but no script can read it, and no token is in the page.
    const sid = (await context.cookies(store.url)).find((c) => c.name === 'sid');
    expect(sid).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('sid=');
    expect(await page.content()).not.toContain('eyJ');

    // A link on another site only leads to a question; the session stays.
    const elsewhere = await startForeignSite({ '/': `<!doctype html><a id="out" href="${store.url}/auth/logout">Free prize</a>` });
    try {
      await page.goto(`${elsewhere.crossSite}/`);
      await Promise.all([page.waitForURL(`${store.url}/auth/logout`), page.click('#out')]);
      await expect(page.locator('main h1').textContent()).resolves.toBe('Log out');
      await page.goto(`${store.url}/profile`);
      await expect(page.locator('main h1').textContent()).resolves.toBe('Your profile');
    } finally {
      await elsewhere.close();
    }

    // The header's own link logs out at once, at the provider too.
    await Promise.all([page.waitForURL(`${idp.idp.issuer}/**`), page.click('nav.account a[href="/auth/logout"]')]);
    await Promise.all([page.waitForURL(`${store.url}/`), page.click('button[name=logout]')]);
    await expect(page.locator('nav.account').textContent()).resolves.toContain('Log in');
    expect((await context.cookies(store.url)).find((c) => c.name === 'sid')).toBeUndefined();

    // Logged out at the provider too: the profile asks for the password again.
    await page.goto(`${store.url}/profile`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign in');
    expect(problems).toEqual([]);
  });
});
