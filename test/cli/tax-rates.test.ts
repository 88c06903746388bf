import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { auditRowsFor, CLI_ACTOR, runStore, tempFile } from './cli-harness.js';

const NOW = Date.parse('2026-06-15T12:00:00Z');

/** The CLI's door to the tax service the admin page uses: the same rules, the same messages. */
describe.each(testDialects)('tax-rates commands on %s', (dialect) => {
  let db: TestDatabase;
  const store = (...argv: string[]) => runStore(argv, { db, clock: () => NOW, env: { SELLER_COUNTRY: 'DE' } });
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
  });
  afterAll(() => db.drop());

  it('lists the shipped rates, sets a rate from a day and removes it', async () => {
    const listed = await store('tax-rates', 'list');
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toMatch(/\n\d+\s+DE\s+standard\s+19 %\s+2021-01-01\s+current\s+EU standard rate\n/);

    const set = await store('tax-rates', 'set', 'us', '7.25', '--from', '2026-07-01', '--note', 'Sales tax');
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toMatch(/^US standard: 7\.25 % from 2026-07-01 \(row \d+\)\.\n$/);
    const today = await store('tax-rates', 'set', 'FR', '5,5', '--category', 'ebook');
    expect(today.stdout).toMatch(/^FR ebook: 5\.5 % from 2026-06-15 /);

    const json = JSON.parse((await store('tax-rates', 'list', '--json')).stdout) as Array<Record<string, unknown>>;
    const us = json.find((r) => r.country === 'US')!;
    expect(us).toMatchObject({ category: 'standard', percent: '7.25', from: '2026-07-01', state: 'upcoming', note: 'Sales tax' });
    expect(json.find((r) => r.country === 'FR' && r.category === 'ebook')).toMatchObject({ state: 'current' });

    expect((await store('tax-rates', 'remove', String(us.id))).stdout).toBe(
      `Removed row ${String(us.id)}: US standard 7.25 % from 2026-07-01.\n`,
    );
    const gone = await store('tax-rates', 'remove', String(us.id));
    expect(gone).toMatchObject({ code: 1 });
    expect(gone.stderr).toContain('There is no such tax rate.');

    // /admin/audit: the rows the tax page writes, the command line as actor.
    expect(await auditRowsFor(db, 'US/standard')).toEqual([
      {
        action: 'tax_rate.add',
        subject: 'US/standard',
        ...CLI_ACTOR,
        before: null,
        after: { percent: '7.25', from: '2026-07-01', note: 'Sales tax' },
      },
      {
        action: 'tax_rate.remove',
        subject: 'US/standard',
        ...CLI_ACTOR,
        before: { percent: '7.25', from: '2026-07-01', note: 'Sales tax' },
        after: null,
      },
    ]);
  });

  it('refuses a bad country, percent, day or category, and a second row from the same day', async () => {
    const cases: Array<[string[], string]> = [
      [['XX', '10'], 'Give a two-letter ISO country code'],
      [['DE', '101'], 'Give a percent from 0 to 100'],
      [['DE', '19.999'], 'Give a percent from 0 to 100'],
      [['DE', '--', '-5'], 'Give a percent from 0 to 100'],
      [['DE', '19', '--from', '2026-02-30'], 'Give the first day as YYYY-MM-DD'],
      [['DE', '19', '--category', 'Books!'], 'Use lower-case letters'],
      [['DE', '19', '--from', '2021-01-01'], 'DE already has a standard rate from 2021-01-01'],
    ];
    for (const [args, message] of cases) {
      const r = await store('tax-rates', 'set', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
    }
    expect((await store('tax-rates', 'remove', 'abc')).code).toBe(2);
    expect((await store('tax-rates', 'set', 'DE')).code).toBe(2);
  });

  it('imports products with a tax category (standard when the column is absent), kept by an update without it', async () => {
    const category = (sku: string) => db.kysely.selectFrom('products').select('tax_category').where('sku', '=', sku).executeTakeFirst();
    const csv = tempFile(
      'p.csv',
      'sku,name,price,currency,type,tax_category\nTAX-BOOK,Book,9.99,EUR,file,ebook\nTAX-APP,App,5,EUR,file,\n',
    );
    expect(await store('products', 'import', csv)).toMatchObject({ code: 0, stderr: '' });
    expect(await category('TAX-BOOK')).toEqual({ tax_category: 'ebook' });
    expect(await category('TAX-APP')).toEqual({ tax_category: 'standard' });
    const update = tempFile('u.csv', 'sku,price,currency\nTAX-BOOK,12,EUR\n');
    expect((await store('products', 'import', update, '--update')).code).toBe(0);
    expect(await category('TAX-BOOK')).toEqual({ tax_category: 'ebook' });
    const json = tempFile(
      'p.json',
      JSON.stringify({ products: [{ sku: 'TAX-BAD', name: 'Bad', price: 100, currency: 'EUR', type: 'file', taxCategory: 'E Books' }] }),
    );
    const bad = await store('products', 'import', json);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('products[0] (SKU TAX-BAD): tax category must be lower-case letters');
    // A well-formed category no rate names (ebook has the French row set above) is refused, new or updated; nothing is written.
    const typo = tempFile(
      't.csv',
      'sku,name,price,currency,type,tax_category\nTAX-NEW,New,1,EUR,file,ebook\nTAX-TYPO,Typo,1,EUR,file,Ebok\n',
    );
    const refused = await store('products', 'import', typo);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'line 3 (SKU TAX-TYPO): unknown tax category ebok (no tax rate names it; add one with tax-rates set first).',
    );
    expect(await category('TAX-NEW')).toBeUndefined();
    const retyped = await store('products', 'import', tempFile('r.csv', 'sku,tax_category\nTAX-BOOK,reduced\n'), '--update');
    expect(retyped.stderr).toContain('unknown tax category reduced');
    expect(await category('TAX-BOOK')).toEqual({ tax_category: 'ebook' });
  });

  it('says when tax is off', async () => {
    const r = await runStore(['tax-rates', 'list'], { db });
    expect(r.stdout).toMatch(/^Tax is off \(no SELLER_COUNTRY\)/);
  });
});
