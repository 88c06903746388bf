/** How people see an order: `#1042`, the shop's short number (the random id stays in URLs). */
export function formatOrderNumber(orderNumber: number | string): string {
  return `#${orderNumber}`;
}

/**
 * How an invoice number is printed: the series it was taken in and the number padded to six digits
 * (`INV-2026-000123`); an order numbered before series existed (null series) keeps `INV-0007`.
 */
export function formatInvoiceNumber(invoiceNumber: number, series?: string | null): string {
  if (series == null) return `INV-${String(invoiceNumber).padStart(4, '0')}`;
  return formatSeriesNumber(series, invoiceNumber);
}

/** A number of a series as printed: the resolved prefix and six digits (`CN-2026-000004`). */
export function formatSeriesNumber(series: string, number: number): string {
  return `${series}${String(number).padStart(6, '0')}`;
}

/** A series template (`INV-{YYYY}-`) at a moment: `{YYYY}` becomes that moment's year (UTC). */
export function resolveSeries(template: string, at: number): string {
  return template.replaceAll('{YYYY}', String(new Date(at).getUTCFullYear()));
}

/** The counters row of a resolved series: each series counts on its own, gap-free. */
export const invoiceCounter = (series: string) => `invoice:${series}`;
/** The counters row of a credit note series. */
export const creditNoteCounter = (series: string) => `credit_note:${series}`;

/** A tax rate as printed: `19%`, `7.5%`; `—` when unknown. */
export const formatRate = (rateBp: number | null) => (rateBp === null ? '—' : `${rateBp / 100}%`);
