import {
  validateCategory,
  validateProduct,
  validateSku,
  type CategoryInput,
  type ProductInput,
  type ProductRules,
} from '../../catalog/catalog.validation.js';
import type { ProductStatus, ProductType } from '../../platform/db/schema.js';
import { AppError } from '../../platform/errors.js';
import { isCurrency, minorUnitDigits } from '../../platform/money.js';
import { placeOf, type RawEntry } from './import-file.js';

const DAY_MS = 86_400_000;

/** What the catalog already has under a SKU (enough to validate an update without reading the whole row). */
export interface ExistingProduct {
  sku: string;
  name: string;
  type: ProductType;
  status: ProductStatus;
  price: number;
  currency: string;
}

export type ProductPatch = Partial<Omit<ProductInput, 'sku' | 'createdAt'>>;
export type ProductRow =
  | { ok: true; kind: 'create'; sku: string; input: ProductInput; categories: string[] }
  | { ok: true; kind: 'update'; sku: string; patch: ProductPatch; categories: string[] }
  | { ok: false; problem: string };

class RowProblem extends Error {}
const problem = (text: string): never => {
  throw new RowProblem(text);
};

// Intl's answer costs microseconds per call; an import asks it once per row.
const digitsOf = new Map<string, number>();

/** `19.99` in the currency's major unit as minor units (1999), without floating point. */
export function parseMajorAmount(raw: string, currency: string): number {
  const text = raw.trim();
  const m = /^(\d{1,9})(?:\.(\d+))?$/.exec(text);
  if (!m) return problem(`price "${raw}" must be an amount in the currency such as 19.99 (no symbol, a dot for decimals).`);
  let digits = digitsOf.get(currency);
  if (digits === undefined) digitsOf.set(currency, (digits = minorUnitDigits(currency)));
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return problem(`price ${text} has more decimals than ${currency} allows (${digits}).`);
  return Number(m[1]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
}

function csvFlag(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['true', 'yes', '1'].includes(v)) return true;
  if (['false', 'no', '0'].includes(v)) return false;
  return problem(`featured "${raw}" must be yes or no.`);
}

function csvWhole(raw: string, column: string): number {
  if (!/^\s*\d+\s*$/.test(raw)) return problem(`${column} "${raw}" must be a whole number.`);
  return Number(raw);
}

const list = (raw: string) =>
  raw
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);

/** A CSV row's cells as a ProductInput patch (only the cells given). */
function fromCsv(f: Record<string, unknown>, existing: ExistingProduct | undefined): ProductPatch {
  const s = f as Record<string, string | undefined>;
  const patch: ProductPatch = {};
  if (s.name !== undefined) patch.name = s.name;
  if (s.summary !== undefined) patch.summary = s.summary;
  if (s.description !== undefined) patch.description = s.description;
  if (s.currency !== undefined) patch.currency = s.currency.trim().toUpperCase();
  if (s.type !== undefined) patch.type = s.type.trim().toLowerCase() as ProductType;
  if (s.status !== undefined) patch.status = s.status.trim().toLowerCase() as ProductStatus;
  if (s.featured !== undefined) patch.featured = csvFlag(s.featured);
  if (s.categories !== undefined) patch.categories = list(s.categories);
  if (s.images !== undefined) {
    patch.images = list(s.images).map((entry) => {
      const bar = entry.indexOf('|');
      if (bar < 0) return problem(`image "${entry}" must be written url|alt text.`);
      return { url: entry.slice(0, bar).trim(), alt: entry.slice(bar + 1).trim() };
    });
  }
  if (s.specs !== undefined) {
    patch.specs = list(s.specs).map((entry): [string, string] => {
      const colon = entry.indexOf(':');
      if (colon < 0) return problem(`specification "${entry}" must be written Label: value.`);
      return [entry.slice(0, colon).trim(), entry.slice(colon + 1).trim()];
    });
  }
  if (s.download_limit !== undefined) patch.downloadLimit = csvWhole(s.download_limit, 'download_limit');
  if (s.access_days !== undefined) patch.accessDays = csvWhole(s.access_days, 'access_days');
  if (s.activation_limit !== undefined) patch.activationLimit = csvWhole(s.activation_limit, 'activation_limit');
  if (s.tax_category !== undefined) patch.taxCategory = s.tax_category;
  if (s.price !== undefined) {
    const currency = patch.currency ?? existing?.currency;
    if (!currency) return problem('price needs a currency column.');
    // 0 stands in so the row reports its currency, not a missing price.
    patch.price = /^[A-Z]{3}$/.test(currency) && isCurrency(currency) ? parseMajorAmount(s.price, currency) : 0;
  }
  return patch;
}

