import { isEuMember } from './tax.countries.js';
import { isEuVatIdFormat } from './tax.vat-ids.js';

export { EU_MEMBER_STATES, isCountry, isEuMember } from './tax.countries.js';
export { expectedVatIdFormat, isEuVatIdFormat, normaliseVatId, vatIdProblem, vatPrefix } from './tax.vat-ids.js';

/** One row of the rates table: `rateBp` holds for (country, category) from `validFrom` on, until a later row. */
export interface TaxRateRow {
  id: number;
  country: string;
  category: string;
  /** basis points: 1900 is 19 % */
  rateBp: number;
  /** epoch ms, 00:00 UTC of the first day */
  validFrom: number;
  note: string;
}

/** The category every product has unless the owner says otherwise. */
export const STANDARD_CATEGORY = 'standard';

/**
 * The row in force for (country, category) at `at`: the latest whose day has begun; undefined when
 * none has (the rate is then 0).
 */
export function rateRowAt(rows: readonly TaxRateRow[], country: string, category: string, at: number): TaxRateRow | undefined {
  let best: TaxRateRow | undefined;
  for (const r of rows)
    if (r.country === country && r.category === category && r.validFrom <= at && (!best || r.validFrom > best.validFrom)) best = r;
  return best;
}

/**
 * The rate (basis points) for (country, category) at `at`. A category the country has no row for
 * is charged the country's standard rate: a reduced rate set for one country must not make the
 * product tax-free in every other (under-charging VAT is the seller's loss). 0 when neither has begun.
 */
export function rateAt(rows: readonly TaxRateRow[], country: string, category: string, at: number): number {
  const own =
    rateRowAt(rows, country, category, at) ??
    (category === STANDARD_CATEGORY ? undefined : rateRowAt(rows, country, STANDARD_CATEGORY, at));
  return own?.rateBp ?? 0;
}

/** Who sells to whom: the seller's country (null: tax is off), the buyer's, and the buyer's normalised VAT ID. */
export interface TaxSituation {
  sellerCountry: string | null;
  buyerCountry: string;
  vatId?: string | null;
}

/** How an order is taxed: not at all (tax off), by the rates table, or by the EU reverse charge. */
export type TaxTreatment = 'none' | 'rates' | 'reverse_charge';

/**
 * The rule for a sale: no seller country, no tax; an EU seller selling to a business in another
 * member state (VAT ID of that state's format), the reverse charge; everything else the buyer
 * country's rows of the rates table (EU consumers and same-country businesses at their country's
 * rate, as under OSS; other countries as the owner set them, none meaning 0).
 */
export function taxTreatment({ sellerCountry, buyerCountry, vatId }: TaxSituation): TaxTreatment {
  if (sellerCountry === null) return 'none';
  if (
    isEuMember(sellerCountry) &&
    isEuMember(buyerCountry) &&
    buyerCountry !== sellerCountry &&
    !!vatId &&
    isEuVatIdFormat(buyerCountry, vatId)
  )
    return 'reverse_charge';
  return 'rates';
}

/** Each category's rate (basis points) under a treatment: 0 for all but `rates`. */
export function ratesFor(
  treatment: TaxTreatment,
  rows: readonly TaxRateRow[],
  country: string,
  categories: readonly string[],
  at: number,
): Record<string, number> {
  return Object.fromEntries(categories.map((c) => [c, treatment === 'rates' ? rateAt(rows, country, c, at) : 0]));
}

/** A percent as the owner types it ("19", "5.5", "7,7") in basis points, or null unless 0 to 100 with at most 2 decimals. */
export function percentToBp(raw: string): number | null {
  const text = raw.trim().replace(',', '.');
  if (!/^\d{1,3}(\.\d{1,2})?$/.test(text)) return null;
  const [whole, fraction = ''] = text.split('.');
  const bp = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return bp <= 10_000 ? bp : null;
}

/** Basis points as a percent for people: 1900 → "19", 550 → "5.5", 777 → "7.77". */
export function bpToPercent(bp: number): string {
  return (bp / 100).toFixed(2).replace(/\.?0+$/, '');
}

/** A day as `YYYY-MM-DD` to its start (00:00 UTC) in epoch ms, or null when it is no real day. */
export function dayStart(day: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day ? null : ms;
}

/** The UTC day an instant falls on, as `YYYY-MM-DD`. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const CATEGORY = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A tax category's problem, or null: lower-case letters and digits joined by dashes, at most 40 (e.g. `ebook`, `reduced`). */
export function categoryProblem(category: string): string | null {
  if (category === '') return 'Please name the tax category (e.g. standard).';
  if (category.length > 40) return 'A tax category has at most 40 characters.';
  if (!CATEGORY.test(category)) return 'Use lower-case letters (a–z), digits and single dashes, e.g. "reduced" or "e-books".';
  return null;
}
