import { grossUnitAmount } from './pricing.js';

/** The columns of a line that say what it was paid. */
export interface PaidLine {
  unit_price: number;
  quantity: number;
  refunded_quantity: number;
  tax_rate_bp: number;
  net: number | null;
  tax: number;
  gross: number | null;
}

/** The order's totals, for lines from before 021 (null net/gross), which are priced from them. */
export interface PaidTotals {
  subtotal: number;
  tax: number;
  total: number;
}

/** Minor units of some units of a line: net + tax = gross. */
export interface Amounts {
  net: number;
  tax: number;
  gross: number;
}

/** A part of an amount that is tax, by the order's share of tax in its total (lines from before 021, amount-only refunds). */
export function taxShare(gross: number, order: PaidTotals): number {
  return order.total <= 0 ? 0 : Math.round((gross * order.tax) / order.total);
}

/**
 * What units [from, from + units) of a line were paid, in minor units. Each unit is the line's gross
 * and tax divided by its quantity, rounded down; the last unit also takes the remainders, so refunding
 * a line in full gives back exactly its gross. A line from before 021 (null gross) counts each unit at
 * its share of the order's total, as refunds always did, with the order's share of tax.
 */
export function unitAmounts(line: PaidLine, order: PaidTotals, from: number, units: number): Amounts {
  if (units <= 0) return { net: 0, tax: 0, gross: 0 };
  if (line.gross == null || line.net == null) {
    const gross = units * grossUnitAmount(line.unit_price, order);
    const tax = taxShare(gross, order);
    return { net: gross - tax, tax, gross };
  }
  const q = Math.max(1, line.quantity);
  const unitGross = Math.floor(line.gross / q);
  const unitTax = Math.floor(line.tax / q);
  const last = from + units >= q;
  const gross = units * unitGross + (last ? line.gross - q * unitGross : 0);
  const tax = units * unitTax + (last ? line.tax - q * unitTax : 0);
  return { net: gross - tax, tax, gross };
}

/** What the units refunded so far of a line came to. */
export const refundedOfLine = (line: PaidLine, order: PaidTotals): number => unitAmounts(line, order, 0, line.refunded_quantity).gross;

/** The gross of the next unit of a line to refund (what one more unit would give back). */
export const nextUnitGross = (line: PaidLine, order: PaidTotals): number => unitAmounts(line, order, line.refunded_quantity, 1).gross;

/**
 * What was refunded of an order: all of it once `refunded`, else the refunded units' amounts or
 * the credit notes' total, whichever is more (a gateway refund of an amount returns no units).
 */
export function refundedOfOrder(
  order: PaidTotals & { status: string },
  lines: PaidLine[],
  creditNotesTotal = 0,
): { perLine: number[]; total: number } {
  const perLine = lines.map((l) => refundedOfLine(l, order));
  const units = perLine.reduce((a, b) => a + b, 0);
  const total = order.status === 'refunded' ? order.total : Math.min(order.total, Math.max(units, creditNotesTotal));
  return { perLine, total };
}
