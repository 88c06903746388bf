import { formatMoney } from '../platform/money.js';
import { plural, pluralWord } from '../platform/plural.js';
import { formatInvoiceNumber, formatOrderNumber } from './order-number.js';
import type { OrderItemRow, OrderRow } from './orders.repo.js';

export interface Seller {
  name: string;
  addressLines: string[];
  taxId: string;
}

/** Everything an invoice shows, already formatted: the HTML page and the PDF print the same thing. */
export interface InvoiceData {
  /** as printed, e.g. `INV-0007` */
  number: string;
  /** the order as people read it, e.g. `#1042` */
  orderNumber: string;
  /** the order's random id, for links only */
  orderId: string;
  /** ISO date of payment */
  date: string;
  seller: Seller;
  buyerEmail: string;
  lines: Array<{ description: string; sku: string; quantity: number; unitPrice: string; amount: string; refunded: number }>;
  net: string;
  tax: string;
  total: string;
  taxNote: string;
  refundNote: string | null;
}

/** The invoice of a paid order (callers check it has a number). */
export function buildInvoice(
  order: OrderRow & { invoice_number: number },
  items: OrderItemRow[],
  seller: Seller,
  taxRate: number,
): InvoiceData {
  const money = (n: number) => formatMoney(n, order.currency);
  const refunded = items.reduce((n, i) => n + i.refunded_quantity, 0);
  const inclusive = order.total === order.subtotal;
  return {
    number: formatInvoiceNumber(order.invoice_number),
    orderNumber: formatOrderNumber(order.order_number),
    orderId: order.id,
    date: new Date(order.paid_at ?? order.created_at).toISOString().slice(0, 10),
    seller,
    buyerEmail: order.email,
    lines: items.map((i) => ({
      description: i.name,
      sku: i.sku,
      quantity: i.quantity,
      unitPrice: money(i.unit_price),
      amount: money(i.unit_price * i.quantity),
      refunded: i.refunded_quantity,
    })),
    net: money(order.total - order.tax),
    tax: money(order.tax),
    total: money(order.total),
    taxNote: order.tax === 0 ? 'No tax charged.' : `${taxRate}% tax ${inclusive ? 'included in the prices' : 'added to the prices'}.`,
    refundNote:
      refunded > 0
        ? `${plural(refunded, { one: 'unit', other: 'units' })} of this order ${pluralWord(refunded, { one: 'was', other: 'were' })} refunded; see the order page for details.`
        : null,
  };
}
