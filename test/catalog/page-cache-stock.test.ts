import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeCategory, makeKeyLimProduct } from '../support/factories.js';

// A kept page that shows a pool's count is shown again only while the pools still say the same: the
// page lives as long as the catalog allows, its stock never more than 2 s old.
describe.each(testDialects)('kept pages and the stock they show on %s', (dialect) => {
  let t: TestApp;
  let now = Date.now();

  beforeAll(async () => {
    t = await createTestApp(dialect, {}, () => now);
  });
  afterAll(() => t?.close());

  it('shows another instance’s sale on a kept category page within 2 s, and keeps the page while nothing changes', async () => {
    const f = catalogFixtures(t.db, () => now);
    await makeCategory(f.catalog, { slug: 'stock-shelf', name: 'Stock shelf' });
    const pool = await makeKeyLimProduct(f, 3, { name: 'Counted tool', categories: ['stock-shelf'] });
    const visit = () => t.app.inject('/category/stock-shelf');
    for (let i = 0; i < 2; i++) expect((await visit()).body).toContain('Only 3 left');

    // Sold by another instance: this one's caches know nothing of it.
    await t.db.kysely
      .updateTable('license_keys')
      .set({ status: 'sold', sold_at: now })
      .where('product_id', '=', pool.id)
      .where(
        'id',
        '=',
        (await t.db.kysely.selectFrom('license_keys').select('id').where('product_id', '=', pool.id).executeTakeFirstOrThrow()).id,
      )
      .execute();
    now += 1_000;
    let before = t.db.statementCount();
    expect((await visit()).body).toContain('Only 3 left');
    expect(t.db.statementCount()).toBe(before);
    now += 1_001;
    expect((await visit()).body).toContain('Only 2 left');

    // Unchanged: answered after one count of the pool, nothing else read.
    now += 5_000;
    before = t.db.statementCount();
    const again = await visit();
    expect(again.body).toContain('Only 2 left');
    expect(t.db.statementCount() - before).toBe(1);
  });
});
