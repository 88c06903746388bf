/**
 * First path segments the store's own routes use: a product at `/:sku` can never shadow them.
 * The one list every part of the store checks against (compared case-insensitively).
 */
export const RESERVED_PATH_SEGMENTS: readonly string[] = [
  'category',
  'search',
  'privacy-policy',
  'terms-and-conditions',
  'about',
  'contact',
  'donate',
  'login',
  'register',
  'auth',
  'profile',
  'orders',
  'order',
  'download',
  'cart',
  'checkout',
  'api',
  'admin',
  'healthz',
  'readyz',
  'metrics',
  'assets',
  'media',
  'favicon.ico',
  'robots.txt',
  '.well-known',
];

const reserved = new Set(RESERVED_PATH_SEGMENTS.map((s) => s.toUpperCase()));

export const SKU_MIN_LENGTH = 2;
export const SKU_MAX_LENGTH = 64;
// Starts with a letter or digit, so `.well-known`-like and dot-file names can never be SKUs.
const SKU_PATTERN = /^[A-Z0-9][A-Z0-9._-]*$/;

/** The stored form of a SKU: trimmed and upper-cased (SKUs are case-insensitive). */
export function normaliseSku(raw: string): string {
  return raw.trim().toUpperCase();
}

/** True when the value is one of the reserved first path segments, in any case. */
export function isReservedPathSegment(value: string): boolean {
  return reserved.has(value.trim().toUpperCase());
}

export type SkuProblem = 'invalid_sku' | 'reserved_sku';

/** Why a (normalised) SKU cannot be used, or null when it can. */
export function skuProblem(sku: string): SkuProblem | null {
  if (sku.length < SKU_MIN_LENGTH || sku.length > SKU_MAX_LENGTH || !SKU_PATTERN.test(sku)) return 'invalid_sku';
  if (reserved.has(sku)) return 'reserved_sku';
  return null;
}

/** The normalised SKU when the raw value could name a product, else null (cheap pre-check before any query). */
export function parseSku(raw: string): string | null {
  const sku = normaliseSku(raw);
  return skuProblem(sku) === null ? sku : null;
}
