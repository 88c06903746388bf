import { countryName, isCountry } from '../platform/countries.js';
import { AppError, ValidationError } from '../platform/errors.js';
import type { Billing } from './checkout.types.js';

/** The billing form's fields, as typed (kept on a page that refuses them). */
export interface BillingForm {
  billingName: string;
  billingCompany: string;
  billingAddress: string;
  billingCountry: string;
  billingVatId: string;
}

export type BillingField = keyof BillingForm;
export type BillingErrors = Partial<Record<BillingField, string>>;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The ISO 3166-1 alpha-2 countries (platform/countries.ts) with their English names, by name: the country select's options. */
export const COUNTRIES: ReadonlyArray<{ code: string; name: string }> = [...LETTERS]
  .flatMap((a) => [...LETTERS].map((b) => a + b))
  .filter(isCountry)
  .map((code) => ({ code, name: countryName(code) }))
  .sort((a, b) => a.name.localeCompare(b.name, 'en'));
const COUNTRY_CODES = new Set(COUNTRIES.map((c) => c.code));

/** The form's fields from a body or query (absent ones empty). */
export function billingForm(input: Record<string, unknown>): BillingForm {
  const text = (k: BillingField) => (typeof input[k] === 'string' ? (input[k] as string) : '');
  return {
    billingName: text('billingName'),
    billingCompany: text('billingCompany'),
    billingAddress: text('billingAddress'),
    billingCountry: text('billingCountry'),
    billingVatId: text('billingVatId'),
  };
}

/** Whether a request carries the billing form at all (clients posting without the review page do not). */
export const hasBillingForm = (input: Record<string, unknown>) => 'billingName' in input || 'billingCountry' in input;

/** The form as the prefill shows it. */
export function formOf(billing: Partial<Billing>): BillingForm {
  return {
    billingName: billing.name ?? '',
    billingCompany: billing.company ?? '',
    billingAddress: billing.address ?? '',
    billingCountry: billing.country ?? '',
    billingVatId: billing.vatId ?? '',
  };
}

/**
 * Validates the billing form: a country from the list, a VAT ID of a plausible shape (the tax domain
 * checks it further) and, when `forOrder`, a name. Throws a ValidationError with `details.fields`.
 */
export function parseBilling(form: BillingForm, { forOrder }: { forOrder: boolean }): Billing {
  const errors: BillingErrors = {};
  const name = form.billingName.trim();
  const company = form.billingCompany.trim();
  const address = form.billingAddress.trim();
  const country = form.billingCountry.trim().toUpperCase();
  const vatId = form.billingVatId.replace(/[\s.-]/g, '').toUpperCase();
  if (forOrder && !name) errors.billingName = 'Please enter the name the invoice is made out to.';
  if (name.length > 200) errors.billingName = 'The name can be at most 200 characters.';
  if (company.length > 200) errors.billingCompany = 'The company can be at most 200 characters.';
  if (address.length > 500) errors.billingAddress = 'The address can be at most 500 characters.';
  if (!COUNTRY_CODES.has(country)) errors.billingCountry = 'Please choose your country from the list.';
  // Only a shape: an EU ID's prefix and format are the tax domain's to check, and other countries'
  // numbers need no prefix and may be longer (Switzerland's CHE-123.456.789 MWST).
  if (vatId && !/^[0-9A-Z+*]{4,20}$/.test(vatId))
    errors.billingVatId =
      'A VAT ID has 4 to 20 letters and digits; in the EU it starts with its two-letter country prefix, e.g. FR12345678901.';
  if (Object.keys(errors).length > 0)
    throw new ValidationError('Please correct the billing details below.', { fields: errors }, 'billing_invalid');
  return { name, country, ...(company && { company }), ...(address && { address }), ...(vatId && { vatId }) };
}

/**
 * The billing field a refusal is about, when it is about one: our own `details.fields`, or the tax
 * domain's ValidationError naming `country` or `vatId`.
 */
export function billingErrorsOf(err: unknown): BillingErrors | null {
  if (!(err instanceof AppError) || err.status >= 500) return null;
  const fields = err.details?.fields;
  if (fields && typeof fields === 'object') {
    const f = fields as Record<string, string>;
    const mapped: BillingErrors = { ...(f as BillingErrors) };
    if (f.country) mapped.billingCountry = f.country;
    if (f.vatId) mapped.billingVatId = f.vatId;
    if (Object.keys(mapped).some((k) => k.startsWith('billing'))) return mapped;
  }
  const field = err.details?.field;
  if (field === 'country') return { billingCountry: err.message };
  if (field === 'vatId') return { billingVatId: err.message };
  return null;
}
