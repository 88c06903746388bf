import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../dev/smtp-sink.js';
import { CROSS_SITE, TestBrowser } from '../support/auth.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';

const form = { name: 'Ada Buyer', email: 'ada@example.test', subject: 'Refund question', message: 'Can I get a refund for an unused key?' };

describe.each(testDialects)('contact form over HTTP on %s', (dialect) => {
  let t: TestApp;
  let sink: SmtpSink & { failing: boolean };
  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp(dialect, { SMTP_URL: sink.url, SHOP_EMAIL: 'owner@shop.test' });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  async function openForm(browser = new TestBrowser(t.app)) {
    const page = await browser.request('/contact');
    expect(page.status).toBe(200);
    return { browser, page };
  }

  it('shows a labelled form with a hidden honeypot', async () => {
    const { page } = await openForm();
    for (const label of ['Your name', 'Email address', 'Subject', 'Message']) expect(page.body).toContain(`>${label}</label>`);
    expect(page.body).toMatch(/<div class="hp" aria-hidden="true">/);
  });

  it('stores the message, confirms it and mails the shop', async () => {
    const { browser } = await openForm();
    const posted = await browser.request('/contact', { form: { ...form, website: '' } });
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(/\/contact\?sent=1$/);
    const confirmation = await browser.request(posted.location!);
    expect(confirmation.body).toContain('Thank you! Your message has been sent.');
    const stored = await t.db.kysely.selectFrom('contact_messages').selectAll().execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject(form);
  });

  it('re-shows the form with field errors and the typed values, storing nothing', async () => {
    const before = (await t.db.kysely.selectFrom('contact_messages').selectAll().execute()).length;
    const { browser } = await openForm();
    const res = await browser.request('/contact', { form: { name: 'Bob <b>', email: 'nope', subject: '', message: 'short' } });
    expect(res.status).toBe(400);
    expect(res.body).toContain('Please correct the highlighted fields.');
    expect(res.body).toContain('Please enter a valid email address');
    expect(res.body).toContain('value="Bob &lt;b>"');
    expect(res.body).toContain('aria-invalid="true"');
    expect((await t.db.kysely.selectFrom('contact_messages').selectAll().execute()).length).toBe(before);
  });

  it('refuses a post from another site, storing nothing', async () => {
    const before = (await t.db.kysely.selectFrom('contact_messages').selectAll().execute()).length;
    const { browser } = await openForm();
    const res = await browser.request('/contact', { form, headers: CROSS_SITE });
    expect(res.status).toBe(403);
    expect(res.body).toContain('This request came from another site, so it was refused.');
    expect((await t.db.kysely.selectFrom('contact_messages').selectAll().execute()).length).toBe(before);
  });

  it('accepts a bot’s honeypot post without storing it', async () => {
    const before = (await t.db.kysely.selectFrom('contact_messages').selectAll().execute()).length;
    const { browser } = await openForm();
    const res = await browser.request('/contact', { form: { ...form, website: 'http://spam.example' } });
    expect(res.status).toBe(303);
    expect((await t.db.kysely.selectFrom('contact_messages').selectAll().execute()).length).toBe(before);
  });

  it('rate limits one client after five messages', async () => {
    const { browser } = await openForm();
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await browser.request('/contact', { form })).status);
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
    const limited = await browser.request('/contact', { form });
    expect(limited.body).toContain('Too many requests');
    // Another client is not affected.
    const other = await openForm();
    expect((await other.browser.request('/contact', { form })).status).toBe(303);
  });
});
