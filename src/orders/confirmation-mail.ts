import type { OrderItemRow, OrderRow } from './orders.types.js';
import { formatInvoiceNumber, formatOrderNumber } from './order-number.js';
import { mailLook, type MailBlock, type MailItemRow, type MailSettings } from '../platform/mail/mail-blocks.js';
import { renderMail } from '../platform/mail/mail.view.js';
import { formatMoney } from '../platform/money.js';

/** A delivered key in clear, for a receipt only when the owner mails keys (MAIL_INCLUDE_KEYS). */
export interface MailedKey {
  itemId: number;
  unit: number;
  key: string;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The bought lines of an order and its totals, as the receipt and the refund notice show them. */
export function orderItemsBlock(order: OrderRow, items: OrderItemRow[]): Extract<MailBlock, { type: 'items' }> {
  const money = (minor: number) => formatMoney(minor, order.currency);
  const rows: MailItemRow[] = items.map((i) => ({
    name: i.name,
    detail: i.sku,
    quantity: i.quantity,
    amount: money(i.unit_price * i.quantity),
  }));
  const included = order.total === order.subtotal;
  return {
    type: 'items',
    rows,
    totals: [
      ...(order.tax > 0 && !included ? [{ label: 'Subtotal', value: money(order.subtotal) }] : []),
      ...(order.tax > 0 ? [{ label: `Tax${included ? ' (included)' : ''}`, value: money(order.tax) }] : []),
      { label: 'Total', value: money(order.total), strong: true },
    ],
  };
}

/**
 * The receipt for a paid order. It links to the order page rather than carrying keys unless the
 * owner turned MAIL_INCLUDE_KEYS on: mail is not a safe place for secrets, and the page logs each
 * reveal. Download links are never mailed: each lives minutes (DOWNLOAD_LINK_MINUTES).
 */
export function confirmationMail(
  order: OrderRow,
  items: OrderItemRow[],
  delivered: boolean,
  settings: MailSettings,
  keys: MailedKey[] = [],
) {
  const number = formatOrderNumber(order.order_number);
  const orderUrl = `${settings.publicUrl}/orders/${order.id}`;
  const byItem = new Map(items.map((i) => [i.id, i]));
  const hasFiles = items.some((i) => i.type === 'file');
  // A free order (a code took off everything) was never paid: no payment to speak of.
  const free = order.total === 0;
  const blocks: MailBlock[] = [
    { type: 'heading', text: `Thank you for your order ${number}` },
    {
      type: 'paragraph',
      text: free
        ? `Your order is complete: the code ${order.discount_code ?? ''} took off the whole total, so nothing was charged.`
        : `We received your payment of ${formatMoney(order.total, order.currency)}.`,
    },
    {
      type: 'facts',
      rows: [
        ['Order', number],
        ...(order.invoice_number ? [['Invoice', formatInvoiceNumber(order.invoice_number, order.invoice_series)] as [string, string]] : []),
        ['Date', day(order.paid_at ?? order.created_at)],
      ],
    },
    orderItemsBlock(order, items),
  ];
  if (!delivered) {
    blocks.push({
      type: 'paragraph',
      text: 'Your payment arrived after the reservation ended. We are sorting this out and will write to you; your order page shows its state.',
    });
  } else if (keys.length > 0) {
    blocks.push({
      type: 'codes',
      title: 'Your license keys',
      codes: keys.map((k) => {
        const item = byItem.get(k.itemId);
        const many = (item?.quantity ?? 1) > 1;
        return { label: `${item?.name ?? 'Key'}${many ? ` (${k.unit + 1} of ${item!.quantity})` : ''}`, value: k.key };
      }),
    });
    if (hasFiles) blocks.push({ type: 'paragraph', text: 'Your downloads are ready on your order page.' });
  } else {
    blocks.push({ type: 'paragraph', text: 'Your license keys and downloads are ready on your order page.' });
  }
  blocks.push(
    { type: 'button', label: `View order ${number}`, href: orderUrl },
    { type: 'note', text: 'Keep this mail as your receipt. The invoice can be downloaded from the order page.' },
  );
  return renderMail(
    order.email,
    `[${settings.shopName}] Order ${number} — ${free ? 'order complete' : 'payment received'}`,
    blocks,
    mailLook(settings),
  );
}
