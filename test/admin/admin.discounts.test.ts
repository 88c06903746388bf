import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.js';
import { CROSS_SITE, SAME_ORIGIN_POST, type LoggedIn } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { startOwnerApp, type OwnerApp } from '../support/owner-app.js';
import { makeCategory, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { EMPTY_DISCOUNT_FORM } from '../../src/discounts/discount.input.js';
import { freshCode } from '../discounts/discount-fixtures.js';

const form = (over: Record<string, string>) => ({ ...EMPTY_DISCOUNT_FORM, code: freshCode('ADM'), percent: '10', ...over });

/** /admin/discounts: list with uses and state, create with every field, disable; each change audited. */
describe.each(testDialects)('admin discounts on %s', (dialect) => {
  let app: OwnerApp;
  let t: TestApp;
  let fx: CatalogFixtures;
  let owner: LoggedIn;
  let buyer: LoggedIn;

  beforeAll(async () => {
    app = await startOwnerApp(dialect);
    ({ t, fx, owner, buyer } = app);
  });
  afterAll(() => app?.close());

  const post = (...a: Parameters<OwnerApp['post']>) => app.post(...a);
  const get = (...a: Parameters<OwnerApp['get']>) => app.get(...a);
  const row = (code: string) => t.db.kysely.selectFrom('discount_codes').selectAll().where('code', '=', code).executeTakeFirst();
  const audit = (action: string, subject: string) =>
    t.db.kysely.selectFrom('owner_audit').selectAll().where('action', '=', action).where('subject', '=', subject).execute();
  const fieldError = (body: string, field: string) => new RegExp(`id="discount-${field}-error">([^<]*)<`).exec(body)?.[1];
  const listRow = (body: string, code: string) => new RegExp(`<tr data-code="${code}">([\\s\\S]*?)</tr>`).exec(body)?.[1] ?? '';

  it('creates a code with every field, lists its uses and state, audited', async () => {
    const cat = await makeCategory(fx.catalog);
    const p = await makeProduct(fx.catalog);
    const code = freshCode('WINTER');
    const res = await post(
      '/admin/discounts',
      form({
        code: code.toLowerCase(),
        kind: 'fixed',
        amounts: 'EUR 5.00, USD 6.00',
        products: p.sku,
        categories: cat.slug,
        minSubtotal: 'EUR 30.00',
        startsAt: '2020-01-01',
        endsAt: '2099-12-31T23:59',
        maxUses: '10',
        maxUsesPerBuyer: '1',
      }),
    );
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    expect(res.headers.location).toBe('/admin/discounts?done=created');
    expect(await row(code)).toMatchObject({
      kind: 'fixed',
      amounts: JSON.stringify({ EUR: 500, USD: 600 }),
      min_subtotals: JSON.stringify({ EUR: 3000 }),
      product_ids: JSON.stringify([p.id]),
      category_ids: JSON.stringify([cat.id]),
      starts_at: Date.parse('2020-01-01T00:00:00Z'),
      ends_at: Date.parse('2099-12-31T23:59:00Z'),
      max_uses: 10,
      max_uses_per_buyer: 1,
      uses: 0,
    });
    await t.db.kysely.updateTable('discount_codes').set({ uses: 7 }).where('code', '=', code).execute();
    const page = await get(res.headers.location!);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(page.body).toContain('Discount code created.');
    expect(page.body).toContain('<a href="/admin/discounts" aria-current="page">Discounts</a>');
    const r = listRow(page.body, code);
    expect(r).toMatch(/data-role="uses">7 \/ 10</);
    expect(r).toMatch(/data-role="state">Active</);
    expect(r).toContain('EUR 5.00, USD 6.00');
    expect(r).toContain(p.sku);
    expect(r).toContain(cat.slug);
    const [entry] = await audit('discount.create', code);
    expect(entry).toMatchObject({ actor_email: owner.user.email });
  });

  it('shows each state', async () => {
    const codes = { scheduled: freshCode(), expired: freshCode(), exhausted: freshCode() };
    await post('/admin/discounts', form({ code: codes.scheduled, startsAt: '2099-01-01' }));
    await post('/admin/discounts', form({ code: codes.expired, endsAt: '2020-01-01' }));
    await post('/admin/discounts', form({ code: codes.exhausted, maxUses: '1' }));
    await t.db.kysely.updateTable('discount_codes').set({ uses: 1 }).where('code', '=', codes.exhausted).execute();
    const page = await get('/admin/discounts');
    expect(listRow(page.body, codes.scheduled)).toMatch(/data-role="state">Scheduled</);
    expect(listRow(page.body, codes.expired)).toMatch(/data-role="state">Expired</);
    expect(listRow(page.body, codes.exhausted)).toMatch(/data-role="state">Used up</);
    expect(listRow(page.body, codes.exhausted)).toMatch(/data-role="uses">1 \/ 1</);
  });

  it.each([
    [{ code: 'x' }, 'code', 400],
    [{ kind: 'both' }, 'kind', 400],
    [{ percent: '0' }, 'percent', 400],
    [{ percent: '150' }, 'percent', 400],
    [{ kind: 'fixed', amounts: '5 euros' }, 'amounts', 400],
    [{ kind: 'fixed', amounts: '' }, 'amounts', 400],
    [{ products: 'NO-SUCH-SKU-1' }, 'products', 400],
    [{ products: 'NUL\u0000SKU' }, 'products', 400],
    [{ categories: 'nul\u0000slug' }, 'categories', 400],
    [{ code: 'NUL\u0000CODE' }, 'code', 400],
    [{ categories: 'no-such-category-1' }, 'categories', 400],
    [{ minSubtotal: 'thirty' }, 'minSubtotal', 400],
    [{ startsAt: '31/12/2026' }, 'startsAt', 400],
    [{ endsAt: '2026-02-30' }, 'endsAt', 400],
    [{ startsAt: '2026-12-02', endsAt: '2026-12-01' }, 'endsAt', 400],
    [{ maxUses: '0' }, 'maxUses', 400],
    [{ maxUses: 'many' }, 'maxUses', 400],
    [{ maxUsesPerBuyer: '1.5' }, 'maxUsesPerBuyer', 400],
  ] as Array<[Record<string, string>, string, number]>)('refuses %j beside the field %s, saving nothing', async (over, field, status) => {
    const fields = form(over);
    const res = await post('/admin/discounts', fields);
    expect(res.statusCode).toBe(status);
    expect(fieldError(res.body, field)).toBeTruthy();
    expect(res.body).toContain('Nothing was saved.');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(await row(fields.code!.toUpperCase().replace('\u0000', ''))).toBeUndefined();
  });

  it('refuses a code that exists (409) and keeps what was typed', async () => {
    const code = freshCode();
    expect((await post('/admin/discounts', form({ code }))).statusCode).toBe(303);
    const res = await post('/admin/discounts', form({ code: code.toLowerCase(), percent: '12.5' }));
    expect(res.statusCode).toBe(409);
    expect(fieldError(res.body, 'code')).toBe('This code already exists.');
    expect(res.body).toMatch(/id="discount-percent"[^>]*value="12.5"/);
  });

  it('disables a code once, audited', async () => {
    const code = freshCode();
    await post('/admin/discounts', form({ code }));
    const res = await post(`/admin/discounts/${code.toLowerCase()}/disable`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/discounts?done=disabled');
    expect((await row(code))!.disabled_at).not.toBeNull();
    const page = await get(res.headers.location!);
    expect(listRow(page.body, code)).toMatch(/data-role="state">Disabled</);
    expect(listRow(page.body, code)).not.toContain('/disable"');
    await post(`/admin/discounts/${code}/disable`);
    expect(await audit('discount.disable', code)).toHaveLength(1);
    expect((await post('/admin/discounts/NO-SUCH-CODE/disable')).statusCode).toBe(404);
    // A NUL (PostgreSQL refuses it in text) or a longer text starting with the code is no code either.
    expect((await post(`/admin/discounts/${code}%00/disable`)).statusCode).toBe(404);
    const longest = freshCode('LONG').padEnd(60, 'X');
    expect((await post('/admin/discounts', form({ code: longest }))).statusCode).toBe(303);
    expect((await post(`/admin/discounts/${longest}Y/disable`)).statusCode).toBe(404);
    expect((await row(longest))!.disabled_at).toBeNull();
  });

  it('is a 404 for everyone but the owner, and refuses posts from another site', async () => {
    for (const user of [buyer, null]) {
      expect((await get('/admin/discounts', user)).statusCode).toBe(404);
      const code = freshCode();
      expect((await post('/admin/discounts', form({ code }), user)).statusCode).toBe(404);
      expect(await row(code)).toBeUndefined();
    }
    const code = freshCode();
    const res = await post('/admin/discounts', form({ code }), owner, CROSS_SITE as typeof SAME_ORIGIN_POST);
    expect(res.statusCode).toBe(403);
    expect(await row(code)).toBeUndefined();
  });
});
