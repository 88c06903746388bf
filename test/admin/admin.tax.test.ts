import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.js';
import { CROSS_SITE, type LoggedIn } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { startOwnerApp, type OwnerApp } from '../support/owner-app.js';

/** /admin/tax: the rates table, add a row from a day, remove a row; each audited, every bad input beside its field. */
describe.each(testDialects)('admin tax rates on %s', (dialect) => {
  let app: OwnerApp;
  let t: TestApp;
  let owner: LoggedIn;
  let buyer: LoggedIn;

  beforeAll(async () => {
    app = await startOwnerApp(dialect, { SELLER_COUNTRY: 'DE' });
    ({ t, owner, buyer } = app);
  });
  afterAll(() => app?.close());

  const post = (...a: Parameters<OwnerApp['post']>) => app.post(...a);
  const get = (...a: Parameters<OwnerApp['get']>) => app.get(...a);
  const rows = (country: string) =>
    t.db.kysely
      .selectFrom('tax_rates')
      .select(['id', 'category', 'rate_bp', 'note'])
      .where('country', '=', country)
      .orderBy('valid_from')
      .execute();
  const audit = (action: string) => t.db.kysely.selectFrom('owner_audit').selectAll().where('action', '=', action).orderBy('id').execute();
  const fieldError = (body: string, field: string) => new RegExp(`id="tax-${field}-error">([^<]*)<`).exec(body)?.[1];
  const rowText = (body: string, id: number) =>
    new RegExp(`<tr data-rate="${id}"[^>]*>([\\s\\S]*?)</tr>`)
      .exec(body)?.[1]
      ?.replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();

  it('shows every country’s rates with the one in force, privately, linked from the admin nav', async () => {
    const page = await get('/admin/tax');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(page.body).toContain('<a href="/admin/tax" aria-current="page">Tax</a>');
    expect(page.body).toContain('Selling from DE');
    const [de] = await rows('DE');
    expect(rowText(page.body, de!.id)).toMatch(/^Germany \(DE\) standard 19 % 2021-01-01 in force EU standard rate Remove$/);
    expect(page.body.match(/<tr data-rate=/g)).toHaveLength(27);
    expect((await get('/admin')).body).toContain('href="/admin/tax"');
  });

  it('adds a rate from a day on: listed as upcoming, audited, and the price note follows', async () => {
    const res = await post('/admin/tax', { country: 'de', category: '', percent: '21', from: '2099-01-01', note: 'Planned rise' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(res.headers.location).toBe('/admin/tax?done=added');
    const added = (await rows('DE')).at(-1)!;
    expect(added).toMatchObject({ category: 'standard', rate_bp: 2100, note: 'Planned rise' });
    const page = await get(res.headers.location!);
    expect(page.body).toContain('Rate added.');
    expect(rowText(page.body, added.id)).toMatch(/^Germany \(DE\) standard 21 % 2099-01-01 upcoming Planned rise/);
    const [entry] = await audit('tax_rate.add');
    expect(entry).toMatchObject({ actor_email: owner.user.email, subject: 'DE/standard' });
    expect(JSON.parse(entry!.after!)).toEqual({ percent: '21', from: '2099-01-01', note: 'Planned rise' });
  });

  it('adds a rate for a new country and category, offered as a category afterwards', async () => {
    expect((await post('/admin/tax', { country: 'US', category: 'ebook', percent: '5.5', from: '2020-01-01', note: '' })).statusCode).toBe(
      303,
    );
    expect(await rows('US')).toMatchObject([{ category: 'ebook', rate_bp: 550 }]);
    expect((await get('/admin/tax')).body).toMatch(
      /<datalist id="tax-categories"><option value="standard"><\/option><option value="ebook">/,
    );
  });

  it.each([
    [{ country: 'XX', percent: '10' }, 'country', 'Give a two-letter ISO country code'],
    [{ country: 'EL', percent: '24' }, 'country', 'Greece is GR here'],
    [{ country: '', percent: '10' }, 'country', 'Give a two-letter ISO country code'],
    [{ country: 'FR', percent: '101' }, 'percent', 'Give a percent from 0 to 100'],
    [{ country: 'FR', percent: '-5' }, 'percent', 'Give a percent from 0 to 100'],
    [{ country: 'FR', percent: 'ten' }, 'percent', 'Give a percent from 0 to 100'],
    [{ country: 'FR', percent: '' }, 'percent', 'Give a percent from 0 to 100'],
    [{ country: 'FR', percent: '20', from: '2026-02-30' }, 'from', 'Give the first day as YYYY-MM-DD'],
    [{ country: 'FR', percent: '20', from: '01/02/2027' }, 'from', 'Give the first day as YYYY-MM-DD'],
    [{ country: 'FR', percent: '20', category: 'E Books' }, 'category', 'Use lower-case letters'],
    [{ country: 'FR', percent: '20', note: 'n'.repeat(201) }, 'note', 'A note has at most 200 characters.'],
  ])('refuses %j beside the field with a 400, saving nothing', async (fields, field, message) => {
    const before = await t.db.kysely
      .selectFrom('tax_rates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const res = await post('/admin/tax', { category: '', from: '', note: '', ...fields });
    expect(res.statusCode).toBe(400);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(fieldError(res.body, field)).toContain(message);
    expect(res.body).toContain('Nothing was saved.');
    // What was typed stays in the form.
    if (fields.percent) expect(res.body).toContain(`name="percent" value="${fields.percent}"`);
    const after = await t.db.kysely
      .selectFrom('tax_rates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('refuses a second row from the same day with a 409 beside the day', async () => {
    const res = await post('/admin/tax', { country: 'FR', percent: '21', from: '2014-01-01' });
    expect(res.statusCode).toBe(409);
    expect(fieldError(res.body, 'from')).toContain('FR already has a standard rate from 2014-01-01');
    expect(await rows('FR')).toMatchObject([{ rate_bp: 2000 }]);
  });

  it('an over-long field is a 400 before the service', async () => {
    expect((await post('/admin/tax', { country: 'x'.repeat(101), percent: '1' })).statusCode).toBe(400);
  });

  it('removes a row, audited; an unknown or malformed id is a 404', async () => {
    const [us] = await rows('US');
    const res = await post(`/admin/tax/${us!.id}/delete`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/tax?done=removed');
    expect(await rows('US')).toEqual([]);
    expect((await get(res.headers.location!)).body).toContain('Row removed.');
    const [entry] = await audit('tax_rate.remove');
    expect(entry).toMatchObject({ subject: 'US/ebook' });
    expect((await post(`/admin/tax/${us!.id}/delete`)).statusCode).toBe(404);
    expect((await post('/admin/tax/abc/delete')).statusCode).toBe(404);
    expect((await post('/admin/tax/0/delete')).statusCode).toBe(404);
  });

  it('gives a product a tax category from the form, chosen among the table’s (standard by default)', async () => {
    const product = (sku: string) =>
      t.db.kysely.selectFrom('products').select(['sku', 'tax_category']).where('sku', '=', sku).executeTakeFirst();
    const fields = { name: 'Taxed tool', price: '10.00', currency: 'EUR', type: 'file', status: 'draft' };
    expect((await post('/admin/tax', { country: 'AT', category: 'ebook', percent: '10', from: '2020-01-01' })).statusCode).toBe(303);
    const blank = await get('/admin/products/new');
    expect(blank.body).toMatch(
      /<select id="product-taxCategory"[^>]*name="tax_category"><option value="standard" selected>standard<\/option><option value="ebook">ebook<\/option><\/select>/,
    );

    expect((await post('/admin/products', { ...fields, sku: 'TAX-EBOOK', tax_category: 'ebook' })).statusCode).toBe(303);
    expect(await product('TAX-EBOOK')).toEqual({ sku: 'TAX-EBOOK', tax_category: 'ebook' });
    expect((await get('/admin/products/TAX-EBOOK/edit')).body).toContain('<option value="ebook" selected>ebook</option>');
    const [created] = await audit('product.create');
    expect(JSON.parse(created!.after!)).toMatchObject({ sku: 'TAX-EBOOK', taxCategory: 'ebook' });

    expect((await post('/admin/products', { ...fields, sku: 'TAX-PLAIN' })).statusCode).toBe(303);
    expect(await product('TAX-PLAIN')).toEqual({ sku: 'TAX-PLAIN', tax_category: 'standard' });
    expect((await post('/admin/products/TAX-EBOOK', { ...fields, tax_category: 'standard' })).statusCode).toBe(303);
    expect(await product('TAX-EBOOK')).toEqual({ sku: 'TAX-EBOOK', tax_category: 'standard' });

    const bad = await post('/admin/products', { ...fields, sku: 'TAX-BAD', tax_category: 'E Books!' });
    expect(bad.statusCode).toBe(400);
    expect(new RegExp('id="product-taxCategory-error">([^<]*)<').exec(bad.body)?.[1]).toContain('Tax category must be lower-case letters');
    expect(await product('TAX-BAD')).toBeUndefined();
  });

  it('refuses a well-formed tax category the shop does not know, beside the field with a 400, saving nothing', async () => {
    const product = (sku: string) =>
      t.db.kysely.selectFrom('products').select(['sku', 'tax_category']).where('sku', '=', sku).executeTakeFirst();
    const error = (body: string, field: string) => new RegExp(`id="product-${field}-error">([^<]*)<`).exec(body)?.[1];
    const fields = { name: 'Typo tool', price: '10.00', currency: 'EUR', type: 'file', status: 'draft' };
    const audited = (await audit('product.create')).length;

    const res = await post('/admin/products', { ...fields, sku: 'TAX-TYPO', tax_category: 'ebok' });
    expect(res.statusCode).toBe(400);
    expect(error(res.body, 'taxCategory')).toBe(
      'There is no tax category &quot;ebok&quot;: choose one from the list, or add a rate for it under Tax first.',
    );
    expect(res.body).toContain('<option value="ebok" selected>ebok</option>');
    expect(await product('TAX-TYPO')).toBeUndefined();
    // The form's other problems show with it.
    const both = await post('/admin/products', { ...fields, price: 'ten', sku: 'TAX-TYPO', tax_category: 'ebok' });
    expect(both.statusCode).toBe(400);
    expect(error(both.body, 'price')).toContain('Price must be an amount');
    expect(error(both.body, 'taxCategory')).toContain('There is no tax category');
    // An edit too: the product keeps its category.
    const edit = await post('/admin/products/TAX-PLAIN', { ...fields, tax_category: 'reduced' });
    expect(edit.statusCode).toBe(400);
    expect(error(edit.body, 'taxCategory')).toContain('There is no tax category &quot;reduced&quot;');
    expect(await product('TAX-PLAIN')).toEqual({ sku: 'TAX-PLAIN', tax_category: 'standard' });
    expect(await audit('product.create')).toHaveLength(audited);
    // Once a rate names it, the category is taken (typed in capitals too).
    expect((await post('/admin/tax', { country: 'DE', category: 'reduced', percent: '7', from: '2020-01-01' })).statusCode).toBe(303);
    expect((await post('/admin/products/TAX-PLAIN', { ...fields, tax_category: 'Reduced' })).statusCode).toBe(303);
    expect(await product('TAX-PLAIN')).toEqual({ sku: 'TAX-PLAIN', tax_category: 'reduced' });
  });

  it('is a 404 to everyone but the owner, and refuses a cross-site post even with the owner’s cookie', async () => {
    for (const user of [buyer, null]) {
      expect((await get('/admin/tax', user)).statusCode).toBe(404);
      expect((await post('/admin/tax', { country: 'CH', percent: '8.1' }, user)).statusCode).toBe(404);
    }
    const [ch] = await rows('FR');
    expect((await post(`/admin/tax/${ch!.id}/delete`, {}, buyer)).statusCode).toBe(404);
    expect((await post('/admin/tax', { country: 'CH', percent: '8.1' }, owner, CROSS_SITE)).statusCode).toBe(403);
    expect((await post(`/admin/tax/${ch!.id}/delete`, {}, owner, CROSS_SITE)).statusCode).toBe(403);
    expect(await rows('CH')).toEqual([]);
    expect(await rows('FR')).toHaveLength(1);
  });
});
