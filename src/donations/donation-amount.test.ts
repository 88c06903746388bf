import { describe, expect, it } from 'vitest';
import { parseDonationAmount, toMajorString } from './donation-amount.js';
import { checkDonationForm, type DonationForm } from './donation-form.js';

const eur = { currency: 'EUR', min: 100, max: 100_000, presets: [500, 1000, 2500, 5000] };
const jpy = { currency: 'JPY', min: 100, max: 100_000, presets: [500] };
const kwd = { currency: 'KWD', min: 1000, max: 1_000_000, presets: [] };

describe('parseDonationAmount', () => {
  it.each([
    ['15', 1500],
    ['12.5', 1250],
    ['12.50', 1250],
    ['12,50', 1250],
    [' 7 ', 700],
    ['€25', 2500],
    ['25 €', 2500],
    ['EUR 3.10', 310],
    ['eur3', 300],
    ['1,000', 100_000],
    ['1 000', 100_000],
    ['999.99', 99_999],
    ['1', 100],
    ['1.00', 100],
    ['007', 700],
  ] as Array<[string, number]>)('reads %j as %i cents', (input, minor) => {
    expect(parseDonationAmount(input, eur)).toEqual({ ok: true, amount: minor });
  });

  it.each([
    ['', 'missing', 'Please choose an amount or enter one.'],
    ['   ', 'missing', 'Please choose an amount or enter one.'],
    ['ten', 'not_a_number', 'Please enter the amount as a number, for example 15 or 12.50.'],
    ['1e3', 'not_a_number', 'for example'],
    ['12.5.1', 'not_a_number', 'for example'],
    ['0x10', 'not_a_number', 'for example'],
    ['Infinity', 'not_a_number', 'for example'],
    ['$10', 'not_a_number', 'for example'],
    ['.', 'not_a_number', 'for example'],
    ['0.99', 'below_min', 'The smallest donation is €1.00.'],
    ['0', 'below_min', 'The smallest donation is €1.00.'],
    ['-5', 'below_min', 'The smallest donation is €1.00.'],
    ['1000.01', 'above_max', 'The largest donation we can take online is €1,000.00.'],
    ['99999999999999999999999', 'above_max', 'The largest donation'],
    ['10.999', 'too_many_decimals', 'Please enter at most 2 decimal places.'],
    ['1.001', 'too_many_decimals', 'Please enter at most 2 decimal places.'],
  ])('refuses %j (%s)', (input, problem, message) => {
    const result = parseDonationAmount(input, eur);
    expect(result).toMatchObject({ ok: false, problem });
    if (!result.ok) expect(result.message).toContain(message);
  });

  it('accepts trailing zeros beyond the currency’s precision', () => {
    expect(parseDonationAmount('10.500', eur)).toEqual({ ok: true, amount: 1050 });
  });

  it('follows the currency’s minor unit', () => {
    expect(parseDonationAmount('500', jpy)).toEqual({ ok: true, amount: 500 });
    expect(parseDonationAmount('¥1,500', jpy)).toEqual({ ok: true, amount: 1500 });
    expect(parseDonationAmount('500.5', jpy)).toMatchObject({
      ok: false,
      problem: 'too_many_decimals',
      message: 'Please enter a whole amount: JPY has no smaller unit.',
    });
    expect(parseDonationAmount('99', jpy)).toMatchObject({ ok: false, problem: 'below_min', message: 'The smallest donation is ¥100.' });
    expect(parseDonationAmount('1.234', kwd)).toEqual({ ok: true, amount: 1234 });
    expect(parseDonationAmount('1.2345', kwd)).toMatchObject({
      ok: false,
      problem: 'too_many_decimals',
      message: 'Please enter at most 3 decimal places.',
    });
  });

  it('writes minor units back as a form value', () => {
    expect(toMajorString(500, 'EUR')).toBe('5.00');
    expect(toMajorString(1234, 'EUR')).toBe('12.34');
    expect(toMajorString(500, 'JPY')).toBe('500');
    expect(toMajorString(1005, 'KWD')).toBe('1.005');
    for (const minor of [100, 101, 99_999, 100_000])
      expect(parseDonationAmount(toMajorString(minor, 'EUR'), eur)).toEqual({ ok: true, amount: minor });
  });
});

describe('checkDonationForm', () => {
  const form = (over: Partial<DonationForm> = {}): DonationForm => ({ amount_choice: '', amount: '', message: '', email: '', ...over });

  it('takes a preset, or the typed amount under “Other amount” or with no choice', () => {
    expect(checkDonationForm(form({ amount_choice: '10.00' }), eur, null).value).toEqual({ amount: 1000, message: '', email: null });
    expect(checkDonationForm(form({ amount_choice: 'other', amount: '7.5' }), eur, null).value?.amount).toBe(750);
    expect(checkDonationForm(form({ amount: '7.5' }), eur, null).value?.amount).toBe(750);
    expect(checkDonationForm(form({ amount_choice: '10.00', amount: '10' }), eur, null).value?.amount).toBe(1000);
  });

  it('asks which amount is meant when a preset and a different typed amount are both given', () => {
    const { errors, value } = checkDonationForm(form({ amount_choice: '10.00', amount: '7' }), eur, null);
    expect(value).toBeUndefined();
    expect(errors.amount).toBe(
      'You picked €10.00 and also typed an amount. Choose “Other amount” to give what you typed, or clear that field.',
    );
  });

  it('bounds a tampered preset like any amount', () => {
    expect(checkDonationForm(form({ amount_choice: '0.01' }), eur, null).errors.amount).toBe('The smallest donation is €1.00.');
    expect(checkDonationForm(form({ amount_choice: '5000' }), eur, null).errors.amount).toContain('The largest donation');
  });

  it('keeps a message of up to 500 characters, normalised', () => {
    const ok = checkDonationForm(form({ amount: '5', message: `  Keep going!\r\nThanks\u0000  ` }), eur, null);
    expect(ok.value?.message).toBe('Keep going!\nThanks');
    expect(checkDonationForm(form({ amount: '5', message: 'é'.repeat(500) }), eur, null).value?.message).toHaveLength(500);
    expect(checkDonationForm(form({ amount: '5', message: 'x'.repeat(501) }), eur, null).errors.message).toBe(
      'Your message can be up to 500 characters; it has 501.',
    );
  });

  it('checks a visitor’s optional email; a logged-in donor’s account address wins', () => {
    expect(checkDonationForm(form({ amount: '5', email: ' ada@example.test ' }), eur, null).value?.email).toBe('ada@example.test');
    for (const email of ['nope', 'a@b', 'a b@example.test', `${'x'.repeat(250)}@example.test`, 'a\u0000@example.test']) {
      expect(checkDonationForm(form({ amount: '5', email }), eur, null).errors.email, email).toBe(
        'Please enter a valid email address for your receipt, or leave it empty.',
      );
    }
    expect(checkDonationForm(form({ amount: '5', email: 'other@example.test' }), eur, 'me@example.test').value?.email).toBe(
      'me@example.test',
    );
    expect(checkDonationForm(form({ amount: '5', email: 'nope' }), eur, 'me@example.test').errors).toEqual({});
  });

  it('reports every bad field at once', () => {
    const { errors } = checkDonationForm(form({ amount: 'abc', message: 'x'.repeat(600), email: 'bad' }), eur, null);
    expect(Object.keys(errors).sort()).toEqual(['amount', 'email', 'message']);
  });
});
