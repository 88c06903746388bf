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
