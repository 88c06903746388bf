import { parseSku } from '../catalog/sku.js';
import { ValidationError } from '../platform/errors.js';

const DAY = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A day of `?from=` / `?to=` (YYYY-MM-DD, UTC) as its first millisecond; null when empty. */
function parseDay(raw: string | undefined, which: 'from' | 'to'): number | null {
  const value = (raw ?? '').trim();
  if (value === '') return null;
  const m = ISO_DAY.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  // Date.UTC rolls 2026-02-30 over into March: a real day prints back as itself.
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value)
    throw new ValidationError(
      `The ${which === 'from' ? '“from”' : '“to”'} date “${value.slice(0, 20)}” is not a day written as YYYY-MM-DD, e.g. 2026-03-31.`,
      undefined,
      'invalid_date',
    );
  return ms;
}

/** An inclusive range of UTC days as [from, before) in epoch ms; 400 for a bad day or a reversed range. */
export function parseDateRange(rawFrom: string | undefined, rawTo: string | undefined) {
  const from = parseDay(rawFrom, 'from');
  const to = parseDay(rawTo, 'to');
  if (from !== null && to !== null && from > to)
    throw new ValidationError(
      `The date range is reversed: “from” ${rawFrom!.trim()} is after “to” ${rawTo!.trim()}.`,
      undefined,
      'invalid_date_range',
    );
  return {
    from: from === null ? '' : rawFrom!.trim(),
    to: to === null ? '' : rawTo!.trim(),
    createdFrom: from ?? undefined,
    createdBefore: to === null ? undefined : to + DAY,
  };
}

/** `?sku=`: empty for any product; otherwise the normalised SKU (400 when it could not be one). */
export function parseSkuFilter(raw: string | undefined): string {
  const value = (raw ?? '').trim();
  if (value === '') return '';
  const sku = parseSku(value);
  if (sku === null)
    throw new ValidationError(
      `“${value.slice(0, 70)}” is not a SKU: letters, digits, dots, dashes and underscores, 2 to 64 characters.`,
      undefined,
      'invalid_sku',
    );
  return sku;
}
