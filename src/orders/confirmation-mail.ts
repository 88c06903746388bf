import type { OrderItemRow, OrderRow } from './orders.types.js';
import { formatMoney } from '../platform/money.js';

/**
 * The order confirmation. It links to the order page rather than carrying keys: mail is not a safe
 * place for secrets, and the page logs each reveal.
 */
export function confirmationMail(
  order: OrderRow,
  items: OrderItemRow[],
  delivered: boolean,
  { publicUrl, shopName }: { publicUrl: string; shopName: string },
) {
  const lines = items.map((i) => `  ${i.quantity} × ${i.name} (${i.sku})  ${formatMoney(i.unit_price * i.quantity, order.currency)}`);
  const next = delivered
    ? 'Your license keys and downloads are ready on your order page:'
    : 'Your payment arrived after the reservation ended. We are sorting this out and will write to you; your order page shows its state:';
  return {
    recipient: order.email,
    subject: `[${shopName}] Order ${order.id} — payment received`,
    textBody: [
      `Thank you for your order at ${shopName}.`,
      '',
      `Order ${order.id}${order.invoice_number ? `, invoice ${order.invoice_number}` : ''}`,
      ...lines,
      `  Total: ${formatMoney(order.total, order.currency)}`,
      '',
      next,
      `${publicUrl}/orders/${order.id}`,
      '',
    ].join('\n'),
  };
}
