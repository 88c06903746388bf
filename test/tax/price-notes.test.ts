import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';

/** A page's text without its tags, spaces collapsed: what a reader sees. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

// The owner's PRICES_INCLUDE_TAX, as buyers read it beside the price on the product page and the cart's total.
describe.each(testDialects)('the tax note beside prices on %s', (dialect) => {
  let idp: TestIdp;
  beforeAll(async () => {
    idp = await startTestIdp();
  });
  afterAll(() => idp?.close());

  it.each([
    [{ SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'true' }, 'incl. VAT'],
    [{ SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'false' }, 'plus VAT'],
    [{ SELLER_COUNTRY: 'US', PRICES_INCLUDE_TAX: 'false' }, 'plus VAT'],
    [{ PRICES_INCLUDE_TAX: 'true' }, ''],
  ])('with %j the product and cart pages say %j (nothing when tax is off)', async (env, note) => {
    let t: TestApp | undefined;
    try {
      t = await createTestApp(dialect, { ...idp.env, ...env });
      const p = await makeProduct(catalogFixtures(t.db).catalog, { price: 1999, name: 'Noted tool' });
      const page = await t.app.inject(`/${p.sku}`);
      expect(page.statusCode).toBe(200);
      const product = text(page.body);
      expect(product).toContain('€19.99');
      // Twice: the second answer comes from the kept parts of the page.
      expect(text((await t.app.inject(`/${p.sku}`)).body)).toBe(product);

      const buyer = await loginAs(t.app, 'new');
      expect((await buyer.browser.request('/cart', { form: { action: 'add', sku: p.sku, quantity: '2' } })).status).toBe(303);
      const cart = text((await buyer.browser.request('/cart')).body);
      if (note) {
        expect(product).toContain(`€19.99 Price ${note}`);
        expect(cart).toContain(`Total ${note} €39.98`);
      } else {
        expect(product).not.toMatch(/VAT/);
        expect(cart).toContain('Total €39.98');
        expect(cart).not.toMatch(/VAT/);
      }
    } finally {
      await t?.close();
    }
  });
});
