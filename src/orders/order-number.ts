/** How people see an order: `#1042`, the shop's short number (the random id stays in URLs). */
export function formatOrderNumber(orderNumber: number | string): string {
  return `#${orderNumber}`;
}
