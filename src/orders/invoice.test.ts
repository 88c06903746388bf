import { describe, expect, it } from 'vitest';
import { buildInvoice } from './invoice.js';
import type { OrderItemRow, OrderRow } from './orders.repo.js';

const order = {
  id: 'ord_1',
  order_number: 1042,
  invoice_number: 7,
  currency: 'EUR',
  subtotal: 3000,
  tax: 0,
  total: 3000,
  email: 'a@b.example',
  created_at: 0,
  paid_at: 0,
} as unknown as OrderRow & { invoice_number: number };
const item = (refunded: number) =>
  ({ name: 'Kit', sku: 'KIT', quantity: 3, unit_price: 1000, refunded_quantity: refunded }) as unknown as OrderItemRow;
const seller = { name: 'Shop', addressLines: [], taxId: '' };

describe('the invoice’s refund note', () => {
  it('counts refunded units in words that agree with the number', () => {
    expect(buildInvoice(order, [item(1)], seller).refundNote).toMatch(/^1 unit of this order was refunded;/);
    expect(buildInvoice(order, [item(2)], seller).refundNote).toMatch(/^2 units of this order were refunded;/);
    expect(buildInvoice(order, [item(0)], seller).refundNote).toBeNull();
  });
});

describe('a business invoice', () => {
  const lines = [
    {
      name: 'Kit',
      sku: 'KIT',
      quantity: 3,
      unit_price: 1000,
      refunded_quantity: 1,
      discount: 100,
      tax_rate_bp: 1900,
      net: 2437,
      tax: 463,
      gross: 2900,
    },
    {
      name: 'Book',
      sku: 'BOOK',
      quantity: 1,
      unit_price: 1070,
      refunded_quantity: 0,
      discount: 0,
      tax_rate_bp: 700,
      net: 1000,
      tax: 70,
      gross: 1070,
    },
  ] as unknown as OrderItemRow[];
  const business = {
    ...order,
    subtotal: 4070,
    tax: 533,
    total: 3970,
    status: 'partially_refunded',
    invoice_series: 'INV-2026-',
    billing_name: 'Ada Buyer',
    billing_company: 'Buyer GmbH',
    billing_address: 'Street 1\n1010 Wien',
    billing_country: 'AT',
    billing_vat_id: 'ATU12345678',
    discount_code: 'SPRING',
    prices_include_tax: 1,
    reverse_charge: 0,
  } as unknown as OrderRow & { invoice_number: number };

  it('names the buyer, prints each line and a tax summary per rate, totals as the sums of the lines', () => {
    const inv = buildInvoice(business, lines, seller, [
      { printed: 'CN-2026-000001', path: '/orders/ord_1/credit-notes/CN-2026-000001', total: 966 },
    ]);
    expect(inv.number).toBe('INV-2026-000007');
    expect(inv.buyer).toEqual(['Ada Buyer', 'Buyer GmbH', 'Street 1', '1010 Wien', 'Austria', 'VAT ID: ATU12345678', 'a@b.example']);
    expect(inv.lines[0]).toMatchObject({ discount: '−€1.00', net: '€24.37', rate: '19%', tax: '€4.63', gross: '€29.00', refunded: 1 });
    expect(inv.byRate).toEqual([
      { rate: '7%', net: '€10.00', tax: '€0.70', gross: '€10.70' },
      { rate: '19%', net: '€24.37', tax: '€4.63', gross: '€29.00' },
    ]);
    expect([inv.net, inv.tax, inv.total]).toEqual(['€34.37', '€5.33', '€39.70']);
    expect(inv.discountCode).toBe('SPRING');
    expect(inv.reverseChargeNote).toBeNull();
    expect(inv.refunds).toEqual({ refunded: '−€9.66', netTotal: '€30.04' });
    expect(inv.creditNotes).toEqual([{ number: 'CN-2026-000001', path: '/orders/ord_1/credit-notes/CN-2026-000001', total: '€9.66' }]);
  });

  it('says why no VAT is charged under the reverse charge', () => {
    const rc = lines.map((l) => ({ ...l, tax: 0, tax_rate_bp: 0, gross: l.net }));
    const inv = buildInvoice({ ...business, reverse_charge: 1 }, rc, seller);
    expect(inv.reverseChargeNote).toBe('Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC)');
    expect(inv.tax).toBe('€0.00');
    // Inclusive prices lost their VAT: the note says why the net is less than price − discount.
    expect(inv.taxNote).toBe('Unit prices include VAT; under the reverse charge the VAT they include is deducted from the net.');
    expect(buildInvoice({ ...business, reverse_charge: 1, prices_include_tax: 0 }, rc, seller).taxNote).toBe('');
  });

  it('reconciles price − discount with the net under the reverse charge: the VAT the prices included, deducted', () => {
    const rc = lines.map((l) => ({ ...l, tax: 0, tax_rate_bp: 0, gross: l.net }));
    // 3 × €10.00 − €1.00 + €10.70 = €39.70 as priced; €34.37 paid: €5.33 of VAT taken out.
    expect(buildInvoice({ ...business, reverse_charge: 1 }, rc, seller).deducted).toEqual({ prices: '€39.70', vat: '−€5.33' });
    // Nothing to reconcile when VAT was charged, or when prices were net of it.
    expect(buildInvoice(business, lines, seller).deducted).toBeNull();
    expect(buildInvoice({ ...business, reverse_charge: 1, prices_include_tax: 0 }, rc, seller).deducted).toBeNull();
  });

  it('states the date of supply: the day the payment settled and the goods were delivered', () => {
    const paid = { ...business, created_at: Date.UTC(2026, 11, 30, 23), paid_at: Date.UTC(2026, 11, 31, 9) };
    expect(buildInvoice(paid, lines, seller)).toMatchObject({ date: '2026-12-31', supplyDate: '2026-12-31' });
  });

  it('names the billing country', () => {
    expect(buildInvoice(business, lines, seller).buyer).toContain('Austria');
  });
});
