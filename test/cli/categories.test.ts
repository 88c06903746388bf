import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeCategory, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { auditRowsFor, CLI_ACTOR, runStore } from './cli-harness.js';

/** The CLI's door to the categories service the admin pages use: the same rules, the same messages. */
describe.each(testDialects)('categories commands on %s', (dialect) => {
  let db: TestDatabase;
  let fx: CatalogFixtures;
  const store = (...argv: string[]) => runStore(argv, { db });
  const row = (id: number) => db.kysely.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    fx = catalogFixtures(db);
  });
  afterAll(() => db.drop());

  it('lists, renames, changes a slug (leaving a redirect), moves and deletes an empty category', async () => {
    const a = await makeCategory(fx.catalog, { name: 'Alpha', slug: 'alpha', position: 1 });
    const b = await makeCategory(fx.catalog, { name: 'Beta', slug: 'beta', position: 2 });
    await makeProduct(fx.catalog, { categories: ['alpha'] });
    const listed = await store('categories', 'list');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(/alpha\s+Alpha\s+1\n[\s\S]*beta\s+Beta\s+0/);

    expect((await store('categories', 'rename', 'ALPHA', 'Alpha tools')).stdout).toBe('Renamed ALPHA to “Alpha tools”.\n');
    expect((await row(a.id)).name).toBe('Alpha tools');
    expect((await store('categories', 'set-slug', 'beta', 'beta-two')).stdout).toBe(
      '/category/beta now redirects to /category/beta-two.\n',
    );
    expect(await db.kysely.selectFrom('category_redirects').selectAll().where('old_slug', '=', 'beta').execute()).toHaveLength(1);
    expect((await store('categories', 'move', 'beta-two', 'up')).stdout).toBe('Moved beta-two from place 2 to 1.\n');
    expect((await store('categories', 'move', 'beta-two', 'up')).stdout).toBe('beta-two is already first.\n');

    const full = await store('categories', 'delete', 'alpha');
    expect(full.code).toBe(1);
    expect(full.stderr).toContain('“Alpha tools” still holds 1 product: take it out of the category first');
    expect((await store('categories', 'delete', 'beta-two')).stdout).toBe('Deleted category beta-two.\n');
    expect(await db.kysely.selectFrom('categories').select('id').where('id', '=', b.id).execute()).toHaveLength(0);

    // /admin/audit: the same rows the admin pages write, the command line as actor; the refused delete and the no-op move none.
    expect(await auditRowsFor(db, 'alpha')).toEqual([
      { action: 'category.rename', subject: 'alpha', ...CLI_ACTOR, before: { name: 'Alpha' }, after: { name: 'Alpha tools' } },
    ]);
    expect(await auditRowsFor(db, 'beta-two')).toEqual([
      { action: 'category.change_slug', subject: 'beta-two', ...CLI_ACTOR, before: { slug: 'beta' }, after: { slug: 'beta-two' } },
      { action: 'category.move', subject: 'beta-two', ...CLI_ACTOR, before: { place: 2 }, after: { place: 1 } },
      { action: 'category.delete', subject: 'beta-two', ...CLI_ACTOR, before: { name: 'Beta', slug: 'beta-two' }, after: null },
    ]);
  });

  it('refuses a bad or taken slug, an empty name, an unknown category and a bad direction, changing nothing', async () => {
    const c = await makeCategory(fx.catalog, { name: 'Gamma', slug: 'gamma' });
    await makeCategory(fx.catalog, { name: 'Delta', slug: 'delta' });
    const bad = await store('categories', 'set-slug', 'gamma', 'Not OK!');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Use lower-case letters (a–z), digits and single dashes');
    expect((await store('categories', 'set-slug', 'gamma', 'delta')).stderr).toContain('“Delta” already has this slug.');
    expect((await store('categories', 'rename', 'gamma', '  ')).stderr).toContain('Please give the category a name.');
    expect((await store('categories', 'rename', 'nope', 'X')).stderr).toContain('There is no category nope.');
    expect((await store('categories', 'move', 'gamma', 'left')).code).toBe(2);
    expect(await row(c.id)).toMatchObject({ slug: 'gamma', name: 'Gamma' });
    expect(await auditRowsFor(db, 'gamma')).toEqual([]);
  });
});
