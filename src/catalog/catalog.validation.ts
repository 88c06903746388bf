import type { ProductStatus, ProductType } from '../platform/db/schema.js';
import { ValidationError } from '../platform/errors.js';
import { isCurrency } from '../platform/money.js';
import { normaliseSku, skuProblem, SKU_MAX_LENGTH, SKU_MIN_LENGTH } from './sku.js';

export const productTypes: readonly ProductType[] = ['key_lim', 'key', 'file'];
export const productStatuses: readonly ProductStatus[] = ['draft', 'active', 'archived'];
// Prices live in a 32-bit integer column on PostgreSQL.
const MAX_PRICE = 2_147_483_647;

/** A product as the owner (CLI, demo loader, tests) describes it. */
export interface ProductInput {
  sku: string;
  name: string;
  summary?: string;
  description?: string;
  /** Minor units (cents). */
  price: number;
  currency: string;
  type: ProductType;
  /** Default `draft`: a new product is published deliberately. */
  status?: ProductStatus;
  featured?: boolean;
  specs?: [string, string][];
  /** Category slugs. */
  categories?: string[];
  /** Gallery in display order. */
  images?: { url: string; alt: string }[];
  downloadLimit?: number | null;
  accessDays?: number | null;
  activationLimit?: number | null;
  /** Which rows of the tax rates apply (default `standard`). */
  taxCategory?: string;
  /** Epoch ms; defaults to now (seeds backdate products to spread "new arrivals"). */
  createdAt?: number;
}

export interface CategoryInput {
  slug: string;
  name: string;
  description?: string;
  position?: number;
}

/** A validated, normalised product ready for the repo. */
export interface CleanProduct {
  sku: string;
  name: string;
  summary: string;
  description: string;
  price: number;
  currency: string;
  type: ProductType;
  status: ProductStatus;
  featured: boolean;
  specs: [string, string][];
  categories: string[];
  images: { url: string; alt: string }[];
  downloadLimit: number | null;
  accessDays: number | null;
  activationLimit: number | null;
  taxCategory: string;
}

const fail = (code: string, message: string, details?: Record<string, unknown>): never => {
  throw new ValidationError(message, details, code);
};

function text(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== 'string') return fail('invalid_product', `${field} must be text.`, { field });
  const v = value.trim();
  if (v.length < min || v.length > max) {
    fail('invalid_product', min > 0 ? `${field} must be ${min} to ${max} characters.` : `${field} must be at most ${max} characters.`, {
      field,
    });
  }
  return v;
}

function optionalLimit(value: unknown, field: string, max: number): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > max)
    fail('invalid_product', `${field} must be a whole number from 1 to ${max}.`, { field });
  return value as number;
}

/** The stored SKU for raw input, or a ValidationError (`invalid_sku`, `reserved_sku`) saying why not. */
export function validateSku(raw: unknown): string {
  if (typeof raw !== 'string') return fail('invalid_sku', 'SKU must be text.');
  const sku = normaliseSku(raw);
  const problem = skuProblem(sku);
  if (problem === 'reserved_sku') fail('reserved_sku', `SKU ${sku} is reserved for a page of the store; choose another.`, { sku });
  if (problem === 'invalid_sku') {
    fail(
      'invalid_sku',
      `SKU must be ${SKU_MIN_LENGTH} to ${SKU_MAX_LENGTH} letters, digits, "-", "_" or ".", starting with a letter or digit.`,
      { sku },
    );
  }
  return sku;
}

/** What validateProduct checks beyond the product itself. */
export interface ProductRules {
  /** Hosts whose https:// images the shop may show (IMAGE_HOSTS; its CSP allows only these); undefined: not checked. */
  imageHosts?: readonly string[];
}

/** An https:// image on a host the CSP does not allow would show as a broken image: refused, naming the host. */
function checkImageHost(url: string, sku: string, hosts: readonly string[] | undefined): void {
  if (!hosts || !url.startsWith('https://')) return;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return fail('invalid_images', 'Image URLs must be a site path (/assets/…) or an https:// address.', { sku, url });
  }
  if (hosts.includes(host)) return;
  const allowed = hosts.length > 0 ? `it allows ${hosts.join(', ')}` : 'it is empty';
  fail(
    'image_host_not_allowed',
    `Image ${url} is on ${host}, which is not in IMAGE_HOSTS (${allowed}): add ${host} to IMAGE_HOSTS so the shop may show it, or upload the image in /admin.`,
    { sku, url, host },
  );
}

