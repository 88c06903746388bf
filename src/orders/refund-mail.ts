import type { OrderItemRow, OrderRow } from './orders.types.js';
import { formatOrderNumber } from './order-number.js';
import { unitAmounts } from './unit-amounts.js';
import { mailLook, type MailBlock, type MailSettings } from '../platform/mail/mail-blocks.js';
import { renderMail } from '../platform/mail/mail.view.js';
import { formatMoney } from '../platform/money.js';

/** One refund of an order, as the buyer is told about it. */
export interface RefundNotice {
  /** minor units paid back this time */
  amount: number;
  /** the units taken back this time; empty when the gateway refunded an amount that covers no whole unit */
  units: { itemId: number; units: number }[];
  /** minor units paid back so far, this refund included */
  refundedTotal: number;
  /** the credit note of this refund (absolute URL) */
  creditNoteUrl?: string | null;
}

/**
 * The notice a buyer gets when (part of) an order is refunded: what, how much, what the order now
 * costs and its credit note. `items` as they were before this refund (the amounts of the units it
 * took back start from the units refunded before).
 */
export function refundMail(order: OrderRow, items: OrderItemRow[], refund: RefundNotice, settings: MailSettings) {
  const money = (minor: number) => formatMoney(minor, order.currency);
  const number = formatOrderNumber(order.order_number);
  const byItem = new Map(items.map((i) => [i.id, i]));
  const full = refund.refundedTotal >= order.total;
  const rows = refund.units.flatMap(({ itemId, units }) => {
    const item = byItem.get(itemId);
    if (!item) return [];
    return [
      {
        name: item.name,
        detail: `${item.sku}, ${units} of ${item.quantity} refunded`,
        quantity: units,
        amount: money(unitAmounts(item, order, item.refunded_quantity, units).gross),
      },
    ];
  });
  const blocks: MailBlock[] = [
    { type: 'heading', text: `${full ? 'Your order was refunded' : 'Part of your order was refunded'}: ${number}` },
    {
      type: 'paragraph',
      text: `We refunded ${money(refund.amount)} to the way you paid. Your bank or card issuer may take a few days to show it.`,
    },
    {
      type: 'items',
      rows,
      totals: [
        { label: 'Refunded now', value: money(refund.amount) },
        { label: 'Paid', value: money(order.total) },
        ...(refund.refundedTotal !== refund.amount ? [{ label: 'Refunded in total', value: money(refund.refundedTotal) }] : []),
        { label: 'New order total', value: money(Math.max(0, order.total - refund.refundedTotal)), strong: true },
      ],
    },
  ];
  if (rows.length > 0) blocks.push({ type: 'paragraph', text: 'The license keys and downloads of the refunded items no longer work.' });
  blocks.push({ type: 'button', label: `View order ${number}`, href: `${settings.publicUrl}/orders/${order.id}` });
  if (refund.creditNoteUrl) blocks.push({ type: 'button', label: 'Credit note', href: refund.creditNoteUrl });
  blocks.push({ type: 'note', text: 'Keep this mail with your receipt. If you did not expect this refund, reply to this mail.' });
  return renderMail(order.email, `[${settings.shopName}] Order ${number} — ${money(refund.amount)} refunded`, blocks, mailLook(settings));
}
