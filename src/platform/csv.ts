import { minorUnitDigits } from './money.js';

/** Text a spreadsheet would run as a formula (=, +, -, @, and tab or carriage return before one). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain decimal number ("-5.00") is a value, never a formula: it keeps its sign untouched. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/**
 * One field as RFC 4180 writes it. Text that a spreadsheet would take for a formula gets a leading
 * apostrophe first (OWASP's advice against CSV injection); plain numbers stay as they are.
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One record, CRLF-terminated as RFC 4180 has it. */
export function csvRecord(fields: (string | number)[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** Minor units as the decimal amount an accountant types (1900 EUR → "19.00", 500 JPY → "500"). */
export function decimalAmount(minor: number, currency: string): string {
  const digits = minorUnitDigits(currency);
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}
