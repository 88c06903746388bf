import { describe, expect, it } from 'vitest';
import { priceLines } from '../orders/pricing.js';
import { gatewayItems, type PricedCart } from './checkout.pricing.js';
import { parseBilling, billingForm } from './checkout.billing.js';
import { ValidationError } from '../platform/errors.js';

const product = (name: string, price: number) =>
  ({
    id: 1,
    sku: name,
    name,
    type: 'key',
    active: true,
    price,
    currency: 'EUR',
    downloadLimit: null,
    accessDays: null,
    activationLimit: null,
    taxCategory: 'standard',
  }) as const;

function priced(lines: Array<[price: number, quantity: number, discount: number]>, rateBp: number, pricesIncludeTax: boolean): PricedCart {
  const quote = priceLines(
    lines.map(([unitPrice, quantity, discount]) => ({ unitPrice, quantity, discount, rateBp })),
    { pricesIncludeTax, reverseCharge: false },
  );
  return {
    lines: lines.map(([price, quantity], i) => ({ product: product(`P${i}`, price), quantity, amounts: quote.lines[i]! })),
    quote,
    currency: 'EUR',
    billing: { name: 'A', country: 'FR' },
    pricesIncludeTax,
    reverseCharge: false,
    code: null,
  };
}

const sum = (items: Array<{ unitAmount: number; quantity: number }>) => items.reduce((n, i) => n + i.unitAmount * i.quantity, 0);

describe('gatewayItems', () => {
  it('sends each line at its gross, by unit when it divides, else as one item: the total is the order total', () => {
    const p = priced(
      [
        [1000, 3, 0],
        [999, 3, 300],
      ],
      2000,
      false,
    );
    const { lineItems, automaticTax } = gatewayItems(p, false);
    expect(automaticTax).toBeUndefined();
    expect(lineItems).toEqual([
      { name: 'P0', unitAmount: 1200, quantity: 3, tax: 600, description: 'incl. 20 % tax' },
      { name: 'P1 × 3', unitAmount: 3236, quantity: 1, tax: 539, description: 'incl. 20 % tax' },
    ]);
    expect(sum(lineItems)).toBe(p.quote.total);
  });

  it('with automatic tax sends the amounts before tax with their tax behaviour and the buyer’s country', () => {
    const { lineItems, automaticTax } = gatewayItems(priced([[999, 3, 300]], 2000, false), true);
    expect(automaticTax).toEqual({ country: 'FR' });
    expect(lineItems).toEqual([{ name: 'P0', unitAmount: 899, quantity: 3, taxBehavior: 'exclusive' }]);
    expect(gatewayItems(priced([[1190, 2, 0]], 1900, true), true).lineItems).toEqual([
      { name: 'P0', unitAmount: 1190, quantity: 2, taxBehavior: 'inclusive' },
    ]);
  });
});

describe('parseBilling', () => {
  it('normalises the country and VAT ID and drops empty optional fields', () => {
    const form = billingForm({ billingName: ' Ada ', billingCountry: 'fr', billingVatId: 'fr 12.345-678901', billingCompany: ' ' });
    expect(parseBilling(form, { forOrder: true })).toEqual({ name: 'Ada', country: 'FR', vatId: 'FR12345678901' });
  });

  it('names every bad field', () => {
    const form = billingForm({ billingName: '', billingCountry: 'EU', billingVatId: '12' });
    const err = (() => {
      try {
        parseBilling(form, { forOrder: true });
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(Object.keys(err.details!.fields as object).sort()).toEqual(['billingCountry', 'billingName', 'billingVatId']);
    expect(() => parseBilling(billingForm({ billingCountry: 'DE' }), { forOrder: false })).not.toThrow();
  });
});
