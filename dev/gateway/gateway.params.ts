import type { FormValue } from './gateway.form.js';
import { StripeApiError } from './gateway.objects.js';

export type Params = Record<string, FormValue>;

const invalid = (param: string, message: string) => new StripeApiError(400, message, 'invalid_request_error', 'parameter_invalid', param);

/** Refuses parameters the gateway does not know, as Stripe does ("Received unknown parameter"). */
export function onlyKnown(params: Params, known: string[], prefix = '') {
  for (const key of Object.keys(params)) {
    if (!known.includes(key)) {
      const name = prefix ? `${prefix}[${key}]` : key;
      throw new StripeApiError(
        400,
        `Received unknown parameter: ${name}. The development gateway supports only the part of Stripe's API the store uses.`,
        'invalid_request_error',
        'parameter_unknown',
        name,
      );
    }
  }
}

export function optionalString(params: Params, name: string, param = name, max = 5000): string | null {
  const v = params[name];
  if (v === undefined || v === '') return null;
  if (typeof v !== 'string') throw invalid(param, `Invalid string: ${param}`);
  if (v.length > max) throw invalid(param, `Invalid ${param}: must be at most ${max} characters`);
  return v;
}

export function requiredString(params: Params, name: string, param = name, max = 5000): string {
  const v = optionalString(params, name, param, max);
  if (v === null) throw new StripeApiError(400, `Missing required param: ${param}.`, 'invalid_request_error', 'parameter_missing', param);
  return v;
}

export function optionalInt(params: Params, name: string, param = name, min = 0): number | null {
  const v = optionalString(params, name, param);
  if (v === null) return null;
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw invalid(param, `Invalid integer: ${v}`);
  const n = Number(v);
  if (n < min) throw invalid(param, `Invalid ${param}: must be at least ${min}`);
  return n;
}

export function requiredInt(params: Params, name: string, param = name, min = 0): number {
  const v = optionalInt(params, name, param, min);
  if (v === null) throw new StripeApiError(400, `Missing required param: ${param}.`, 'invalid_request_error', 'parameter_missing', param);
  return v;
}

export function optionalObject(params: Params, name: string, param = name): Params | null {
  const v = params[name];
  if (v === undefined || v === '') return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid(param, `Invalid hash: ${param}`);
  return v;
}

export function optionalArray(params: Params, name: string, param = name): FormValue[] | null {
  const v = params[name];
  if (v === undefined) return null;
  if (!Array.isArray(v)) throw invalid(param, `Invalid array: ${param}`);
  return v;
}

/** Stripe's metadata rules: at most 50 keys, keys up to 40 characters, values up to 500. */
export function metadata(params: Params, name: string, param = name): Record<string, string> {
  const m = optionalObject(params, name, param) ?? {};
  const out: Record<string, string> = {};
  const keys = Object.keys(m);
  if (keys.length > 50) throw invalid(param, `Invalid ${param}: at most 50 keys`);
  for (const key of keys) {
    const v = m[key];
    if (typeof v !== 'string') throw invalid(`${param}[${key}]`, `Invalid string: ${param}[${key}]`);
    if (key.length > 40 || v.length > 500)
      throw invalid(`${param}[${key}]`, `Invalid ${param}: keys up to 40 characters, values up to 500`);
    out[key] = v;
  }
  return out;
}

function isKnownCurrency(v: string): boolean {
  try {
    return /^[a-z]{3}$/.test(v) && Intl.supportedValuesOf('currency').includes(v.toUpperCase());
  } catch {
    return false;
  }
}

function isHttpUrl(v: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}

/** A currency code Stripe would accept, lower-cased as Stripe returns it. */
export function currency(params: Params, name: string, param = name): string {
  const v = requiredString(params, name, param).toLowerCase();
  if (!isKnownCurrency(v))
    throw invalid(param, `Invalid currency: ${v}. Stripe currently supports these currencies: https://stripe.com/docs/currencies`);
  return v;
}

/** An absolute http(s) URL, as Stripe requires for success_url and cancel_url. */
export function url(params: Params, name: string, required: boolean): string | null {
  const v = required ? requiredString(params, name, name, 5000) : optionalString(params, name, name, 5000);
  if (v === null) return null;
  if (!isHttpUrl(v.replace('{CHECKOUT_SESSION_ID}', 'x'))) throw invalid(name, 'Not a valid URL');
  return v;
}

/** A `created` filter: an exact unix time, or any of `[gt]`, `[gte]`, `[lt]`, `[lte]`. */
export function createdFilter(params: Params): (created: number) => boolean {
  const v = params.created;
  if (v === undefined || v === '') return () => true;
  if (typeof v === 'string') {
    const at = optionalInt(params, 'created');
    return (c) => c === at;
  }
  if (typeof v !== 'object' || Array.isArray(v)) throw invalid('created', 'Invalid created: a timestamp or a hash of gt, gte, lt, lte');
  onlyKnown(v, ['gt', 'gte', 'lt', 'lte'], 'created');
  const bound = (k: string) => optionalInt(v, k, `created[${k}]`);
  const gt = bound('gt');
  const gte = bound('gte');
  const lt = bound('lt');
  const lte = bound('lte');
  return (c) => (gt === null || c > gt) && (gte === null || c >= gte) && (lt === null || c < lt) && (lte === null || c <= lte);
}
