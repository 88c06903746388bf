import { createCache } from './cache.js';

// Module-level, unlike the store's other caches (src/caches.ts): pure memo tables of a pure function,
// the same for every app in the process. One formatter per currency and locale: bounded by the
// currencies the runtime knows and the locales in use.
const formatters = new Map<string, Intl.NumberFormat>();
let currencies: Set<string> | undefined;

function formatter(currency: string, locale: string): Intl.NumberFormat {
  const key = `${currency}|${locale}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, f);
  }
  return f;
}

/** True for an upper-case ISO 4217 code this runtime knows (EUR, USD, JPY, …). */
export function isCurrency(code: string): boolean {
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

/** Digits after the decimal point in the currency's minor unit: 2 for EUR, 0 for JPY, 3 for KWD. */
export function minorUnitDigits(currency: string): number {
  return formatter(currency, 'en').resolvedOptions().maximumFractionDigits ?? 2;
}

// ICU formatting costs microseconds per call and a catalog page shows dozens of prices drawn from
// a few hundred distinct amounts: the strings themselves are worth keeping (the most recently used
// 10,000, a few hundred KB).
const formatted = createCache<string, string>({ max: 10_000 });

/** An amount in minor units as the locale writes it (4900 EUR → "€49.00"); formatters and results are cached. */
export function formatMoney(amountMinor: number, currency: string, locale = 'en'): string {
  const key = `${amountMinor}|${currency}|${locale}`;
  const hit = formatted.get(key);
  if (hit !== undefined) return hit;
  const f = formatter(currency, locale);
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return formatted.set(key, f.format(amountMinor / 10 ** digits));
}
