import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditService } from '../../src/audit/audit.service.js';
import type { CheckoutTax } from '../../src/checkout/checkout.types.js';
import { AppError } from '../../src/platform/errors.js';
import { EU_STANDARD_RATES } from '../../src/platform/db/migrations/021-tax-discounts-credit-notes.js';
import { createTaxService, type TaxService } from '../../src/tax/tax.service.js';
import type { VatIdVerifier } from '../../src/tax/tax.verifier.js';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/database.js';
import { testConfig } from '../support/env.js';

const NOW = Date.parse('2026-06-15T12:00:00Z');
const owner = { sub: 'owner-1', email: 'owner@example.com' };

/** The AppError a promise rejects with (its code, status and field messages). */
async function refusal(p: Promise<unknown>) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return {
    code: err.code,
    status: err.status,
    field: err.details?.field,
    fields: err.details?.fields as Record<string, string> | undefined,
    message: err.message,
  };
}

describe.each(testDialects)('tax service on %s', (dialect) => {
  let db: TestDatabase;
  let tax: TaxService;
  let now = NOW;
  const clock = () => now;
  const service = (env: Record<string, string>, verifier?: VatIdVerifier) =>
    createTaxService({ db, config: testConfig(env), clock, audit: createAuditService({ db, clock }), ...(verifier ? { verifier } : {}) });
  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    tax = service({ SELLER_COUNTRY: 'DE', PRICES_INCLUDE_TAX: 'false' });
  });
  afterAll(() => db.drop());
  const auditLog = async () =>
    (await createAuditService({ db }).listEntries(1)).entries.map(({ action, subject }) => ({ action, subject }));

  it('is the checkout’s tax, with the owner’s choice of inclusive prices', () => {
    const checkoutTax: CheckoutTax = tax;
    expect(checkoutTax.pricesIncludeTax).toBe(false);
    expect(tax.enabled).toBe(true);
    expect(service({}).enabled).toBe(false);
  });

  it('ships the EU standard rates, each in force today', async () => {
    const list = await tax.list();
    const eu = list.filter((c) => c.eu);
    expect(eu).toHaveLength(27);
    const current = Object.fromEntries(eu.map((c) => [c.country, c.categories[0]!.current!.rateBp]));
    expect(current).toEqual(Object.fromEntries(EU_STANDARD_RATES.map(([c, bp]) => [c, bp])));
    expect(list.find((c) => c.country === 'GR')?.name).toBe('Greece');
  });

  it('assesses the buyer country’s rate, the reverse charge and no tax', async () => {
    expect(await tax.assess({ country: 'FR' }, ['standard'], NOW)).toEqual({ rates: { standard: 2000 }, reverseCharge: false });
    expect(await tax.assess({ country: 'de', vatId: 'DE 123 456 789' }, ['standard'], NOW)).toEqual({
      rates: { standard: 1900 },
      reverseCharge: false,
    });
    expect(await tax.assess({ country: 'FR', vatId: 'fr xx 123456789' }, ['standard', 'ebook'], NOW)).toEqual({
      rates: { standard: 0, ebook: 0 },
      reverseCharge: true,
    });
    expect(await tax.assess({ country: 'GR', vatId: 'EL123456789' }, ['standard'], NOW)).toEqual({
      rates: { standard: 0 },
      reverseCharge: true,
    });
    // No rows for the US (yet): 0; none for the ebook category in France: France's standard rate.
    expect(await tax.assess({ country: 'US' }, ['standard'], NOW)).toEqual({ rates: { standard: 0 }, reverseCharge: false });
    expect(await tax.assess({ country: 'FR' }, ['ebook'], NOW)).toEqual({ rates: { ebook: 2000 }, reverseCharge: false });
    // Before Estonia's 2025 rise there is no row at all.
    expect((await tax.assess({ country: 'EE' }, ['standard'], Date.parse('2025-06-30T00:00:00Z'))).rates.standard).toBe(0);
    // Tax off (no seller country): nothing, VAT ID or not.
    const off = service({});
    expect(await off.assess({ country: 'FR', vatId: 'FRXX123456789' }, ['standard'], NOW)).toEqual({
      rates: { standard: 0 },
      reverseCharge: false,
    });
    expect(await off.assess({ country: 'DE' }, ['standard'], NOW)).toEqual({ rates: { standard: 0 }, reverseCharge: false });
    // A seller outside the EU: the table alone.
    const swiss = service({ SELLER_COUNTRY: 'CH' });
    expect(await swiss.assess({ country: 'FR', vatId: 'FRXX123456789' }, ['standard'], NOW)).toEqual({
      rates: { standard: 2000 },
      reverseCharge: false,
    });
  });

  it('refuses an unknown country and a VAT ID of the wrong format, naming the field', async () => {
    const unknown = await refusal(tax.assess({ country: 'XX' }, ['standard'], NOW));
    expect(unknown).toMatchObject({ code: 'unknown_country', status: 400 });
    expect(unknown.fields?.country).toContain('country');
    expect(await refusal(tax.assess({ country: 'EL' }, ['standard'], NOW))).toMatchObject({ code: 'unknown_country' });
    const bad = await refusal(tax.assess({ country: 'NL', vatId: 'NL123456789' }, ['standard'], NOW));
    expect(bad).toMatchObject({ code: 'invalid_vat_id', status: 400 });
    expect(bad.field).toBe('vatId');
    expect(bad.fields?.vatId).toContain('NL followed by 9 digits, B and 2 digits');
    expect((await refusal(tax.assess({ country: 'DE', vatId: 'ATU12345678' }, ['standard'], NOW))).fields?.vatId).toMatch(/starts with DE/);
  });

  it('asks the verifier after the format: invalid refuses, unavailable keeps the ID', async () => {
    const asked: string[] = [];
    const verdicts: VatIdVerifier = {
      verify: (country, vatId) => {
        asked.push(`${country}:${vatId}`);
        return Promise.resolve(vatId.endsWith('9') ? 'invalid' : 'unavailable');
      },
    };
    const checked = service({ SELLER_COUNTRY: 'DE' }, verdicts);
    expect(await refusal(checked.assess({ country: 'FR', vatId: 'FRXX123456789' }, ['standard'], NOW))).toMatchObject({
      code: 'unknown_vat_id',
    });
    expect((await checked.assess({ country: 'FR', vatId: 'FRXX123456780' }, ['standard'], NOW)).reverseCharge).toBe(true);
    // A bad format never reaches the registry.
    await refusal(checked.assess({ country: 'FR', vatId: 'FR1' }, ['standard'], NOW));
    expect(asked).toEqual(['FR:FRXX123456789', 'FR:FRXX123456780']);
  });

  it('adds a rate from a day on, which a checkout on that day sees at once, and logs it', async () => {
    now = NOW;
    await tax.assess({ country: 'US' }, ['standard'], NOW); // fills the cache
    const row = await tax.addRate({ country: 'us', percent: '7.25', from: '2026-06-15', note: 'Sales tax' }, owner);
    expect(row).toMatchObject({ country: 'US', category: 'standard', rateBp: 725, validFrom: Date.parse('2026-06-15T00:00:00Z') });
    expect((await tax.assess({ country: 'US' }, ['standard'], NOW)).rates.standard).toBe(725);
    // A change from next year: this year keeps the old rate, the list shows it upcoming.
    await tax.addRate({ country: 'DE', percent: '21', from: '2027-01-01' }, owner);
    await tax.addRate({ country: 'DE', category: 'ebook', percent: '7', from: '2020-01-01' });
    expect((await tax.assess({ country: 'DE' }, ['standard', 'ebook'], NOW)).rates).toEqual({ standard: 1900, ebook: 700 });
    expect((await tax.assess({ country: 'DE' }, ['standard'], Date.parse('2027-01-01T00:00:00Z'))).rates.standard).toBe(2100);
    const de = (await tax.list()).find((c) => c.country === 'DE')!;
    expect(de.categories.map((c) => c.category)).toEqual(['standard', 'ebook']);
    expect(de.categories[0]!.rows.map((r) => [r.percent, r.from, r.state])).toEqual([
      ['21', '2027-01-01', 'upcoming'],
      ['19', '2021-01-01', 'current'],
    ]);
    expect(await tax.categories()).toEqual(['standard', 'ebook']);
    expect(await auditLog()).toEqual([
      { action: 'tax_rate.add', subject: 'DE/standard' },
      { action: 'tax_rate.add', subject: 'US/standard' },
    ]);
  });

  it('defaults the day to today and the category to standard', async () => {
    now = Date.parse('2026-07-04T18:30:00Z');
    const row = await tax.addRate({ country: 'CA', percent: '5', from: '', category: ' ' });
    expect(row).toMatchObject({ category: 'standard', validFrom: Date.parse('2026-07-04T00:00:00Z'), note: '' });
    now = NOW;
  });

  it('refuses every bad field at once, and a second row from the same day', async () => {
    const bad = await refusal(
      tax.addRate({ country: 'XX', category: 'E Books', percent: '101', from: '2026-02-30', note: 'n'.repeat(201) }),
    );
    expect(bad).toMatchObject({ code: 'invalid_tax_rate', status: 400 });
    expect(Object.keys(bad.fields!).sort()).toEqual(['category', 'country', 'from', 'note', 'percent']);
    expect(Object.keys((await refusal(tax.addRate({ country: 'DE', percent: '-1' }))).fields!)).toEqual(['percent']);
    expect((await refusal(tax.addRate({ country: 'EL', percent: '24' }))).fields?.country).toMatch(/Greece is GR/);
    const dup = await refusal(tax.addRate({ country: 'US', percent: '8', from: '2026-06-15' }));
    expect(dup).toMatchObject({ code: 'duplicate_tax_rate', status: 409 });
    expect(dup.fields?.from).toContain('US already has a standard rate from 2026-06-15');
  });

  it('removes a row: the one before holds again; an unknown one is not found', async () => {
    const us = (await tax.list()).find((c) => c.country === 'US')!.categories[0]!.current!;
    const removed = await tax.removeRate(us.id, owner);
    expect(removed.rateBp).toBe(725);
    expect((await tax.assess({ country: 'US' }, ['standard'], NOW)).rates.standard).toBe(0);
    expect((await tax.list()).some((c) => c.country === 'US')).toBe(false);
    expect(await refusal(tax.removeRate(us.id, owner))).toMatchObject({ code: 'tax_rate_not_found', status: 404 });
    expect((await auditLog())[0]).toEqual({ action: 'tax_rate.remove', subject: 'US/standard' });
  });
});
