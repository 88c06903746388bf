import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/platform/config.js';
import { testConfig } from '../support/env.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { CROSS_SITE, TestBrowser } from '../support/auth.js';
import { testDialects } from '../support/database.js';

describe.each(testDialects)('the donate form on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    // No gateway runs here: every post below must be refused before a payment is asked for.
    t = await createTestApp(dialect, { STRIPE_API_URL: 'http://127.0.0.1:9', STRIPE_SECRET_KEY: 'sk_test_unused_in_these_tests' });
  });
  afterAll(() => t.close());

  const countDonations = async () => (await t.db.kysely.selectFrom('donations').select('id').execute()).length;

  async function openForm(browser = new TestBrowser(t.app)) {
    const page = await browser.request('/donate');
    expect(page.status).toBe(200);
    return { browser, page };
  }

  it('offers preset amounts, another amount, a message and an optional email, without JavaScript', async () => {
    const { page } = await openForm();
    expect(page.body).toContain('<form method="post" action="/donate"');
    for (const preset of ['5.00', '10.00', '25.00', '50.00', 'other'])
      expect(page.body).toContain(`<input type="radio" name="amount_choice" value="${preset}"/>`);
    for (const label of ['€5', '€10', '€25', '€50', 'Other amount']) expect(page.body).toContain(`${label}</label>`);
    expect(page.body).toContain('You can give from €1.00 to €1,000.00');
    expect(page.body).toMatch(/<input id="donate-amount" name="amount" type="text" inputmode="decimal"/);
    expect(page.body).toMatch(/<textarea id="donate-message" name="message" rows="4" maxlength="500"/);
    expect(page.body).toContain('>Email for your receipt (optional)</label>');
    expect(page.body).not.toMatch(/ style=| onclick=/);
  });

  const invalid: Array<[string, Record<string, string>, string, string]> = [
    ['no amount', { amount_choice: '', amount: '' }, 'amount', 'Please choose an amount or enter one.'],
    ['other chosen, nothing typed', { amount_choice: 'other', amount: '' }, 'amount', 'Please choose an amount or enter one.'],
    ['not a number', { amount_choice: 'other', amount: 'lots' }, 'amount', 'Please enter the amount as a number, for example 15 or 12.50.'],
    ['below the minimum', { amount_choice: 'other', amount: '0.50' }, 'amount', 'The smallest donation is €1.00.'],
    ['negative', { amount_choice: 'other', amount: '-20' }, 'amount', 'The smallest donation is €1.00.'],
    ['above the maximum', { amount_choice: 'other', amount: '1000.01' }, 'amount', 'The largest donation we can take online is €1,000.00.'],
    ['too many decimals', { amount_choice: 'other', amount: '12.345' }, 'amount', 'Please enter at most 2 decimal places.'],
    ['a tampered preset', { amount_choice: '0.01' }, 'amount', 'The smallest donation is €1.00.'],
    [
      'a preset and a different typed amount',
      { amount_choice: '25.00', amount: '30' },
      'amount',
      'You picked €25.00 and also typed an amount.',
    ],
    [
      'a message that is too long',
      { amount_choice: '10.00', message: 'm'.repeat(501) },
      'message',
      'Your message can be up to 500 characters; it has 501.',
    ],
    [
      'a bad email',
      { amount_choice: '10.00', email: 'not-an-email' },
      'email',
      'Please enter a valid email address for your receipt, or leave it empty.',
    ],
  ];

  it.each(invalid)('refuses %s with its message and keeps what was typed, storing nothing', async (_name, fields, field, message) => {
    const before = await countDonations();
    const { browser } = await openForm();
    const form = { amount_choice: '', amount: '', message: 'Keep it up <3', email: '', ...fields };
    const res = await browser.request('/donate', { form });
    expect(res.status).toBe(400);
    expect(res.body).toContain('Please correct the highlighted fields.');
    expect(res.body).toContain(`<p class="field-error" id="donate-${field}-error">${message.replaceAll('“', '“')}`);
    expect(res.body).toContain('aria-invalid="true"');
    if (field !== 'message') expect(res.body).toContain('Keep it up &lt;3</textarea>');
    if (form.amount) expect(res.body).toContain(`value="${form.amount}"`);
    if (fields.amount_choice && fields.amount_choice !== 'other' && fields.amount_choice !== '0.01')
      expect(res.body).toContain(`value="${fields.amount_choice}" checked`);
    if (fields.email) expect(res.body).toContain(`value="${fields.email}"`);
    expect(await countDonations()).toBe(before);
  });

  it('reports every bad field at once', async () => {
    const { browser } = await openForm();
    const res = await browser.request('/donate', {
      form: { amount_choice: 'other', amount: 'x', message: 'y'.repeat(600), email: 'bad' },
    });
    expect(res.status).toBe(400);
    for (const field of ['amount', 'message', 'email']) expect(res.body).toContain(`id="donate-${field}-error"`);
  });

  it('refuses a post from another site, or from a sandboxed page (Origin: null), storing nothing', async () => {
    const before = await countDonations();
    const { browser } = await openForm();
    for (const headers of [CROSS_SITE, { 'sec-fetch-site': 'same-site' }, { origin: 'null' }] as Record<string, string>[]) {
      const res = await browser.request('/donate', { form: { amount_choice: '10.00' }, headers });
      expect(res.status).toBe(403);
      expect(res.body).toContain('This request came from another site, so it was refused.');
    }
    expect(await countDonations()).toBe(before);
  });

  it('limits how often one client may post', async () => {
    const { browser } = await openForm();
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await browser.request('/donate', { form: { amount_choice: 'other', amount: 'x' } })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
    expect(statuses[10]).toBe(429);
    const elsewhere = await openForm();
    expect((await elsewhere.browser.request('/donate', { form: { amount_choice: 'other', amount: 'x' } })).status).toBe(400);
  });

  it('answers an unknown or mismatched thank-you link with 404', async () => {
    for (const url of [
      '/donate/thanks',
      '/donate/thanks?donation=don_000000000000000000000000',
      '/donate/thanks?donation=don_000000000000000000000000&session_id=cs_x',
      `/donate/thanks?donation=${'d'.repeat(65)}&session_id=x`,
    ]) {
      const res = await t.app.inject(url);
      expect(res.statusCode, url).toBe(404);
    }
  });

  it('shows the form, without a notice, for a cancel link naming no known donation', async () => {
    const res = await t.app.inject('/donate?cancelled=1&donation=don_000000000000000000000000');
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('nothing was charged');
  });
});

