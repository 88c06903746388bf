/**
 * The owner's new-code form (admin page and CLI alike) read from text: every field's problem at
 * once, or the values ready to store (product SKUs and category slugs still to be resolved).
 */
import { isCurrency, minorUnitDigits } from '../platform/money.js';
import { CODE_SHAPE, normaliseCode } from './discount.rules.js';

/** The form as typed; every field a string (empty: not set). */
export interface DiscountForm {
  code: string;
  kind: string;
  percent: string;
  amounts: string;
  products: string;
  categories: string;
  minSubtotal: string;
  startsAt: string;
  endsAt: string;
  maxUses: string;
  maxUsesPerBuyer: string;
}

export type DiscountField = keyof DiscountForm;
export type DiscountFieldErrors = Partial<Record<DiscountField, string>>;

export const EMPTY_DISCOUNT_FORM: DiscountForm = {
  code: '',
  kind: 'percent',
  percent: '',
  amounts: '',
  products: '',
  categories: '',
  minSubtotal: '',
  startsAt: '',
  endsAt: '',
  maxUses: '',
  maxUsesPerBuyer: '',
};

export interface ParsedDiscount {
  code: string;
  kind: 'percent' | 'fixed';
  percentBp: number | null;
  amounts: Record<string, number> | null;
  minSubtotals: Record<string, number> | null;
  skus: string[];
  slugs: string[];
  startsAt: number | null;
  endsAt: number | null;
  maxUses: number | null;
  maxUsesPerBuyer: number | null;
}

const MAX_USES = 1_000_000_000;

/** `EUR 5.00, USD 6` as minor units per currency; null when any part is malformed. */
export function parseAmounts(raw: string): Record<string, number> | null {
  const out: Record<string, number> = {};
  for (const part of raw.split(',')) {
    const m = /^\s*([A-Za-z]{3})\s*(\d{1,9})(?:\.(\d{1,3}))?\s*$/.exec(part);
    if (!m) return null;
    const currency = m[1]!.toUpperCase();
    if (!isCurrency(currency) || currency in out) return null;
    const digits = minorUnitDigits(currency);
    const fraction = m[3] ?? '';
    if (fraction.length > digits) return null;
    out[currency] = Number(m[2]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  }
  return out;
}

/** Amounts as the form shows them back: `EUR 5.00, USD 6.00`. */
export function formatAmounts(amounts: Record<string, number> | null): string {
  if (!amounts) return '';
  return Object.entries(amounts)
    .map(([currency, minor]) => {
      const digits = minorUnitDigits(currency);
      return `${currency} ${digits === 0 ? String(minor) : (minor / 10 ** digits).toFixed(digits)}`;
    })
    .join(', ');
}

/** A percentage such as `15` or `12.5` in basis points (1 to 10000); null otherwise. */
export function parsePercent(raw: string): number | null {
  const m = /^\s*(\d{1,3})(?:\.(\d{1,2}))?\s*%?\s*$/.exec(raw);
  if (!m) return null;
  const bp = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return bp >= 1 && bp <= 10_000 ? bp : null;
}

/** `2026-12-24`, `2026-12-24T18:00` or `2026-12-24 18:00` read as UTC; null when malformed. */
export function parseInstant(raw: string): number | null {
  const m = /^\s*(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?\s*(?:UTC|Z)?\s*$/i.exec(raw);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00:00'}:00Z`);
  return Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== m[1] ? null : ms;
}

const list = (raw: string) =>
  raw
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/** The SKUs (upper-case) and category slugs (lower-case) the form names, even when other fields are wrong. */
export function targetsOf(form: Pick<DiscountForm, 'products' | 'categories'>): { skus: string[]; slugs: string[] } {
  return { skus: list(form.products).map((s) => s.toUpperCase()), slugs: list(form.categories).map((s) => s.toLowerCase()) };
}

function limit(raw: string): number | null | undefined {
  const t = raw.trim();
  if (t === '') return null;
  return /^\d{1,10}$/.test(t) && Number(t) >= 1 && Number(t) <= MAX_USES ? Number(t) : undefined;
}

/** The form's values, or each field's problem (nothing is stored while any remains). */
export function parseDiscountForm(form: DiscountForm): { value: ParsedDiscount | null; errors: DiscountFieldErrors } {
  const errors: DiscountFieldErrors = {};
  const code = normaliseCode(form.code);
  if (!CODE_SHAPE.test(code)) errors.code = 'A code has 3 to 60 letters, digits, dashes or underscores, e.g. SUMMER-15.';
  const kind = form.kind === 'fixed' ? 'fixed' : form.kind === 'percent' ? 'percent' : null;
  if (!kind) errors.kind = 'Choose a percentage or a fixed amount.';
  const percentBp = kind === 'percent' ? parsePercent(form.percent) : null;
  if (kind === 'percent' && percentBp === null) errors.percent = 'Give a percentage from 0.01 to 100, e.g. 15 or 12.5.';
  const amounts = kind === 'fixed' ? parseAmounts(form.amounts) : null;
  if (kind === 'fixed' && (amounts === null || Object.values(amounts).some((a) => a <= 0)))
    errors.amounts = 'Give an amount per currency, e.g. EUR 5.00, USD 6.00.';
  const minSubtotals = form.minSubtotal.trim() === '' ? null : parseAmounts(form.minSubtotal);
  if (form.minSubtotal.trim() !== '' && minSubtotals === null)
    errors.minSubtotal = 'Give a minimum per currency, e.g. EUR 30.00, or leave it empty.';
  const startsAt = form.startsAt.trim() === '' ? null : parseInstant(form.startsAt);
  if (form.startsAt.trim() !== '' && startsAt === null) errors.startsAt = 'Give a date (UTC) such as 2026-12-24 or 2026-12-24T18:00.';
  const endsAt = form.endsAt.trim() === '' ? null : parseInstant(form.endsAt);
  if (form.endsAt.trim() !== '' && endsAt === null) errors.endsAt = 'Give a date (UTC) such as 2026-12-31 or 2026-12-31T23:59.';
  else if (startsAt !== null && endsAt !== null && endsAt <= startsAt) errors.endsAt = 'The end must come after the start.';
  const maxUses = limit(form.maxUses);
  if (maxUses === undefined) errors.maxUses = 'A whole number from 1, or empty for no limit.';
  const maxUsesPerBuyer = limit(form.maxUsesPerBuyer);
  if (maxUsesPerBuyer === undefined) errors.maxUsesPerBuyer = 'A whole number from 1, or empty for no limit.';
  if (Object.keys(errors).length > 0) return { value: null, errors };
  return {
    value: {
      code,
      kind: kind!,
      percentBp,
      amounts,
      minSubtotals,
      ...targetsOf(form),
      startsAt,
      endsAt,
      maxUses: maxUses ?? null,
      maxUsesPerBuyer: maxUsesPerBuyer ?? null,
    },
    errors,
  };
}
