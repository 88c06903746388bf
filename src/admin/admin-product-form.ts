import type { ProductInput } from '../catalog/catalog.validation.js';
import { validateProduct } from '../catalog/catalog.validation.js';
import type { ProductStatus, ProductType } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { minorUnitDigits, isCurrency } from '../platform/money.js';

/** The product form's fields as typed, so a refused form comes back exactly as it was sent. */
export interface ProductFormValues {
  sku: string;
  name: string;
  summary: string;
  description: string;
  price: string;
  currency: string;
  type: string;
  status: string;
  featured: boolean;
  categories: string[];
  specs: [string, string][];
  downloadLimit: string;
  accessDays: string;
  activationLimit: string;
  taxCategory: string;
}

export type ProductField = Exclude<keyof ProductFormValues, 'featured'>;
export type ProductFormErrors = Partial<Record<ProductField, string>>;

type FormBody = Record<string, string | string[] | undefined>;
const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const one = (v: string | string[] | undefined): string => list(v)[0] ?? '';

/** The form's values from a posted body (urlencoded: repeated names arrive as lists). */
export function readProductForm(body: FormBody): ProductFormValues {
  const labels = list(body.spec_label);
  const values = list(body.spec_value);
  const specs = labels
    .map((label, i): [string, string] => [label.trim(), (values[i] ?? '').trim()])
    .filter(([label, value]) => label !== '' || value !== '');
  return {
    sku: one(body.sku).trim(),
    name: one(body.name),
    summary: one(body.summary),
    description: one(body.description),
    price: one(body.price).trim(),
    currency: one(body.currency).trim().toUpperCase(),
    type: one(body.type),
    status: one(body.status) || 'draft',
    featured: one(body.featured) === '1',
    categories: list(body.categories),
    specs,
    downloadLimit: one(body.download_limit).trim(),
    accessDays: one(body.access_days).trim(),
    activationLimit: one(body.activation_limit).trim(),
    taxCategory: one(body.tax_category).trim() || 'standard',
  };
}

/** A stored product's values as the form shows them. */
export function productFormValues(p: Omit<ProductInput, 'price'> & { price: number }): ProductFormValues {
  const digits = isCurrency(p.currency) ? minorUnitDigits(p.currency) : 2;
  const limit = (n: number | null | undefined) => (n == null ? '' : String(n));
  return {
    sku: p.sku,
    name: p.name,
    summary: p.summary ?? '',
    description: p.description ?? '',
    price: (p.price / 10 ** digits).toFixed(digits),
    currency: p.currency,
    type: p.type,
    status: p.status ?? 'draft',
    featured: p.featured === true,
    categories: p.categories ?? [],
    specs: p.specs ?? [],
    downloadLimit: limit(p.downloadLimit),
    accessDays: limit(p.accessDays),
    activationLimit: limit(p.activationLimit),
    taxCategory: p.taxCategory ?? 'standard',
  };
}

/** "19.99" in the currency's major unit to minor units, or null when it is not such an amount. */
function parsePrice(raw: string, currency: string): number | null {
  const digits = isCurrency(currency) ? minorUnitDigits(currency) : 2;
  const m = /^(\d{1,9})(?:[.,](\d+))?$/.exec(raw);
  if (!m || (m[2] ?? '').length > digits) return null;
  return Number(m[1]) * 10 ** digits + Number((m[2] ?? '').padEnd(digits, '0') || 0);
}

const blankLimit = (raw: string): number | null | undefined => (raw === '' ? null : /^\d{1,7}$/.test(raw) ? Number(raw) : undefined);

/** Which field a catalog error is about (its code, or the field its details name). */
export function fieldOfError(err: AppError): ProductField | null {
  const byCode: Record<string, ProductField> = {
    invalid_sku: 'sku',
    reserved_sku: 'sku',
    duplicate_sku: 'sku',
    invalid_price: 'price',
    invalid_currency: 'currency',
    invalid_type: 'type',
    invalid_status: 'status',
    invalid_specs: 'specs',
    unknown_category: 'categories',
    invalid_tax_category: 'taxCategory',
  };
  if (byCode[err.code]) return byCode[err.code]!;
  const byLabel: Record<string, ProductField> = {
    Name: 'name',
    Summary: 'summary',
    Description: 'description',
    'Specification label': 'specs',
    'Specification value': 'specs',
    'Download limit': 'downloadLimit',
    'Access days': 'accessDays',
    'Activation limit': 'activationLimit',
  };
  const field = err.details?.field;
  if (typeof field === 'string' && byLabel[field]) return byLabel[field]!;
  if (err.code === 'invalid_product' && /^Download limit and access days/.test(err.message)) return 'downloadLimit';
  if (err.code === 'invalid_product' && /^Activation limit/.test(err.message)) return 'activationLimit';
  return null;
}

// A value each check accepts: put in place of a refused field so the next check can speak too.
const accepted: Partial<ProductInput> & Record<string, unknown> = {
  sku: 'VALID-SKU',
  name: 'x',
  summary: '',
  description: '',
  price: 0,
  currency: 'EUR',
  status: 'draft',
  specs: [],
  categories: [],
  downloadLimit: null,
  accessDays: null,
  activationLimit: null,
  taxCategory: 'standard',
};

/**
 * The form as a ProductInput, or every field's problem: the catalog's own validation is asked once
 * per refused field (each refused value replaced by an accepted one), so all messages show at once.
 */
export function toProductInput(v: ProductFormValues): { input: ProductInput; errors: ProductFormErrors } {
  const errors: ProductFormErrors = {};
  const price = parsePrice(v.price, v.currency);
  if (price === null) errors.price = 'Price must be an amount such as 19.99 (0 for free).';
  const limits = {
    downloadLimit: blankLimit(v.downloadLimit),
    accessDays: blankLimit(v.accessDays),
    activationLimit: blankLimit(v.activationLimit),
  };
  for (const [field, value] of Object.entries(limits))
    if (value === undefined) errors[field as ProductField] = 'Must be a whole number, or empty for no limit.';
  const input: ProductInput = {
    sku: v.sku,
    name: v.name,
    summary: v.summary,
    description: v.description,
    price: price ?? 0,
    currency: v.currency,
    type: v.type as ProductType,
    status: v.status as ProductStatus,
    featured: v.featured,
    specs: v.specs,
    categories: v.categories,
    downloadLimit: limits.downloadLimit ?? null,
    accessDays: limits.accessDays ?? null,
    activationLimit: limits.activationLimit ?? null,
    taxCategory: v.taxCategory,
  };
  const probe: Record<string, unknown> = { ...input };
  for (const field of Object.keys(errors)) probe[field] = accepted[field];
  if (!['key_lim', 'key', 'file'].includes(v.type)) {
    errors.type = 'Choose a type.';
    probe.type = 'file';
  }
  for (let i = 0; i < 15; i++) {
    try {
      validateProduct(probe as unknown as ProductInput);
      break;
    } catch (err) {
      const field = err instanceof AppError ? fieldOfError(err) : null;
      if (!field || errors[field]) throw err;
      errors[field] = (err as AppError).message;
      probe[field] = field === 'downloadLimit' ? null : accepted[field];
      if (field === 'downloadLimit') probe.accessDays = null;
    }
  }
  return { input, errors };
}
