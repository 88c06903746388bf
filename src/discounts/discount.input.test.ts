import { describe, expect, it } from 'vitest';
import {
  EMPTY_DISCOUNT_FORM,
  formatAmounts,
  parseAmounts,
  parseDiscountForm,
  parseInstant,
  parsePercent,
  type DiscountForm,
} from './discount.input.js';

const form = (over: Partial<DiscountForm>): DiscountForm => ({ ...EMPTY_DISCOUNT_FORM, code: 'save-10', percent: '10', ...over });

describe('discount form', () => {
  it.each([
    ['EUR 5.00, USD 6.00', { EUR: 500, USD: 600 }],
    ['eur 5', { EUR: 500 }],
    ['EUR5.5', { EUR: 550 }],
    ['JPY 500', { JPY: 500 }],
    ['EUR 5.001', null],
    ['JPY 5.5', null],
    ['XXY 5', null],
    ['EUR 5, EUR 6', null],
    ['5 EUR', null],
    ['EUR -5', null],
    ['', null],
  ])('amounts %j → %j', (raw, expected) => {
    expect(parseAmounts(raw)).toEqual(expected);
  });

  it('formats amounts back', () => {
    expect(formatAmounts({ EUR: 500, JPY: 700 })).toBe('EUR 5.00, JPY 700');
  });

  it.each([
    ['15', 1500],
    ['12.5', 1250],
    ['0.01', 1],
    ['100', 10000],
    ['15 %', 1500],
    ['0', null],
    ['101', null],
    ['abc', null],
    ['1.234', null],
  ])('percent %j → %j', (raw, bp) => {
    expect(parsePercent(raw)).toBe(bp);
  });

  it.each([
    ['2026-12-24', Date.parse('2026-12-24T00:00:00Z')],
    ['2026-12-24T18:30', Date.parse('2026-12-24T18:30:00Z')],
    ['2026-12-24 18:30 UTC', Date.parse('2026-12-24T18:30:00Z')],
    ['2026-02-30', null],
    ['24.12.2026', null],
    ['tomorrow', null],
  ])('instant %j → %j', (raw, ms) => {
    expect(parseInstant(raw)).toBe(ms);
  });

  it('reads a full form', () => {
    const { value, errors } = parseDiscountForm(
      form({
        code: ' winter_24 ',
        kind: 'fixed',
        amounts: 'EUR 5.00, USD 6.00',
        products: 'ab-1, cd-2',
        categories: 'Audio tools',
        minSubtotal: 'EUR 30',
        startsAt: '2026-12-01',
        endsAt: '2026-12-31T23:59',
        maxUses: '100',
        maxUsesPerBuyer: '1',
      }),
    );
    expect(errors).toEqual({});
    expect(value).toMatchObject({
      code: 'WINTER_24',
      kind: 'fixed',
      percentBp: null,
      amounts: { EUR: 500, USD: 600 },
      minSubtotals: { EUR: 3000 },
      skus: ['AB-1', 'CD-2'],
      slugs: ['audio', 'tools'],
      maxUses: 100,
      maxUsesPerBuyer: 1,
    });
  });

  it('names every bad field at once', () => {
    const { value, errors } = parseDiscountForm({
      code: 'x',
      kind: 'other',
      percent: '',
      amounts: '',
      products: '',
      categories: '',
      minSubtotal: 'thirty',
      startsAt: 'soon',
      endsAt: 'later',
      maxUses: '0',
      maxUsesPerBuyer: '-1',
    });
    expect(value).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(['code', 'endsAt', 'kind', 'maxUses', 'maxUsesPerBuyer', 'minSubtotal', 'startsAt']);
    expect(parseDiscountForm(form({ percent: '150' })).errors).toHaveProperty('percent');
    expect(parseDiscountForm(form({ kind: 'fixed', amounts: 'EUR 0' })).errors).toHaveProperty('amounts');
    expect(parseDiscountForm(form({ startsAt: '2026-12-02', endsAt: '2026-12-01' })).errors.endsAt).toBe(
      'The end must come after the start.',
    );
    expect(parseDiscountForm(form({ code: 'has space' })).errors).toHaveProperty('code');
  });
});
