/** A line's amounts as an order item stores them (null net/gross: an order from before 021). */
export interface TaxedItem {
  id: number;
  net: number | null;
  tax: number;
  gross: number | null;
  tax_rate_bp: number;
}

/** A line's amounts after the gateway's tax replaced the store's. */
export interface RetaxedItem {
  id: number;
  net: number;
  tax: number;
  gross: number;
  tax_rate_bp: number;
}

/**
 * The lines of an order whose tax the gateway computed (automatic tax) with `tax` spread over them,
 * so the invoice, whose totals are the sums of its lines, says what the buyer paid. Each line gets a
 * share in proportion to the store's own tax on it (its net when the store charged none), largest
 * remainder first; its rate is the one that tax implies on its net. With inclusive prices each
 * line's gross stays and its net gives way; with exclusive ones the net stays and the gross grows.
 * Null for lines from before 021 (no per-line amounts to correct).
 */
export function spreadGatewayTax(items: readonly TaxedItem[], tax: number, pricesIncludeTax: boolean): RetaxedItem[] | null {
  if (items.some((i) => i.net == null || i.gross == null)) return null;
  const storeTax = items.reduce((n, i) => n + i.tax, 0);
  const weights = items.map((i) => BigInt(Math.max(0, storeTax > 0 ? i.tax : i.net!)));
  const sum = weights.reduce((a, b) => a + b, 0n);
  const total = BigInt(Math.max(0, tax));
  const shares = weights.map((w) => (sum === 0n ? 0n : (total * w) / sum));
  let left = sum === 0n ? 0n : total - shares.reduce((a, b) => a + b, 0n);
  const order = weights
    .map((w, i) => ({ i, r: sum === 0n ? 0n : (total * w) % sum }))
    .sort((x, y) => (x.r === y.r ? x.i - y.i : x.r > y.r ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    shares[i]! += 1n;
    left -= 1n;
  }
  return items.map((item, i) => {
    const lineTax = Number(shares[i]);
    const net = pricesIncludeTax ? item.gross! - lineTax : item.net!;
    const gross = pricesIncludeTax ? item.gross! : item.net! + lineTax;
    const rateBp = net > 0 ? Math.round((lineTax * 10_000) / net) : item.tax_rate_bp;
    return { id: item.id, net, tax: lineTax, gross, tax_rate_bp: rateBp };
  });
}
