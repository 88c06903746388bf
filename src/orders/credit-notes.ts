import { formatMoney } from '../platform/money.js';
import { formatOrderNumber, formatRate, formatSeriesNumber } from './order-number.js';
import type { Seller } from './invoice.js';
import { taxShare, unitAmounts, type PaidLine, type PaidTotals } from './unit-amounts.js';

/** A line of a credit note as stored (JSON in credit_notes.lines): what was given back. */
export interface CreditNoteLine {
  description: string;
  sku: string | null;
  /** units taken back; 0 for an amount that returned no unit */
  units: number;
  /** the line's rate in basis points; null when the order mixed rates (an amount-only line) */
  rateBp: number | null;
  net: number;
  tax: number;
  gross: number;
}

/** An item of the order, as the refund saw it before its units were counted refunded. */
export type RefundedItem = PaidLine & { id: number; sku: string; name: string };

/**
 * The lines of one refund: each item's units at what they were paid (unitAmounts, from the units
 * already refunded on), and whatever of `amount` the units do not cover as one more line ("Refund"
 * when no unit came back, else "Adjustment": a rounding difference of an order from before 021),
 * split by the order's share of tax. The lines always add up to `amount`.
 */
export function creditNoteLines(
  order: PaidTotals,
  items: RefundedItem[],
  units: Array<{ itemId: number; units: number }>,
  amount: number,
): CreditNoteLine[] {
  const byId = new Map(items.map((i) => [i.id, i]));
  const lines: CreditNoteLine[] = units.flatMap(({ itemId, units: n }) => {
    const item = byId.get(itemId);
    if (!item || n <= 0) return [];
    const a = unitAmounts(item, order, item.refunded_quantity, n);
    const rateBp = item.gross == null ? null : item.tax_rate_bp;
    return [{ description: item.name, sku: item.sku, units: n, rateBp, ...a }];
  });
  const rest = amount - lines.reduce((n, l) => n + l.gross, 0);
  if (rest === 0) return lines;
  const description = lines.length === 0 ? 'Refund' : 'Adjustment';
  const rates = [...new Set(items.map((i) => (i.gross == null ? null : i.tax_rate_bp)))];
  if (rates.length > 1 && !rates.includes(null)) return [...lines, ...perRate(description, rest, items)];
  const tax = taxShare(rest, order);
  lines.push({
    description,
    sku: null,
    units: 0,
    rateBp: rates.length === 1 ? (rates[0] ?? null) : null,
    net: rest - tax,
    tax,
    gross: rest,
  });
  return lines;
}

/**
 * An amount of an order that mixed rates, one line per rate: a reduction of the price has to be split
 * over the rates it was charged at (the buyer corrects the VAT of each), here by each rate's share of
 * the order's gross, and each part's tax by that rate's share of tax. The last rate takes the remainder.
 */
function perRate(description: string, amount: number, items: RefundedItem[]): CreditNoteLine[] {
  const byRate = new Map<number, { gross: number; tax: number }>();
  for (const i of items) {
    const r = byRate.get(i.tax_rate_bp) ?? { gross: 0, tax: 0 };
    byRate.set(i.tax_rate_bp, { gross: r.gross + i.gross!, tax: r.tax + i.tax });
  }
  const total = [...byRate.values()].reduce((n, r) => n + r.gross, 0);
  let left = amount;
  const entries = [...byRate].sort(([a], [b]) => a - b);
  return entries.flatMap(([rateBp, r], k) => {
    const gross = k === entries.length - 1 ? left : total <= 0 ? 0 : Math.trunc((amount * r.gross) / total);
    left -= gross;
    const tax = r.gross <= 0 ? 0 : Math.round((gross * r.tax) / r.gross);
    return gross === 0 ? [] : [{ description, sku: null, units: 0, rateBp, net: gross - tax, tax, gross }];
  });
}

/** A credit note's totals: the sums of its lines. */
export function creditNoteTotals(lines: CreditNoteLine[]) {
  const sum = (pick: (l: CreditNoteLine) => number) => lines.reduce((n, l) => n + pick(l), 0);
  return { net: sum((l) => l.net), tax: sum((l) => l.tax), total: sum((l) => l.gross) };
}

/** A stored credit note (credit_notes row with its lines parsed). */
export interface CreditNote {
  series: string;
  number: number;
  orderId: string;
  refundRef: string | null;
  currency: string;
  lines: CreditNoteLine[];
  net: number;
  tax: number;
  total: number;
  reason: string;
  createdAt: number;
}

/** Everything a credit note page and its PDF print, formatted. */
export interface CreditNoteData {
  /** as printed, e.g. `CN-2026-000004` */
  number: string;
  orderId: string;
  orderNumber: string;
  invoiceNumber: string | null;
  date: string;
  seller: Seller;
  buyer: string[];
  lines: Array<{ description: string; units: string; rate: string; net: string; tax: string; gross: string }>;
  /** the tax summary, one row per rate, when the lines have more than one */
  byRate: Array<{ rate: string; net: string; tax: string; gross: string }>;
  net: string;
  tax: string;
  total: string;
  reason: string;
  refundRef: string | null;
  reverseChargeNote: string | null;
}

/** The number of a credit note as printed. */
export const creditNoteNumber = (note: Pick<CreditNote, 'series' | 'number'>) => formatSeriesNumber(note.series, note.number);

/** A credit note ready to print. */
export function buildCreditNote(
  note: CreditNote,
  order: { order_number: number | string; invoiceNumber: string | null; buyer: string[]; reverseChargeNote: string | null },
  seller: Seller,
): CreditNoteData {
  // What was given back, as the invoice and the order page print a deduction: with a minus sign (U+2212).
  const back = (n: number) => (n > 0 ? `−${formatMoney(n, note.currency)}` : formatMoney(-n, note.currency));
  const rates = [...new Set(note.lines.map((l) => l.rateBp))].sort((a, b) => (a ?? -1) - (b ?? -1));
  const summary = (rateBp: number | null, of: CreditNoteLine[]) => {
    const t = creditNoteTotals(of);
    return { rate: formatRate(rateBp), net: back(t.net), tax: back(t.tax), gross: back(t.total) };
  };
  return {
    number: creditNoteNumber(note),
    orderId: note.orderId,
    orderNumber: formatOrderNumber(order.order_number),
    invoiceNumber: order.invoiceNumber,
    date: new Date(note.createdAt).toISOString().slice(0, 10),
    seller,
    buyer: order.buyer,
    lines: note.lines.map((l) => ({
      description: l.sku ? `${l.description} (${l.sku})` : l.description,
      units: l.units > 0 ? String(l.units) : '',
      rate: formatRate(l.rateBp),
      net: back(l.net),
      tax: back(l.tax),
      gross: back(l.gross),
    })),
    byRate:
      rates.length > 1
        ? rates.map((rateBp) =>
            summary(
              rateBp,
              note.lines.filter((l) => l.rateBp === rateBp),
            ),
          )
        : [],
    net: back(note.net),
    tax: back(note.tax),
    total: back(note.total),
    reason: note.reason,
    refundRef: note.refundRef,
    reverseChargeNote: order.reverseChargeNote,
  };
}
