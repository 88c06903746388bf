import { formatMoney, minorUnitDigits } from '../platform/money.js';

/** The bounds of one donation, in minor units of `currency` (from configuration). */
export interface DonationLimits {
  currency: string;
  min: number;
  max: number;
  /** The amounts offered as buttons, minor units. */
  presets: number[];
}

export type AmountProblem = 'missing' | 'not_a_number' | 'too_many_decimals' | 'below_min' | 'above_max';
export type AmountResult = { ok: true; amount: number } | { ok: false; problem: AmountProblem; message: string };

const symbolCache = new Map<string, string[]>();

/** What people type around an amount in this currency: the code and its symbols (EUR, €). */
function currencyMarks(currency: string): string[] {
  let marks = symbolCache.get(currency);
  if (!marks) {
    const symbol = (display: 'symbol' | 'narrowSymbol') =>
      new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: display })
        .formatToParts(1)
        .find((p) => p.type === 'currency')?.value ?? currency;
    marks = [...new Set([currency, symbol('symbol'), symbol('narrowSymbol')])].sort((a, b) => b.length - a.length);
    symbolCache.set(currency, marks);
  }
  return marks;
}

function stripCurrency(text: string, currency: string): string {
  for (const mark of currencyMarks(currency)) {
    const upper = text.toUpperCase();
    if (upper.startsWith(mark.toUpperCase())) return text.slice(mark.length);
    if (upper.endsWith(mark.toUpperCase())) return text.slice(0, text.length - mark.length);
  }
  return text;
}

/** A major-unit amount as a form value in its currency's own precision: 500 EUR → "5.00", 500 JPY → "500". */
export function toMajorString(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  return digits === 0 ? String(minor) : `${Math.trunc(minor / 10 ** digits)}.${String(minor % 10 ** digits).padStart(digits, '0')}`;
}

/**
 * What a donor typed ("15", "12.50", "12,50", "€1,000", " 7 ") as minor units of the currency,
 * within the limits; or the problem, with a message for the donor. Never goes through floating point.
 */
export function parseDonationAmount(raw: string, limits: Pick<DonationLimits, 'currency' | 'min' | 'max'>): AmountResult {
  const { currency, min, max } = limits;
  const digits = minorUnitDigits(currency);
  const tooSmall = { ok: false, problem: 'below_min', message: `The smallest donation is ${formatMoney(min, currency)}.` } as const;
  const tooLarge = {
    ok: false,
    problem: 'above_max',
    message: `The largest donation we can take online is ${formatMoney(max, currency)}.`,
  } as const;
  let text = stripCurrency(raw.replace(/\s+/g, ''), currency);
  if (text === '') return { ok: false, problem: 'missing', message: 'Please choose an amount or enter one.' };
  if (/^-\d/.test(text)) return tooSmall;
  // "1,000" and "1,000.50" group thousands; "12,50" is a decimal comma.
  if (/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(text)) text = text.replaceAll(',', '');
  else if (/^\d*,\d+$/.test(text)) text = text.replace(',', '.');
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[1] === '' && !match[2])) {
    const example = digits === 0 ? '500' : `15 or 12.${'5'.padEnd(digits, '0')}`;
    return { ok: false, problem: 'not_a_number', message: `Please enter the amount as a number, for example ${example}.` };
  }
  const whole = match[1]!.replace(/^0+(?=\d)/, '') || '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) {
    return {
      ok: false,
      problem: 'too_many_decimals',
      message:
        digits === 0 ? `Please enter a whole amount: ${currency} has no smaller unit.` : `Please enter at most ${digits} decimal places.`,
    };
  }
  if (whole.length > 15) return tooLarge;
  const amount = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  if (amount < min || amount <= 0) return tooSmall;
  if (amount > max) return tooLarge;
  return { ok: true, amount };
}