/** Checks and normalises a product; throws ValidationError with a stable code naming the problem. */
export function validateProduct(input: ProductInput, rules: ProductRules = {}): CleanProduct {
  const sku = validateSku(input.sku);
  const name = text(input.name, 'Name', 1, 200);
  const summary = text(input.summary ?? '', 'Summary', 0, 500);
  const description = text(input.description ?? '', 'Description', 0, 100_000);
  if (!Number.isInteger(input.price) || input.price < 0 || input.price > MAX_PRICE) {
    fail('invalid_price', 'Price must be a whole number of minor units (cents), 0 or more.', { sku });
  }
  const currency = typeof input.currency === 'string' ? input.currency.trim().toUpperCase() : '';
  if (!/^[A-Z]{3}$/.test(currency) || !isCurrency(currency))
    fail('invalid_currency', 'Currency must be an ISO 4217 code such as EUR or USD.', { sku });
  if (!productTypes.includes(input.type)) fail('invalid_type', `Type must be one of ${productTypes.join(', ')}.`, { sku });
  const status = input.status ?? 'draft';
  if (!productStatuses.includes(status)) fail('invalid_status', `Status must be one of ${productStatuses.join(', ')}.`, { sku });

  const specs = input.specs ?? [];
  if (!Array.isArray(specs) || specs.length > 50)
    fail('invalid_specs', 'Specifications must be a list of at most 50 [label, value] pairs.', { sku });
  const cleanSpecs = specs.map((pair): [string, string] => {
    if (!Array.isArray(pair) || pair.length !== 2)
      return fail('invalid_specs', 'Each specification must be a [label, value] pair.', { sku });
    return [text(pair[0], 'Specification label', 1, 100), text(pair[1], 'Specification value', 1, 1000)];
  });

  const categories = input.categories ?? [];
  if (!Array.isArray(categories) || categories.some((c) => typeof c !== 'string'))
    fail('unknown_category', 'Categories must be a list of category slugs.', { sku });
  const images = input.images ?? [];
  if (!Array.isArray(images) || images.length > 20) fail('invalid_images', 'Images must be a list of at most 20 { url, alt }.', { sku });
  const cleanImages = images.map((img) => {
    const url = typeof img?.url === 'string' ? img.url.trim() : '';
    if (!/^(\/(?![/\\])|https:\/\/)[^\s"'<>\\]+$/.test(url) || url.length > 500) {
      fail('invalid_images', 'Image URLs must be a site path (/assets/…) or an https:// address.', { sku, url });
    }
    checkImageHost(url, sku, rules.imageHosts);
    return { url, alt: text(img.alt, 'Image alt text', 1, 300) };
  });

  const isFile = input.type === 'file';
  if (!isFile && (input.downloadLimit != null || input.accessDays != null))
    fail('invalid_product', 'Download limit and access days apply to file products only.', { sku });
  if (isFile && input.activationLimit != null) fail('invalid_product', 'Activation limit applies to key products only.', { sku });

  const taxCategory = typeof input.taxCategory === 'string' ? input.taxCategory.trim().toLowerCase() || 'standard' : 'standard';
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(taxCategory) || taxCategory.length > 40)
    fail('invalid_tax_category', 'Tax category must be lower-case letters and digits joined by single dashes (at most 40).', { sku });

  return {
    sku,
    name,
    summary,
    description,
    price: input.price,
    currency,
    type: input.type,
    status,
    featured: input.featured === true,
    specs: cleanSpecs,
    categories: [...new Set(categories.map((c) => c.trim().toLowerCase()))],
    images: cleanImages,
    downloadLimit: optionalLimit(input.downloadLimit, 'Download limit', 1000),
    accessDays: optionalLimit(input.accessDays, 'Access days', 3650),
    activationLimit: optionalLimit(input.activationLimit, 'Activation limit', 1000),
    taxCategory,
  };
}

/** Checks and normalises a category (slug lower-case, words joined by dashes). */
export function validateCategory(input: CategoryInput): Required<CategoryInput> {
  const slug = typeof input.slug === 'string' ? input.slug.trim().toLowerCase() : '';
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(slug) || slug.length > 100) {
    fail('invalid_category', 'Category slug must be lower-case letters and digits joined by single dashes (at most 100).', { slug });
  }
  const position = input.position ?? 0;
  if (!Number.isInteger(position)) fail('invalid_category', 'Category position must be a whole number.', { slug });
  return {
    slug,
    name: text(input.name, 'Category name', 1, 100),
    description: text(input.description ?? '', 'Category description', 0, 2000),
    position,
  };
}
