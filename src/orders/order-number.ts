/** How people see an order: `#1042`, the shop's short number (the random id stays in URLs). */
export function formatOrderNumber(orderNumber: number | string): string {
  return `#${orderNumber}`;
}

/** How an invoice number is printed: `INV-0007` (the gap-free counter behind it is unchanged). */
export function formatInvoiceNumber(invoiceNumber: number): string {
  return `INV-${String(invoiceNumber).padStart(4, '0')}`;
}
