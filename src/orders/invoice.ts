import { countryName } from '../platform/countries.js';
import { formatMoney } from '../platform/money.js';
import { plural, pluralWord } from '../platform/plural.js';
import { formatInvoiceNumber, formatOrderNumber, formatRate } from './order-number.js';
import type { OrderItemRow, OrderRow } from './orders.repo.js';
import { refundedOfOrder } from './unit-amounts.js';

export interface Seller {
  name: string;
  addressLines: string[];
  taxId: string;
}

/** The note an invoice and a credit note carry when the buyer accounts for the VAT. */
export const REVERSE_CHARGE_NOTE = 'Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC)';

/** Everything an invoice shows, already formatted: the HTML page and the PDF print the same thing. */
export interface InvoiceData {
  /** as printed, e.g. `INV-2026-000123` (`INV-0007` before series) */
  number: string;
  /** the order as people read it, e.g. `#1042` */
  orderNumber: string;
  /** the order's random id, for links only */
  orderId: string;
  /** ISO date of payment */
  date: string;
  /** ISO date of supply (German and EU law ask for it): digital goods are delivered when the payment settles */
  supplyDate: string;
  seller: Seller;
  /** the buyer's billing name, company, address lines, country, VAT ID and email, as lines */
  buyer: string[];
  lines: Array<{
    description: string;
    sku: string;
    quantity: number;
    unitPrice: string;
    discount: string;
    net: string;
    rate: string;
    tax: string;
    gross: string;
    refunded: number;
  }>;
  /** whether the lines carry their own net, rate and tax (orders from 021 on); older ones print unit price × quantity */
  perLine: boolean;
  discountCode: string | null;
  /** the tax summary, one row per rate (empty for an order from before per-line taxes) */
  byRate: Array<{ rate: string; net: string; tax: string; gross: string }>;
  /**
   * Under the reverse charge with tax-inclusive prices: the lines' price after discounts and the VAT
   * taken out of it, so that the totals reconcile with unit price × quantity − discount; else null
   */
  deducted: { prices: string; vat: string } | null;
  net: string;
  tax: string;
  total: string;
  taxNote: string;
  reverseChargeNote: string | null;
  refundNote: string | null;
  /** what was refunded and what the order comes to after it; null when nothing was */
  refunds: { refunded: string; netTotal: string } | null;
  creditNotes: Array<{ number: string; path: string; total: string }>;
}

// The billing country is stored as its ISO code; an invoice names it ("France", not "FR").
const countryOf = (code: string | null) => (code && /^[A-Z]{2}$/.test(code) ? countryName(code) : code);

/** The buyer as an invoice names them: billing details when given, the email always. */
export function buyerLines(order: OrderRow): string[] {
  return [
    order.billing_name,
    order.billing_company,
    ...(order.billing_address ?? '').split(/\r?\n/),
    countryOf(order.billing_country),
    order.billing_vat_id ? `VAT ID: ${order.billing_vat_id}` : null,
    order.email,
  ]
    .map((l) => l?.trim() ?? '')
    .filter(Boolean);
}

/**
 * What the prices and the tax columns mean. Under the reverse charge with tax-inclusive prices the
 * net is less than price − discount: without saying so a business buyer would see lines that do not add up.
 */
function taxNoteOf(tax: number, inclusive: boolean, reverseCharge: boolean): string {
  if (reverseCharge)
    return inclusive ? 'Unit prices include VAT; under the reverse charge the VAT they include is deducted from the net.' : '';
  return tax === 0 ? 'No tax charged.' : `Tax ${inclusive ? 'included in the prices' : 'added to the prices'}.`;
}

/** Whether the order's prices included tax (orders from before 021 recorded no mode: their totals tell). */
export function pricesIncludeTax(order: Pick<OrderRow, 'prices_include_tax' | 'total' | 'subtotal'>): boolean {
  return order.prices_include_tax === null ? order.total === order.subtotal : order.prices_include_tax === 1;
}

/**
 * Under the reverse charge with tax-inclusive prices, the lines' prices after discounts and the VAT
 * they included that was deducted (what checkout showed); null otherwise, or for lines from before 021.
 */
