import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestIdp } from '../support/auth.js';
import { resultsDir, watchPageProblems, type RunningStore } from '../support/browser.js';
import type { DevGateway } from '../support/gateway.js';
import { startBuyingShop, type BuyingShop } from '../support/shop.js';

const shots = join(resultsDir, 'screenshots');
// Evaluated through the DevTools protocol, which the page's CSP does not govern (no bypass needed).
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: unknown[] }[];
}

/** Full-page screenshots at 1280 and 390 px; the page must not scroll sideways, nor have serious axe faults. */
async function screenshots(page: Page, name: string) {
  mkdirSync(shots, { recursive: true });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    // From the top: a page opened at a key's anchor would otherwise draw the sticky header mid-shot.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${name} at ${width} px`).toBeLessThanOrEqual(width);
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
      return (await axe.run({ rules: { 'target-size': { enabled: true } } })).violations;
    });
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      serious.map((v) => `${v.id} on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      `${name} at ${width} px`,
    ).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

describe('the order page and paying again in a real browser', () => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let store: RunningStore;
  let browser: Browser;

  let shop: BuyingShop | undefined;

  beforeAll(async () => {
    shop = await startBuyingShop();
    ({ idp, gateway, store, browser } = shop);
  });
  afterAll(() => shop?.close());

  async function addToCart(page: Page, slug: string) {
    await page.goto(`${store.url}/${slug}`);
    await page.click('.add-to-cart button[type=submit]');
    await page.locator('.cart-message .notice').waitFor();
  }

  it('buys, reveals two keys that both stay (copy works, reload sends nothing), shows the page after payment, and pays a declined order with Pay now', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: store.url });
    const page = await context.newPage();
    const problems = watchPageProblems(page);
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().startsWith(store.url)) posts.push(new URL(r.url()).pathname);
    });

    // A pool key and a signed key (some 200 characters long).
    await addToCart(page, 'vectorforge-pro-1y');
    await addToCart(page, 'palette-lab');
    await page.goto(`${store.url}/checkout`);
    await page.waitForURL(`${idp.idp.issuer}/**`);
    await page.fill('#email', 'demo@example.com');
    await page.fill('#password', 'demo1234');
    await Promise.all([page.waitForURL(`${store.url}/checkout`), page.click('button[type=submit]')]);
    await Promise.all([page.waitForURL(`${gateway.url}/pay/**`), page.click('.checkout-form button[type=submit]')]);
    await Promise.all([page.waitForURL(`${store.url}/checkout/return**`), page.click('button[value=pay]')]);

    // After payment: the items, what is ready, where the receipt went, the order by its short number.
    await page.waitForSelector('[data-order-status=fulfilled]', { timeout: 15_000 });
    const after = (await page.locator('main').textContent()) ?? '';
    expect(after).toMatch(/Order #\d{4,}: Your payment is confirmed\./);
    expect(after).toContain('Vectorforge Pro (1 year): License key ready to reveal.');
    expect(after).toContain('Palette Lab: License key ready to reveal.');
    expect(after).toContain('We sent the receipt to demo@example.com.');
    expect(after).not.toMatch(/ord_[0-9a-f]{24}/);
    await expect(page.locator('a[href$="/invoice"]').count()).resolves.toBe(1);
    await screenshots(page, 'after-payment');

    await page.click('a.button.primary[href^="/orders/"]');
    await expect(page.locator('main h1').textContent()).resolves.toMatch(/^Order #\d{4,}$/);
    const revealButtons = page.locator('form.reveal button[type=submit]');
    await expect(revealButtons.count()).resolves.toBe(2);

    // Reveal one, then the other: both stay on the page, each in a read-only field.
    await Promise.all([page.waitForURL(/#key-\d+-0$/), revealButtons.first().click()]);
    await Promise.all([page.waitForURL(/#key-\d+-0$/), page.locator('form.reveal button[type=submit]').first().click()]);
    const fields = page.locator('textarea.key-field');
    await expect(fields.count()).resolves.toBe(2);
    const [poolKey, signedKey] = await Promise.all([fields.nth(0).inputValue(), fields.nth(1).inputValue()]);
    expect(poolKey).toMatch(/^DEMO-/);
    expect(signedKey.length).toBeGreaterThan(150);
    await expect(fields.nth(1).getAttribute('readonly')).resolves.not.toBeNull();

    // The long key wraps inside its field: the field shows it whole, no wider than its box.
    const box = await fields.nth(1).evaluate((el: HTMLTextAreaElement) => ({
      scrollWidth: el.scrollWidth,
      clientWidth: el.clientWidth,
      scrollHeight: el.scrollHeight,
      clientHeight: el.clientHeight,
    }));
    expect(box.scrollWidth).toBeLessThanOrEqual(box.clientWidth);
    expect(box.scrollHeight).toBeLessThanOrEqual(box.clientHeight + 2);

    // Copy puts the key on the clipboard and says so.
    const copy = page.locator('button.key-copy').nth(1);
    await expect(copy.isVisible()).resolves.toBe(true);
    await copy.click();
    await page.locator('button.key-copy', { hasText: 'Copied' }).waitFor({ timeout: 2_000 });
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(signedKey);

    // Reload and Back send no form again: the last request was a GET, and the keys are still shown.
    const postsBefore = posts.length;
    await page.reload();
    await page.goBack();
    await page.goForward();
    expect(posts.slice(postsBefore)).toEqual([]);
    await expect(page.locator('textarea.key-field').count()).resolves.toBe(2);
    await screenshots(page, 'order-keys-revealed');

    // Without JavaScript there is no dead Copy button: the key's field is there to select and copy.
    const orderUrl = page.url().replace(/#.*$/, '');
    const noScript = await browser.newContext({ storageState: await context.storageState(), javaScriptEnabled: false });
    const plain = await noScript.newPage();
    await plain.goto(orderUrl);
    await expect(plain.locator('textarea.key-field').count()).resolves.toBe(2);
    await expect(plain.locator('button.key-copy').first().isVisible()).resolves.toBe(false);
    await expect(plain.locator('textarea.key-field').nth(1).isVisible()).resolves.toBe(true);
    await noScript.close();

    // A declined card leaves the order unpaid; Pay now goes back to its payment page, which pays it.
    await addToCart(page, 'regex-workbench');
    await page.goto(`${store.url}/checkout`);
    await Promise.all([page.waitForURL(`${gateway.url}/pay/**`), page.click('.checkout-form button[type=submit]')]);
    await page.click('button[value=decline]');
    await page.goto(`${store.url}/orders`);
    await expect(page.locator('main').textContent()).resolves.toContain('Awaiting payment');
    await page.click('tbody tr:first-child a[href^="/orders/"]');
    await expect(page.locator('main').textContent()).resolves.toContain('This order is not paid yet.');
    await expect(page.locator('form[action$="/cancel"] button').isVisible()).resolves.toBe(true);
    await screenshots(page, 'order-unpaid');
    await Promise.all([page.waitForURL(`${gateway.url}/pay/**`), page.click('form[action$="/pay"] button')]);
    await Promise.all([page.waitForURL(`${store.url}/checkout/return**`), page.click('button[value=pay]')]);
    await page.waitForSelector('[data-order-status=fulfilled]', { timeout: 15_000 });
    await expect(page.locator('main').textContent()).resolves.toContain('Regex Workbench: License key ready to reveal.');

    expect(problems, problems.join('\n')).toEqual([]);
    await context.close();
  });
});
