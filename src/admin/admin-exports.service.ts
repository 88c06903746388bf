import { formatOrderNumber } from '../orders/order-number.js';
import type { SalesService } from '../orders/sales.service.js';
import { csvRecord, decimalAmount } from '../platform/csv.js';
import { ValidationError } from '../platform/errors.js';

const DAY = 86_400_000;
export const EXPORT_KINDS = { orders: 'Orders', sales: 'Sales lines' } as const;
export type ExportKind = keyof typeof EXPORT_KINDS;

/** A period of whole UTC days, both ends included; `to` as an instant is the end of its day. */
export interface ExportRange {
  fromDate: string;
  toDate: string;
  from: number;
  to: number;
}

export interface ExportValues {
  from: string;
  to: string;
  kind: string;
}
export type ExportErrors = Partial<Record<keyof ExportValues, string>>;

// Excel reads a CSV as UTF-8 only when it starts with a byte order mark; other tools skip it.
const BOM = '\uFEFF';
const AMOUNTS = 'amounts in the currency’s units, e.g. 19.00';
const ORDER_HEADER = [
  'Date paid (UTC)',
  'Order number',
  'Order id',
  'Buyer email',
  'Status',
  `Net excl. tax (${AMOUNTS})`,
  'Tax',
  'Gross',
  'Currency',
  'Refunded (gross)',
];
const LINE_HEADER = [
  'Date paid (UTC)',
  'Order number',
  'Buyer email',
  'SKU',
  'Product',
  'Quantity',
  `Unit price (${AMOUNTS})`,
  'Net excl. tax',
  'Tax',
  'Gross',
  'Currency',
  'Refunded units',
  'Refunded (gross)',
];

/** A YYYY-MM-DD that is a real day, as the UTC midnight that starts it; null otherwise. */
function dayStart(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text ? null : ms;
}

/** The form's values checked field by field: a range of days and a kind, or what is wrong with each. */
export function readExportRequest(
  raw: Partial<ExportValues>,
): { ok: true; kind: ExportKind; range: ExportRange } | { ok: false; values: ExportValues; errors: ExportErrors } {
  const values = { from: (raw.from ?? '').trim(), to: (raw.to ?? '').trim(), kind: (raw.kind ?? 'orders').trim() };
  const errors: ExportErrors = {};
  const from = dayStart(values.from);
  const to = dayStart(values.to);
  if (from === null) errors.from = 'Enter the first day as a date, e.g. 2026-01-31.';
  if (to === null) errors.to = 'Enter the last day as a date, e.g. 2026-01-31.';
  else if (from !== null && to < from) errors.to = 'The last day must not be before the first day.';
  if (!Object.hasOwn(EXPORT_KINDS, values.kind)) errors.kind = 'Choose orders or sales lines.';
  if (Object.keys(errors).length > 0 || from === null || to === null) return { ok: false, values, errors };
  return { ok: true, kind: values.kind as ExportKind, range: { fromDate: values.from, toDate: values.to, from, to: to + DAY } };
}

/** A range for the CSV URLs themselves: a bad one is a 400 page saying what is wrong. */
export function parseExportRange(raw: { from?: string; to?: string }): ExportRange {
  const read = readExportRequest({ ...raw, kind: 'orders' });
  if (read.ok) return read.range;
  const [field, message] = Object.entries(read.errors)[0]!;
  throw new ValidationError(message, { field }, 'invalid_date_range');
}

/** The file name the browser saves: what, and which days. */
export const exportFilename = (kind: ExportKind, range: ExportRange) =>
  `${kind === 'orders' ? 'orders' : 'sales-lines'}-${range.fromDate}-to-${range.toDate}.csv`;

const isoInstant = (ms: number) => new Date(ms).toISOString();

/**
 * The owner's CSV exports of paid orders and of their lines, written batch by batch as the
 * database hands them over: a year of orders never sits in memory at once.
 */
export function createAdminExportsService({
  sales,
  batchSize = 1000,
}: {
  sales: Pick<SalesService, 'paidOrderBatches' | 'salesLineBatches'>;
  batchSize?: number;
}) {
  return {
    /** One line per paid order of the range: its totals and what was refunded of it. */
    async *ordersCsv(range: ExportRange): AsyncGenerator<string> {
      yield BOM + csvRecord(ORDER_HEADER);
      for await (const orders of sales.paidOrderBatches(range.from, range.to, batchSize)) {
        yield orders
          .map((o) => {
            const money = (n: number) => decimalAmount(n, o.currency);
            return csvRecord([
              isoInstant(o.paidAt),
              formatOrderNumber(o.orderNumber),
              o.id,
              o.email,
              o.status,
              money(o.net),
              money(o.tax),
              money(o.gross),
              o.currency,
              money(o.refunded),
            ]);
          })
          .join('');
      }
    },

    /** One line per item of a paid order of the range, with its share of the order's tax and total. */
    async *salesCsv(range: ExportRange): AsyncGenerator<string> {
      yield BOM + csvRecord(LINE_HEADER);
      for await (const lines of sales.salesLineBatches(range.from, range.to, batchSize)) {
        yield lines
          .map((l) => {
            const money = (n: number) => decimalAmount(n, l.order.currency);
            return csvRecord([
              isoInstant(l.order.paidAt),
              formatOrderNumber(l.order.orderNumber),
              l.order.email,
              l.sku,
              l.name,
              l.quantity,
              money(l.unitPrice),
              money(l.net),
              money(l.tax),
              money(l.gross),
              l.order.currency,
              l.refundedUnits,
              money(l.refunded),
            ]);
          })
          .join('');
      }
    },
  };
}

export type AdminExportsService = ReturnType<typeof createAdminExportsService>;