export function reverseChargeDeduction(
  order: Pick<OrderRow, 'prices_include_tax' | 'total' | 'subtotal' | 'reverse_charge'>,
  items: Array<Pick<OrderItemRow, 'unit_price' | 'quantity' | 'discount' | 'gross'>>,
): { prices: number; vat: number } | null {
  if (order.reverse_charge !== 1 || !pricesIncludeTax(order) || items.some((i) => i.gross == null)) return null;
  const prices = items.reduce((n, i) => n + i.unit_price * i.quantity - i.discount, 0);
  const paid = items.reduce((n, i) => n + i.gross!, 0);
  return prices > paid ? { prices, vat: prices - paid } : null;
}

/** The invoice of a paid order (callers check it has a number); its totals are the sums of its lines. */
export function buildInvoice(
  order: OrderRow & { invoice_number: number },
  items: OrderItemRow[],
  seller: Seller,
  creditNotes: Array<{ printed: string; path: string; total: number }> = [],
): InvoiceData {
  const money = (n: number) => formatMoney(n, order.currency);
  const refundedUnits = items.reduce((n, i) => n + i.refunded_quantity, 0);
  // Lines from before 021 carry no net/gross: the line is unit price × quantity, the order's tax as it was.
  const perLine = items.every((i) => i.net != null && i.gross != null);
  const lines = items.map((i) => ({
    description: i.name,
    sku: i.sku,
    quantity: i.quantity,
    unitPrice: money(i.unit_price),
    discount: i.discount ? `−${money(i.discount)}` : '',
    net: perLine ? money(i.net!) : '',
    rate: perLine ? formatRate(i.tax_rate_bp) : '',
    tax: perLine ? money(i.tax) : '',
    gross: money(perLine ? i.gross! : i.unit_price * i.quantity),
    refunded: i.refunded_quantity,
  }));
  const sum = (pick: (i: OrderItemRow) => number) => items.reduce((n, i) => n + pick(i), 0);
  const totals = perLine
    ? { net: sum((i) => i.net!), tax: sum((i) => i.tax), total: sum((i) => i.gross!) }
    : { net: order.total - order.tax, tax: order.tax, total: order.total };
  const rates = perLine ? [...new Set(items.map((i) => i.tax_rate_bp))].sort((a, b) => a - b) : [];
  const refunded = refundedOfOrder(
    order,
    items,
    creditNotes.reduce((n, c) => n + c.total, 0),
  ).total;
  const inclusive = pricesIncludeTax(order);
  const deducted = reverseChargeDeduction(order, items);
  const date = new Date(order.paid_at ?? order.created_at).toISOString().slice(0, 10);
  return {
    number: formatInvoiceNumber(order.invoice_number, order.invoice_series),
    orderNumber: formatOrderNumber(order.order_number),
    orderId: order.id,
    date,
    supplyDate: date,
    seller,
    buyer: buyerLines(order),
    lines,
    perLine,
    discountCode: order.discount_code,
    byRate: rates.map((rateBp) => {
      const of = items.filter((i) => i.tax_rate_bp === rateBp);
      const n = (pick: (i: OrderItemRow) => number) => money(of.reduce((s, i) => s + pick(i), 0));
      return { rate: formatRate(rateBp), net: n((i) => i.net!), tax: n((i) => i.tax), gross: n((i) => i.gross!) };
    }),
    deducted: deducted && { prices: money(deducted.prices), vat: `−${money(deducted.vat)}` },
    net: money(totals.net),
    tax: money(totals.tax),
    total: money(totals.total),
    taxNote: taxNoteOf(totals.tax, inclusive, order.reverse_charge === 1),
    reverseChargeNote: order.reverse_charge ? REVERSE_CHARGE_NOTE : null,
    refundNote:
      refundedUnits > 0
        ? `${plural(refundedUnits, { one: 'unit', other: 'units' })} of this order ${pluralWord(refundedUnits, { one: 'was', other: 'were' })} refunded; see the credit notes below.`
        : null,
    refunds: refunded > 0 ? { refunded: `−${money(refunded)}`, netTotal: money(order.total - refunded) } : null,
    creditNotes: creditNotes.map((c) => ({ number: c.printed, path: c.path, total: money(c.total) })),
  };
}
