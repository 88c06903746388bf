import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { createCaches } from '../../src/caches.js';
import { testConfig } from '../support/env.js';
import type { TestApp } from '../support/app.js';
import type { LoggedIn } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { startOwnerApp, type OwnerApp } from '../support/owner-app.js';
import { makeCategory, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { tableRows } from './admin-fixtures.js';

let serial = 0;
const freshSlug = (base = 'cat') => `${base}-${Date.now().toString(36)}-${++serial}`;

/** /admin/categories: create, rename, change slug (old one redirects), reorder, delete when empty; each audited. */
describe.each(testDialects)('admin categories on %s', (dialect) => {
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
  const byslug = (slug: string) => t.db.kysely.selectFrom('categories').selectAll().where('slug', '=', slug).executeTakeFirst();
  const audit = (action: string) => t.db.kysely.selectFrom('owner_audit').selectAll().where('action', '=', action).orderBy('id').execute();
  const fieldError = (body: string, field: string) => new RegExp(`id="category-${field}-error">([^<]*)<`).exec(body)?.[1];
  const create = async (name: string, slug: string) => {
    const res = await post('/admin/categories', { name, slug });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    return (await byslug(slug))!;
  };

  it('creates a category: listed last with its product count, in the shop header at once, audited', async () => {
    const slug = freshSlug('audio');
    const res = await post('/admin/categories', { name: '  Audio tools ', slug: slug.toUpperCase() });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/categories?done=created');
    const row = await byslug(slug);
    expect(row).toMatchObject({ name: 'Audio tools', slug });
    await makeProduct(fx.catalog, { categories: [slug] });
    const page = await get(res.headers.location!);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('private, no-store');
    expect(page.body).toContain('Category created.');
    const rows = tableRows(page.body, 'admin-categories');
    expect(rows.at(-1)).toMatch(new RegExp(`^Audio tools ${slug} 1 `));
    // The shop's header (anonymous, through the page cache) shows it without waiting.
    expect((await get('/', null)).body).toContain(`href="/category/${slug}"`);
    const [entry] = (await audit('category.create')).filter((a) => a.subject === slug);
    expect(entry?.actor_email).toBe(owner.user.email);
    expect(JSON.parse(entry!.after!)).toEqual({ name: 'Audio tools', slug });
  });

  it('refuses a bad slug, an empty name and a taken slug beside the field, storing nothing', async () => {
    const taken = await create('Taken', freshSlug('taken'));
    const before = await t.db.kysely
      .selectFrom('categories')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const bad = await post('/admin/categories', { name: 'Bad', slug: 'bad slug!' });
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'slug')).toContain('Use lower-case letters (a–z), digits and single dashes');
    expect(bad.body).toContain('value="bad slug!"');
    const dashes = await post('/admin/categories', { name: 'Bad', slug: '-double--dash-' });
    expect(fieldError(dashes.body, 'slug')).toContain('single dashes');
    const empty = await post('/admin/categories', { name: '  ', slug: freshSlug() });
    expect(empty.statusCode).toBe(400);
    expect(fieldError(empty.body, 'name')).toBe('Please give the category a name.');
    const dup = await post('/admin/categories', { name: 'Again', slug: taken.slug });
    expect(dup.statusCode).toBe(409);
    expect(fieldError(dup.body, 'slug')).toBe('“Taken” already has this slug.');
    const after = await t.db.kysely
      .selectFrom('categories')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('creates one category when two forms take the same slug at once; the other is told beside the field', async () => {
    const slug = freshSlug('race');
    const answers = await Promise.all([post('/admin/categories', { name: 'One', slug }), post('/admin/categories', { name: 'Two', slug })]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([303, 409]);
    expect(fieldError(answers.find((a) => a.statusCode === 409)!.body, 'slug')).toMatch(
      /already has this slug|took this slug a moment ago/,
    );
    expect(await t.db.kysely.selectFrom('categories').select('name').where('slug', '=', slug).execute()).toHaveLength(1);
  });

  it('renames a category: the header and its page show the new name, audited with before and after', async () => {
    const c = await create('Old name', freshSlug('ren'));
    const res = await post(`/admin/categories/${c.id}/name`, { name: 'New name' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/admin/categories/${c.id}?done=renamed`);
    expect((await get(`/category/${c.slug}`, null)).body).toContain('New name');
    const [entry] = (await audit('category.rename')).filter((a) => a.subject === c.slug);
    expect([JSON.parse(entry!.before!), JSON.parse(entry!.after!)]).toEqual([{ name: 'Old name' }, { name: 'New name' }]);
    const empty = await post(`/admin/categories/${c.id}/name`, { name: '' });
    expect(empty.statusCode).toBe(400);
    expect(fieldError(empty.body, 'name')).toBe('Please give the category a name.');
    expect((await byslug(c.slug))!.name).toBe('New name');
  });

  it('changes a slug: the old address answers one 301 to the current one, chains collapse, a freed slug can be taken', async () => {
    const a = freshSlug('a');
    const b = freshSlug('b');
    const c = freshSlug('c');
    const cat = await create('Moving', a);
    expect((await post(`/admin/categories/${cat.id}/slug`, { slug: b })).headers.location).toBe(`/admin/categories/${cat.id}?done=slug`);
    expect((await post(`/admin/categories/${cat.id}/slug`, { slug: c })).statusCode).toBe(303);
    for (const old of [a, b]) {
      const res = await get(`/category/${old}`, null);
      expect(res.statusCode, old).toBe(301);
      expect(res.headers.location).toBe(`/category/${c}`);
    }
    expect((await get(`/category/${a.toUpperCase()}?page=2`, null)).headers.location).toBe(`/category/${c}?page=2`);
    expect((await get(`/category/${c}`, null)).statusCode).toBe(200);
    const detail = await get(`/admin/categories/${cat.id}`);
    expect(detail.body).toContain(`<code>/category/${a}</code>`);
    expect(detail.body).toContain(`<code>/category/${b}</code>`);
    expect((await audit('category.change_slug')).filter((e) => e.subject === c).map((e) => JSON.parse(e.before!) as unknown)).toEqual([
      { slug: b },
    ]);

    // Another category takes a former slug: its page is the new category's, no longer a redirect.
    const taker = await create('Taker', b);
    const page = await get(`/category/${b}`, null);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Taker');
    expect((await get(`/admin/categories/${cat.id}`)).body).not.toContain(`<code>/category/${b}</code>`);
    // A category's own current slug cannot be taken, nor made invalid.
    const clash = await post(`/admin/categories/${taker.id}/slug`, { slug: c });
    expect(clash.statusCode).toBe(409);
    expect(fieldError(clash.body, 'slug')).toBe('“Moving” already has this slug.');
    const bad = await post(`/admin/categories/${taker.id}/slug`, { slug: 'Ünïcode' });
    expect(bad.statusCode).toBe(400);
    expect((await byslug(b))!.id).toBe(taker.id);

    // Going back to a former slug of its own: that one stops redirecting, the others point to it.
    await post(`/admin/categories/${cat.id}/slug`, { slug: a });
    expect((await get(`/category/${a}`, null)).statusCode).toBe(200);
    expect((await get(`/category/${c}`, null)).headers.location).toBe(`/category/${a}`);
  });

  it('reorders with Move up/down (the header follows); the ends stay put', async () => {
    await t.db.kysely.deleteFrom('product_categories').execute();
    await t.db.kysely.deleteFrom('category_redirects').execute();
    await t.db.kysely.deleteFrom('categories').execute();
    const [x, y, z] = [await create('Xray', freshSlug('x')), await create('Yankee', freshSlug('y')), await create('Zulu', freshSlug('z'))];
    const order = async () => tableRows((await get('/admin/categories')).body, 'admin-categories').map((r) => r.split(' ')[0]);
    expect(await order()).toEqual(['Xray', 'Yankee', 'Zulu']);
    const moved = await post(`/admin/categories/${z.id}/move`, { direction: 'up' });
    expect(moved.statusCode).toBe(303);
    expect(moved.headers.location).toBe('/admin/categories?done=moved');
    expect(await order()).toEqual(['Xray', 'Zulu', 'Yankee']);
    await post(`/admin/categories/${x.id}/move`, { direction: 'down' });
    expect(await order()).toEqual(['Zulu', 'Xray', 'Yankee']);
    const header = (await get('/', null)).body;
    expect(header.indexOf(`/category/${z.slug}`)).toBeLessThan(header.indexOf(`/category/${y.slug}`));
    const audited = (await audit('category.move')).length;
    await post(`/admin/categories/${z.id}/move`, { direction: 'up' });
    await post(`/admin/categories/${y.id}/move`, { direction: 'down' });
    expect(await order()).toEqual(['Zulu', 'Xray', 'Yankee']);
    expect((await audit('category.move')).length).toBe(audited);
    expect((await post(`/admin/categories/${z.id}/move`, { direction: 'sideways' })).statusCode).toBe(400);
  });

  it('deletes only an empty category; a full one answers 409 saying how many products keep it', async () => {
    const full = await create('Full', freshSlug('full'));
    await makeProduct(fx.catalog, { categories: [full.slug] });
    await makeProduct(fx.catalog, { categories: [full.slug], status: 'archived' });
    const refused = await post(`/admin/categories/${full.id}/delete`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('“Full” still holds 2 products: take them out of the category first');
    expect(await byslug(full.slug)).toBeDefined();

    const empty = await create('Empty', freshSlug('empty'));
    const former = freshSlug('former');
    await post(`/admin/categories/${empty.id}/slug`, { slug: former });
    const res = await post(`/admin/categories/${empty.id}/delete`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/categories?done=deleted');
    expect(await byslug(former)).toBeUndefined();
    expect((await get(`/category/${former}`, null)).statusCode).toBe(404);
    expect((await get(`/category/${empty.slug}`, null)).statusCode).toBe(404);
    expect((await audit('category.delete')).some((e) => e.subject === former)).toBe(true);
    expect((await post(`/admin/categories/${empty.id}/delete`)).statusCode).toBe(404);
  });

  it('shows a change on another instance within the catalog’s 30 s (its lists’ 20 s, then a whole page’s 10 s), as the CLI’s changes do', async () => {
    let now = Date.now();
    const clock = () => now;
    const other = await buildApp({ config: testConfig(app.idp.env), db: t.db, clock, caches: createCaches({ clock }) });
    try {
      const c = await create('Elsewhere', freshSlug('else'));
      const visit = (url: string) => other.inject({ method: 'GET', url });
      expect((await visit(`/category/${c.slug}`)).body).toContain('Elsewhere');
      const renamed = freshSlug('moved');
      await post(`/admin/categories/${c.id}/name`, { name: 'Moved on' });
      await post(`/admin/categories/${c.id}/slug`, { slug: renamed });
      // Within the lists' time the other instance still shows what it read, and keeps that page.
      now += 19_000;
      expect((await visit(`/category/${c.slug}`)).body).toContain('Elsewhere');
      // Past the catalog's 30 s: the redirect and the new name.
      now += 11_001;
      const moved = await visit(`/category/${c.slug}`);
      expect(moved.statusCode).toBe(301);
      expect(moved.headers.location).toBe(`/category/${renamed}`);
      expect((await visit(`/category/${renamed}`)).body).toContain('Moved on');
    } finally {
      await other.close();
    }
  });

  it('answers 404 for an unknown or malformed category id', async () => {
    for (const url of ['/admin/categories/999999', '/admin/categories/abc', '/admin/categories/0'])
      expect((await get(url)).statusCode, url).toBe(404);
    expect((await post('/admin/categories/999999/name', { name: 'x' })).statusCode).toBe(404);
  });

  it('shows every new owner page only to the owner: anyone else gets the 404 of an unknown URL, and nothing changes', async () => {
    const c = await makeCategory(fx.catalog);
    const gets = [
      '/admin/categories',
      `/admin/categories/${c.id}`,
      '/admin/customers',
      '/admin/customers/someone%40example.com',
      '/admin/donations',
      '/admin/donations?status=needs_attention',
      '/admin/messages?status=open',
      '/admin/messages/1',
    ];
    const posts: [string, Record<string, string>][] = [
      ['/admin/categories', { name: 'Sneaky', slug: 'sneaky' }],
      [`/admin/categories/${c.id}/name`, { name: 'Sneaky' }],
      [`/admin/categories/${c.id}/slug`, { slug: 'sneaky' }],
      [`/admin/categories/${c.id}/move`, { direction: 'up' }],
      [`/admin/categories/${c.id}/delete`, {}],
      ['/admin/donations/don_000000000000000000000000/refund', { reason: 'x' }],
      ['/admin/messages/1/reply', { body: 'Hello' }],
      ['/admin/messages/1/status', { status: 'answered' }],
    ];
    const nameBefore = (await byslug(c.slug))!.name;
    const unknown = await get('/no-such-page-at-all/x', null);
    for (const user of [null, buyer]) {
      for (const url of gets) {
        const res = await get(url, user);
        expect(res.statusCode, url).toBe(404);
        expect(res.body.includes('We could not find that page.'), url).toBe(unknown.body.includes('We could not find that page.'));
      }
      for (const [url, fields] of posts) expect((await post(url, fields, user)).statusCode, url).toBe(404);
    }
    expect(await byslug('sneaky')).toBeUndefined();
    expect((await byslug(c.slug))!.name).toBe(nameBefore);
  });
});
