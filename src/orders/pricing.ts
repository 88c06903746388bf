export interface PricedLine {
  unitPrice: number;
  quantity: number;
}

export interface Totals {
  /** sum of line totals at the shop's displayed prices */
  subtotal: number;
  tax: number;
  /** what the buyer pays */
  total: number;
}

/**
 * Order totals in minor units. With tax-inclusive prices the tax is the part of the total it
 * contains; otherwise it is added on top. Rounded once, on the order, never per line.
 */
export function priceOrder(lines: PricedLine[], { taxRate, pricesIncludeTax }: { taxRate: number; pricesIncludeTax: boolean }): Totals {
  const subtotal = lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  if (pricesIncludeTax) return { subtotal, tax: Math.round((subtotal * taxRate) / (100 + taxRate)), total: subtotal };
  const tax = Math.round((subtotal * taxRate) / 100);
  return { subtotal, tax, total: subtotal + tax };
}

/**
 * What one unit cost the buyer: its share of the order total, tax included. Refunds of whole units
 * (the owner's and the gateway's) count in this amount, so both sides agree on what was refunded.
 */
export function grossUnitAmount(unitPrice: number, order: { total: number; subtotal: number }): number {
  return Math.round((unitPrice * order.total) / Math.max(1, order.subtotal));
}
