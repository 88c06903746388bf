import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService } from '../../src/audit/audit.service.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { catalogFixtures, makeCategory, makeProduct, type CatalogFixtures } from '../support/factories.js';
import { freshCode } from '../discounts/discount-fixtures.js';
import { auditRowsFor, CLI_ACTOR, runStore } from './cli-harness.js';

/** `discounts create|list|disable`: the same service and messages as /admin/discounts. */
describe.each(testDialects)('discounts commands on %s', (dialect) => {
  let db: TestDatabase;
  let fx: CatalogFixtures;
  const store = (...argv: string[]) => runStore(argv, { db });
  const row = (code: string) => db.kysely.selectFrom('discount_codes').selectAll().where('code', '=', code).executeTakeFirst();

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    fx = catalogFixtures(db);
  });
  afterAll(() => db.drop());

  it('creates percentage and fixed codes, lists them with uses and state, and disables one', async () => {
    const p = await makeProduct(fx.catalog);
    const cat = await makeCategory(fx.catalog);
    const pct = freshCode('CLI');
    const fixed = freshCode('CLI');
    const made = await store('discounts', 'create', pct.toLowerCase(), '--percent', '12.5', '--max-uses', '10', '--ends', '2099-01-01');
    expect(made).toMatchObject({ code: 0, stdout: `Created ${pct} (active).\n` });
    const args = [
      '--amounts',
      'EUR 5.00, USD 6',
      '--products',
      p.sku,
      '--categories',
      cat.slug,
      '--min-subtotal',
      'EUR 30',
      '--per-buyer',
      '1',
    ];
    expect((await store('discounts', 'create', fixed, ...args)).code).toBe(0);
    expect(await row(fixed)).toMatchObject({
      kind: 'fixed',
      amounts: '{"EUR":500,"USD":600}',
      max_uses_per_buyer: 1,
      product_ids: `[${p.id}]`,
    });
    expect(await row(pct)).toMatchObject({ kind: 'percent', percent_bp: 1250, max_uses: 10 });

    // Three uses taken by orders: the list counts them against the limit.
    await db.kysely.updateTable('discount_codes').set({ uses: 3 }).where('code', '=', pct).execute();
    const listed = await store('discounts', 'list');
    expect(listed.stdout).toMatch(new RegExp(`${pct}\\s+12.5 %\\s+3 / 10\\s+active`));
    expect(listed.stdout).toMatch(new RegExp(`${fixed}\\s+EUR 5.00, USD 6.00\\s+0 / -\\s+active`));
    const json = JSON.parse((await store('discounts', 'list', '--json')).stdout) as Array<{ code: string; skus: string[]; uses: number }>;
    expect(json.find((d) => d.code === fixed)?.skus).toEqual([p.sku]);
    expect(json.find((d) => d.code === pct)).toMatchObject({ uses: 3, maxUses: 10, state: 'active' });

    expect((await store('discounts', 'disable', pct)).stdout).toBe(`Disabled ${pct}.\n`);
    expect((await store('discounts', 'disable', pct)).stdout).toBe(`${pct} was already disabled.\n`);
    expect((await row(pct))!.disabled_at).not.toBeNull();

    // /admin/audit shows each change as from the browser, with the command line as the actor; disabling twice records once.
    const [created, disabled, ...more] = await auditRowsFor(db, pct);
    expect(created).toMatchObject({ action: 'discount.create', ...CLI_ACTOR, after: { code: pct, kind: 'percent', percentBp: 1250 } });
    expect(disabled).toMatchObject({ action: 'discount.disable', ...CLI_ACTOR });
    expect(more).toEqual([]);
    // The page's own read: the newest entry names the command line where an owner's email would be.
    const { entries } = await createAuditService({ db }).listEntries(1);
    expect(entries[0]).toMatchObject({ action: 'discount.disable', subject: pct, actorEmail: CLI_ACTOR.actor_email });
  });

  it('refuses bad input with the form’s messages, creating nothing', async () => {
    const code = freshCode('BAD');
    const bad = await store('discounts', 'create', code, '--percent', '150', '--products', 'NOPE-1');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Give a percentage from 0.01 to 100');
    expect(bad.stderr).toContain('No product has the SKU NOPE-1');
    expect(await row(code)).toBeUndefined();
    expect(await auditRowsFor(db, code)).toEqual([]);
    const unknown = await store('discounts', 'create', code, '--percent', '10', '--products', 'NOPE-1');
    expect(unknown.stderr).toContain('No product has the SKU NOPE-1');
    expect((await store('discounts', 'disable', 'NO-SUCH-CODE')).code).toBe(1);
  });
});
