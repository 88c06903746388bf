/**
 * What one unit cost the buyer: its share of the order total, tax included. Refunds of whole units
 * (the owner's and the gateway's) count in this amount, so both sides agree on what was refunded.
 */
export function grossUnitAmount(unitPrice: number, order: { total: number; subtotal: number }): number {
  return Math.round((unitPrice * order.total) / Math.max(1, order.subtotal));
}

/** One line to price: catalog unit price, quantity, the code's discount on the whole line, the buyer's rate. */
export interface LineInput {
  unitPrice: number;
  quantity: number;
  /** minor units off the line, at catalog prices (0 without a code) */
  discount: number;
  /** the rate of the buyer's country for the product's tax category, basis points (1900 = 19 %) */
  rateBp: number;
}

/** A priced line, in minor units: what the invoice prints. net + tax = gross. */
export interface LineAmounts {
  /** unitPrice × quantity */
  list: number;
  discount: number;
  /** the rate charged: 0 under the reverse charge */
  rateBp: number;
  net: number;
  tax: number;
  gross: number;
}

export interface Quote {
  lines: LineAmounts[];
  /** sum of list amounts */
  subtotal: number;
  discount: number;
  net: number;
  tax: number;
  /** what the buyer pays: the sum of the lines' gross */
  total: number;
  /** one row per rate charged, in rate order: the invoice's tax summary */
  byRate: Array<{ rateBp: number; net: number; tax: number; gross: number }>;
}

const half = (numerator: number, denominator: number) => Math.round(numerator / denominator);

/**
 * Prices lines in minor units, rounding each line's tax once (half up) so an invoice's totals are
 * exactly the sums of its lines. Tax-inclusive catalog prices are what a consumer pays in any
 * country (the net differs by rate); exclusive ones get the rate added. Under the reverse charge a
 * line carries no tax: with inclusive prices the tax the buyer's rate would have included is taken
 * out, so a business pays the same net as a consumer of its country.
 */
export function priceLines(
  lines: LineInput[],
  { pricesIncludeTax, reverseCharge }: { pricesIncludeTax: boolean; reverseCharge: boolean },
): Quote {
  const priced = lines.map(({ unitPrice, quantity, discount, rateBp }): LineAmounts => {
    const list = unitPrice * quantity;
    const after = list - discount;
    if (!pricesIncludeTax) {
      const tax = reverseCharge ? 0 : half(after * rateBp, 10_000);
      return { list, discount, rateBp: reverseCharge ? 0 : rateBp, net: after, tax, gross: after + tax };
    }
    const included = half(after * rateBp, 10_000 + rateBp);
    if (reverseCharge) return { list, discount, rateBp: 0, net: after - included, tax: 0, gross: after - included };
    return { list, discount, rateBp, net: after - included, tax: included, gross: after };
  });
  const sum = (pick: (l: LineAmounts) => number) => priced.reduce((n, l) => n + pick(l), 0);
  const rates = [...new Set(priced.map((l) => l.rateBp))].sort((a, b) => a - b);
  return {
    lines: priced,
    subtotal: sum((l) => l.list),
    discount: sum((l) => l.discount),
    net: sum((l) => l.net),
    tax: sum((l) => l.tax),
    total: sum((l) => l.gross),
    byRate: rates.map((rateBp) => {
      const of = priced.filter((l) => l.rateBp === rateBp);
      return {
        rateBp,
        net: of.reduce((n, l) => n + l.net, 0),
        tax: of.reduce((n, l) => n + l.tax, 0),
        gross: of.reduce((n, l) => n + l.gross, 0),
      };
    }),
  };
}