describe('donation configuration', () => {
  it('defaults to €1 to €1,000 in EUR with four presets', () => {
    expect(testConfig().donations).toEqual({ currency: 'EUR', min: 100, max: 100_000, presets: [500, 1000, 2500, 5000] });
  });

  it('reads amounts in the currency’s major unit', () => {
    expect(
      testConfig({ DONATION_CURRENCY: 'JPY', DONATION_MIN: '100', DONATION_MAX: '50000', DONATION_PRESETS: '500,1000' }).donations,
    ).toEqual({ currency: 'JPY', min: 100, max: 50_000, presets: [500, 1000] });
    expect(testConfig({ DONATION_MIN: '2.50', DONATION_PRESETS: '2.5,10' }).donations).toMatchObject({ min: 250, presets: [250, 1000] });
  });

  it.each([
    [{ DONATION_CURRENCY: 'eur' }, 'DONATION_CURRENCY: must be an upper-case ISO 4217 code'],
    [{ DONATION_CURRENCY: 'XYZ' }, 'DONATION_CURRENCY: XYZ is not an ISO 4217 currency'],
    [{ DONATION_MIN: '-1' }, 'DONATION_MIN: must be an amount'],
    [{ DONATION_MIN: '0' }, 'DONATION_MIN: must be more than 0'],
    [{ DONATION_MIN: '50', DONATION_MAX: '10', DONATION_PRESETS: '10' }, 'DONATION_MAX: must not be less than DONATION_MIN'],
    [{ DONATION_MAX: '1000000' }, 'DONATION_MAX: must be at most 99,999,999 minor units'],
    [{ DONATION_CURRENCY: 'JPY', DONATION_MIN: '1.5', DONATION_PRESETS: '500' }, 'DONATION_MIN: has more decimal places than JPY allows'],
    [{ DONATION_PRESETS: '5,2000' }, 'DONATION_PRESETS: every amount must lie between DONATION_MIN and DONATION_MAX'],
    [{ DONATION_PRESETS: '5;10' }, 'DONATION_PRESETS: must be up to 8 comma-separated amounts'],
  ])('refuses %j', (env, message) => {
    expect(() => testConfig(env)).toThrow(ConfigError);
    expect(() => testConfig(env)).toThrow(message);
  });
});