/** A JSON product (demo catalog format) as a patch; `createdDaysAgo` backdates a new product. */
function fromJson(f: Record<string, unknown>, now: number): ProductPatch & { createdAt?: number } {
  const { createdDaysAgo, ...rest } = f;
  // The caller reads the SKU itself; keyPoolSize is the demo catalog's, not a product's.
  delete rest.sku;
  delete rest.keyPoolSize;
  if (rest.featured !== undefined && typeof rest.featured !== 'boolean') problem('featured must be true or false.');
  if (rest.price !== undefined && !Number.isInteger(rest.price))
    problem('price must be a whole number of minor units (cents), e.g. 1999 for 19.99.');
  const patch = rest as ProductPatch & { createdAt?: number };
  if (createdDaysAgo !== undefined) {
    if (typeof createdDaysAgo !== 'number' || !(createdDaysAgo >= 0)) problem('createdDaysAgo must be a number, 0 or more.');
    patch.createdAt = now - Math.round((createdDaysAgo as number) * DAY_MS);
  }
  return patch;
}

/**
 * One product entry checked completely: converted, and validated as it will be stored (a new
 * product with the defaults, an update merged with what the catalog has). Never throws.
 */
export function checkProductEntry(
  entry: RawEntry,
  existingBySku: Map<string, ExistingProduct>,
  update: boolean,
  now: number,
  rules: ProductRules = {},
): ProductRow {
  try {
    if (typeof entry.fields.sku !== 'string') problem('sku is missing.');
    const sku = validateSku(entry.fields.sku);
    const existing = existingBySku.get(sku);
    const { createdAt, ...patch } =
      entry.format === 'csv' ? { ...fromCsv(entry.fields, existing), createdAt: undefined } : fromJson(entry.fields, now);
    if (existing) {
      if (!update) problem('already exists; add --update to change existing products.');
      if (patch.type !== undefined && patch.type !== existing.type)
        problem(`the type of ${sku} cannot change (it is ${existing.type}); create a product with a new SKU instead.`);
      const { sku: s, name, price, currency, type, status } = existing;
      const clean = validateProduct({ sku: s, name, price, currency, type, status, ...patch }, rules);
      return { ok: true, kind: 'update', sku, patch, categories: patch.categories ? clean.categories : [] };
    }
    const missing = (['name', 'price', 'currency', 'type'] as const).filter((k) => patch[k] === undefined);
    if (missing.length > 0) problem(`a new product needs ${missing.join(', ')}.`);
    // New products are on sale unless the file says otherwise (the demo catalog format's default).
    const input: ProductInput = {
      status: 'active',
      ...(patch as Omit<ProductInput, 'sku'>),
      sku,
      ...(createdAt !== undefined ? { createdAt } : {}),
    };
    const clean = validateProduct(input, rules);
    return { ok: true, kind: 'create', sku, input, categories: clean.categories };
  } catch (err) {
    if (err instanceof RowProblem || err instanceof AppError)
      return { ok: false, problem: `${placeOf(entry)}: ${lowerFirst(err.message)}` };
    throw err;
  }
}

/** A category entry validated, or its problem. */
export function checkCategoryEntry(
  entry: RawEntry,
): { ok: true; input: Required<CategoryInput>; given: Partial<CategoryInput> } | { ok: false; problem: string } {
  try {
    const f = entry.fields;
    const position = entry.format === 'csv' && typeof f.position === 'string' ? csvWhole(f.position, 'position') : f.position;
    const input = validateCategory({ ...(f as unknown as CategoryInput), position: position as number | undefined });
    // An update changes only what the entry gives (validated above with the defaults filled in).
    const given = Object.fromEntries(Object.entries(input).filter(([k]) => f[k] !== undefined)) as Partial<CategoryInput>;
    return { ok: true, input, given };
  } catch (err) {
    if (err instanceof RowProblem || err instanceof AppError)
      return { ok: false, problem: `${placeOf(entry)}: ${lowerFirst(err.message)}` };
    throw err;
  }
}

// Validation messages start a sentence ("Price must…"); after "line 4 (SKU X): " they read better in lower case.
const lowerFirst = (text: string) => (/^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text);
