import { EU_STANDARD_RATES } from '../../src/platform/db/migrations/021-tax-discounts-credit-notes.js';
import { rateAt, STANDARD_CATEGORY, type TaxRateRow } from '../../src/tax/tax.rules.js';
import { StripeApiError, type LineItem } from './gateway.objects.js';
import * as p from './gateway.params.js';

/** The rates table the store ships (migration 021), for a gateway not given the store's own. */
export const SHIPPED_RATES: TaxRateRow[] = EU_STANDARD_RATES.map(([country, rateBp, from], i) => ({
  id: i + 1,
  country,
  category: STANDARD_CATEGORY,
  rateBp,
  validFrom: Date.parse(`${from}T00:00:00Z`),
  note: '',
}));

/** `automatic_tax[enabled]`, as Stripe takes it. */
export function automaticTaxEnabled(params: p.Params): boolean {
  const at = p.optionalObject(params, 'automatic_tax');
  if (!at) return false;
  p.onlyKnown(at, ['enabled'], 'automatic_tax');
  const enabled = p.requiredString(at, 'enabled', 'automatic_tax[enabled]');
  if (enabled !== 'true' && enabled !== 'false')
    throw new StripeApiError(
      400,
      'Invalid boolean: automatic_tax[enabled]',
      'invalid_request_error',
      'parameter_invalid',
      'automatic_tax[enabled]',
    );
  return enabled === 'true';
}

/**
 * Stripe Tax's part, as the development gateway plays it: each line's tax at the standard rate of
 * the buyer's country (from the same rates table and rules as the store, src/tax), rounded half up
 * on the line's amount: added to an `exclusive` price, contained in an `inclusive` one. Stripe's page
 * asks for the buyer's address; here the country is the one the store sent (`metadata[billing_country]`).
 */
export function applyAutomaticTax(items: LineItem[], country: string | undefined, rates: readonly TaxRateRow[], at: number) {
  if (!country)
    throw new StripeApiError(
      400,
      'The development gateway needs metadata[billing_country] to compute automatic tax (Stripe asks the buyer for an address).',
      'invalid_request_error',
      'parameter_missing',
      'metadata[billing_country]',
    );
  const bp = rateAt(rates, country.toUpperCase(), STANDARD_CATEGORY, at);
  let added = 0;
  let tax = 0;
  for (const item of items) {
    const amount = item.unit_amount * item.quantity;
    const inclusive = item.tax_behavior === 'inclusive';
    item.amount_tax = Math.round(inclusive ? (amount * bp) / (10_000 + bp) : (amount * bp) / 10_000);
    tax += item.amount_tax;
    if (!inclusive) added += item.amount_tax;
  }
  return { tax, added };
}
