import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot, startStore, watchPageProblems, type RunningStore } from '../support/browser.js';
import { startSecondIdp, type SecondIdp } from '../support/second-idp.js';

/**
 * The access token lifetime at the provider, in seconds: the test waits past it in real time. The
 * store refreshes a token this short half-way through (marginFor in session.service.ts), so 12 s
 * leaves 6 s for signing in before a renewal is due, and the wait costs 14 s instead of 32.
 */
const TOKEN_SECONDS = 12;

describe('staying logged in past the access token lifetime of a second provider, in a real browser', () => {
  let idp: SecondIdp;
  let browser: Browser;
  // A store that asks for consent (and gets refresh tokens), and one that does not (silent renewal).
  let consent: RunningStore;
  let plain: RunningStore;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [idp, browser] = await Promise.all([startSecondIdp({ accessTokenTtl: TOKEN_SECONDS }), launchBrowser()]);
    [consent, plain] = await Promise.all([
      startStore({ env: { ...idp.env, OIDC_PROMPT_CONSENT: 'true' }, catalog: 'empty' }),
      startStore({ env: idp.env, catalog: 'empty' }),
    ]);
    idp.addStore(consent.url);
    idp.addStore(plain.url);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
    await Promise.all([consent?.close(), plain?.close()]);
    await idp?.close();
  });

  /** A browser of its own (the stores share 127.0.0.1, and cookies ignore ports), logged in on the profile page. */
  async function loggedIn(store: RunningStore): Promise<{ page: Page; problems: string[]; visits: string[] }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    // oidc-provider's development pages load a web font and have no icon: neither is the store's concern.
    await context.route(
      (url) => url.hostname !== '127.0.0.1',
      (route) => route.fulfill({ contentType: 'text/css', body: '' }),
    );
    await context.route(`${idp.issuer}/favicon.ico`, (route) => route.fulfill({ status: 204 }));
    const page = await context.newPage();
    const problems = watchPageProblems(page);
    const visits: string[] = [];
    page.on('request', (request) => {
      // Authorization requests only (not the provider's own interaction pages).
      if (request.isNavigationRequest() && request.url().startsWith(idp.issuer) && request.url().includes('client_id='))
        visits.push(request.url());
    });
    await page.goto(`${store.url}/profile`);
    await page.fill('input[name=login]', 'buyer');
    await page.fill('input[name=password]', 'any');
    await page.click('button[type=submit]');
    // The provider's consent page, then back at the store.
    await page.locator('button:has-text("Continue")').click();
    await page.waitForURL(`${store.url}/profile`);
    return { page, problems, visits };
  }

  const profileShown = async (page: Page) => {
    await expect(page.locator('main h1').textContent()).resolves.toBe('Your profile');
    await expect(page.locator('nav.account').textContent()).resolves.toContain('Second Buyer');
  };

  it('still shows the account page after the token expired, without signing in again', { timeout: 120_000 }, async () => {
    const [withRefresh, withoutRefresh] = await Promise.all([loggedIn(consent), loggedIn(plain)]);
    await profileShown(withRefresh.page);
    await profileShown(withoutRefresh.page);
    expect(withRefresh.visits.at(-1)).toContain('prompt=consent');
    expect(withoutRefresh.visits.at(-1)).not.toContain('prompt=');
    const codes = idp.grants.authorization_code;

    await new Promise((done) => setTimeout(done, (TOKEN_SECONDS + 2) * 1000));

    // With a refresh token: the page's keep-alive script (or this load) refreshed it, the provider is not visited.
    const refreshVisits = withRefresh.visits.length;
    await withRefresh.page.goto(`${consent.url}/profile`);
    expect(withRefresh.page.url()).toBe(`${consent.url}/profile`);
    await profileShown(withRefresh.page);
    expect(withRefresh.visits.length).toBe(refreshVisits);
    expect(idp.grants.refresh_token).toBeGreaterThanOrEqual(1);

    // Without one: the next load, even of a public page, goes through the provider with prompt=none
    // and comes back to the same page, still logged in.
    await withoutRefresh.page.goto(`${plain.url}/`);
    expect(withoutRefresh.page.url()).toBe(`${plain.url}/`);
    await expect(withoutRefresh.page.locator('nav.account').textContent()).resolves.toContain('Second Buyer');
    expect(withoutRefresh.visits.at(-1)).toContain('prompt=none');
    await withoutRefresh.page.goto(`${plain.url}/profile`);
    await profileShown(withoutRefresh.page);
    await screenshot(withoutRefresh.page, 'auth-second-idp-renewed');

    expect(idp.grants.authorization_code).toBe(codes + 1);
    expect(withRefresh.problems).toEqual([]);
    expect(withoutRefresh.problems).toEqual([]);
  });
});
