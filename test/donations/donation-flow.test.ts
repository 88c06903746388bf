import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentGateway } from '../../src/payments/payments.gateway.js';
import { testConfig } from '../../src/platform/config.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { csrfFromPage, loginAs, startTestIdp, TestBrowser, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { driveSession, forwardWebhooksTo, gatewayEnv, startTestGateway, startWebhookReceiver, TEST_WEBHOOK_SECRET, type DevGateway } from '../support/gateway.js';

type Receiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

describe.each(testDialects)('donations through the gateway on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Receiver;
  let t: TestApp;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway) });
    receiver = await startWebhookReceiver(forwardWebhooksTo(t.app));
    gateway.setWebhookUrl(receiver.url);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await gateway.close();
    await idp.close();
  });

  /** Opens /donate and posts it as a browser would; returns the answer to the POST. */
  async function donate(browser: TestBrowser, fields: Record<string, string>) {
    const page = await browser.request('/donate');
    expect(page.status).toBe(200);
    return browser.request('/donate', { form: { amount_choice: '', amount: '', message: '', email: '', ...fields, _csrf: csrfFromPage(page) } });
  }

  /** A donation started by a visitor; returns its row and payment session. */
  async function started(fields: Record<string, string> = { amount_choice: '10.00' }, browser = new TestBrowser(t.app)) {
    const posted = await donate(browser, fields);
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(new RegExp(`^${gateway.url}/pay/cs_`));
    const sessionId = new URL(posted.location!).pathname.split('/').pop()!;
    const donation = await t.db.kysely.selectFrom('donations').selectAll().where('payment_ref', '=', sessionId).executeTakeFirstOrThrow();
    return { browser, sessionId, donation };
  }

  const donationOf = (id: string) => t.db.kysely.selectFrom('donations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const mailsTo = (recipient: string) => t.db.kysely.selectFrom('mail_outbox').selectAll().where('recipient', '=', recipient).execute();
  /** `type outcome` of each webhook recorded for a donation (sessions and charges carry its id). */
  const outcomesOf = async (donationId: string) =>
    (await t.db.kysely.selectFrom('payment_events').select(['type', 'outcome', 'payload']).orderBy('id').execute()).filter((e) => e.payload.includes(donationId)).map((e) => `${e.type} ${e.outcome}`);
  async function waitForStatus(id: string, status: string) {
    for (let i = 0; i < 200; i++) {
      if ((await donationOf(id)).status === status) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`donation ${id} never became ${status} (is ${(await donationOf(id)).status})`);
  }

  /** A webhook the gateway could have sent: signed with the shared secret, delivered to the store. */
  async function signedEvent(type: string, object: Record<string, unknown>) {
    const body = JSON.stringify({ id: `evt_${type}_${Math.random().toString(36).slice(2)}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: TEST_WEBHOOK_SECRET });
    const res = await t.app.inject({ method: 'POST', url: '/api/payment-callback', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, payload: body });
    expect(res.statusCode).toBe(200);
    return res.json() as { received: boolean; outcome: string };
  }
  const completedSession = (donationId: string, sessionId: string, amount: number, currency = 'eur') => ({
    id: sessionId,
    object: 'checkout.session',
    client_reference_id: donationId,
    metadata: { reference: donationId, kind: 'donation' },
    status: 'complete',
    payment_status: 'paid',
    amount_total: amount,
    currency,
    payment_intent: `pi_late_${donationId.slice(-10)}`,
  });

  it('takes a visitor’s donation on the hosted page: webhook marks it paid, thank-you page, receipt mail', async () => {
    const email = `visitor-${Date.now()}@example.test`;
    const { browser, sessionId, donation } = await started({ amount_choice: '25.00', message: 'Love the shop!\r\nKeep going.', email });
    expect(donation).toMatchObject({ status: 'pending', amount: 2500, currency: 'EUR', email, user_sub: null, message: 'Love the shop!\nKeep going.' });
    expect(donation.id).toMatch(/^don_[0-9a-f]{24}$/);
    const session = gateway.session(sessionId);
    expect(session).toMatchObject({ amount_total: 2500, currency: 'eur', client_reference_id: donation.id, submit_type: 'donate', customer_email: email, metadata: { reference: donation.id, kind: 'donation' } });

    const payPage = await fetch(`${gateway.url}/pay/${sessionId}`).then((r) => r.text());
    expect(payPage).toContain('Donation to Pixel &amp; Key');
    const { redirectUrl } = await driveSession(gateway, sessionId, 'pay', { via: 'page' });
    expect(redirectUrl).toBe(`http://localhost:3000/donate/thanks?donation=${donation.id}&session_id=${sessionId}`);
    await waitForStatus(donation.id, 'paid');

    const thanks = await browser.request(redirectUrl!);
    expect(thanks.status).toBe(200);
    const raw = await t.app.inject(new URL(redirectUrl!).pathname + new URL(redirectUrl!).search);
    expect(raw.headers['cache-control']).toBe('no-store');
    expect(thanks.body).toContain('Thank you for your donation of €25.00!');
    expect(thanks.body).toContain(`A receipt is on its way to ${email}.`);
    expect(thanks.body).not.toContain('http-equiv="refresh"');

    const paid = await donationOf(donation.id);
    expect(paid.paid_at).toBeGreaterThan(0);
    expect(paid.payment_intent).toMatch(/^pi_/);
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('[Pixel & Key] Thank you for your donation of €25.00');
    expect(mails[0]!.text_body).toContain(`Donation:  ${donation.id}`);
    expect(mails[0]!.text_body).toContain('  Love the shop!\n  Keep going.');
    expect(await outcomesOf(donation.id)).toEqual(['checkout.session.completed paid']);

    // The same webhook delivered again changes nothing and sends no second receipt.
    const first = receiver.received.find((r) => r.body.toString().includes('checkout.session.completed') && r.body.toString().includes(sessionId))!;
    const replay = await t.app.inject({ method: 'POST', url: '/api/payment-callback', headers: { 'content-type': 'application/json', 'stripe-signature': String(first.headers['stripe-signature']) }, payload: first.body });
    expect(replay.json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(await mailsTo(email)).toHaveLength(1);
    expect((await donationOf(donation.id)).paid_at).toBe(paid.paid_at);
  });

  it('settles once when the thank-you page and the webhook confirm the same payment at the same time', async () => {
    const email = `race-${Date.now()}@example.test`;
    const { browser, sessionId, donation } = await started({ amount_choice: 'other', amount: '7.50', email });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    receiver.respondWith(async (hook) => {
      await held;
      return forwardWebhooksTo(t.app)(hook);
    });
    const answered = receiver.received.length;
    const { redirectUrl } = await driveSession(gateway, sessionId, 'pay');
    const thanks = browser.request(redirectUrl!);
    release();
    const [page] = await Promise.all([thanks, receiver.waitFor(answered + 1)]);
    receiver.respondWith(forwardWebhooksTo(t.app));
    expect(page.body).toContain('Thank you for your donation of €7.50!');
    await waitForStatus(donation.id, 'paid');
    expect(await mailsTo(email)).toHaveLength(1);
    const outcome = (await outcomesOf(donation.id))[0];
    expect(['checkout.session.completed paid', 'checkout.session.completed not_applied:paid']).toContain(outcome);
  });

  it('confirms with the gateway on the thank-you page when the webhook is late, and the webhook then changes nothing', async () => {
    const email = `early-${Date.now()}@example.test`;
    const { browser, sessionId, donation } = await started({ amount_choice: '5.00', email });
    const waiting = await browser.request(`/donate/thanks?donation=${donation.id}&session_id=${sessionId}`);
    expect(waiting.status).toBe(200);
    expect(waiting.body).toContain('We are waiting for the payment provider to confirm your donation of €5.00. This page refreshes by itself.');
    expect(waiting.body).toContain('<meta http-equiv="refresh" content="3"/>');

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    receiver.respondWith(async (hook) => {
      await held;
      return forwardWebhooksTo(t.app)(hook);
    });
    const answered = receiver.received.length;
    const { redirectUrl } = await driveSession(gateway, sessionId, 'pay');
    const thanks = await browser.request(redirectUrl!);
    expect(thanks.body).toContain('Thank you for your donation of €5.00!');
    expect((await donationOf(donation.id)).status).toBe('paid');
    release();
    await receiver.waitFor(answered + 1);
    receiver.respondWith(forwardWebhooksTo(t.app));
    expect(await outcomesOf(donation.id)).toEqual(['checkout.session.completed not_applied:paid']);
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it('keeps a donation open after a decline, and cancels it when the donor goes back', async () => {
    const { browser, sessionId, donation } = await started({ amount_choice: '5.00' });
    const answered = receiver.received.length;
    await driveSession(gateway, sessionId, 'decline', { via: 'page' });
    const [failure] = (await receiver.waitFor(answered + 1)).slice(answered);
    expect(failure!.body.toString()).toContain('checkout.session.async_payment_failed');
    expect((await donationOf(donation.id)).status).toBe('pending');
    expect(await outcomesOf(donation.id)).toEqual(['checkout.session.async_payment_failed attempt_failed']);

    const { redirectUrl } = await driveSession(gateway, sessionId, 'cancel', { via: 'page' });
    expect(redirectUrl).toBe(`http://localhost:3000/donate?cancelled=1&donation=${donation.id}`);
    const back = await browser.request(redirectUrl!);
    expect(back.status).toBe(200);
    expect(back.body).toContain('Your donation was cancelled; nothing was charged.');
    expect(back.body).toContain('<form method="post" action="/donate"');
    expect((await donationOf(donation.id)).status).toBe('cancelled');
    // The payment page is closed, so it cannot be paid after all; its expiry event changes nothing.
    expect(gateway.session(sessionId).status).toBe('expired');
    await expect.poll(() => outcomesOf(donation.id), { timeout: 5000 }).toContain('checkout.session.expired not_applied:cancelled');
    expect((await donationOf(donation.id)).status).toBe('cancelled');

    const thanks = await browser.request(`/donate/thanks?donation=${donation.id}&session_id=${sessionId}`);
    expect(thanks.body).toContain('The donation was cancelled; nothing was charged.');
  });

  it('expires an unpaid donation with its session, and a late payment is still taken', async () => {
    const email = `late-${Date.now()}@example.test`;
    const { browser, sessionId, donation } = await started({ amount_choice: '50.00', email });
    await driveSession(gateway, sessionId, 'expire');
    await waitForStatus(donation.id, 'expired');
    const page = await browser.request(`/donate/thanks?donation=${donation.id}&session_id=${sessionId}`);
    expect(page.body).toContain('The payment was not completed in time; nothing was charged.');
    expect(page.body).toContain('href="/donate"');
    expect(await mailsTo(email)).toHaveLength(0);

    // Money that arrives anyway is never turned away: the donation is paid after all.
    expect(await signedEvent('checkout.session.completed', completedSession(donation.id, sessionId, 5000))).toEqual({ received: true, outcome: 'paid_late' });
    expect((await donationOf(donation.id)).status).toBe('paid');
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it('leaves a donation pending when the paid amount or currency differs, for the owner to sort out', async () => {
    const { sessionId, donation } = await started({ amount_choice: '10.00' });
    expect(await signedEvent('checkout.session.completed', completedSession(donation.id, sessionId, 100))).toEqual({ received: true, outcome: 'needs_attention:amount_mismatch' });
    expect(await signedEvent('checkout.session.completed', completedSession(donation.id, sessionId, 1000, 'usd'))).toEqual({ received: true, outcome: 'needs_attention:amount_mismatch' });
    expect((await donationOf(donation.id)).status).toBe('pending');
    expect(await signedEvent('checkout.session.completed', { ...completedSession(donation.id, sessionId, 1000), payment_status: 'unpaid' })).toEqual({ received: true, outcome: 'awaiting_payment' });
    expect((await donationOf(donation.id)).status).toBe('pending');
  });

  it('marks a donation refunded on a full refund only', async () => {
    const { sessionId, donation } = await started({ amount_choice: '25.00' });
    await driveSession(gateway, sessionId, 'pay');
    await waitForStatus(donation.id, 'paid');
    const { payment_intent } = await donationOf(donation.id);
    const payments = createPaymentGateway(testConfig(gatewayEnv(gateway)));
    await payments.refund({ paymentIntentId: payment_intent!, amount: 1000, idempotencyKey: `partial-${donation.id}` });
    await expect.poll(() => outcomesOf(donation.id), { timeout: 5000 }).toContain('charge.refunded partial_refund');
    expect((await donationOf(donation.id)).status).toBe('paid');
    await payments.refund({ paymentIntentId: payment_intent!, idempotencyKey: `rest-${donation.id}` });
    await waitForStatus(donation.id, 'refunded');
  });

  it('shows the thank-you page only with the donation’s own payment session', async () => {
    const email = `private-${Date.now()}@example.test`;
    const mine = await started({ amount_choice: '10.00', email, message: 'secret note' });
    await driveSession(gateway, mine.sessionId, 'pay');
    await waitForStatus(mine.donation.id, 'paid');
    const other = await started({ amount_choice: '5.00' });
    const stranger = new TestBrowser(t.app);
    for (const url of [
      `/donate/thanks?donation=${mine.donation.id}`,
      `/donate/thanks?donation=${mine.donation.id}&session_id=`,
      `/donate/thanks?donation=${mine.donation.id}&session_id=${other.sessionId}`,
      `/donate/thanks?donation=${other.donation.id}&session_id=${mine.sessionId}`,
      `/donate/thanks?donation=${mine.donation.id.slice(0, -1)}${mine.donation.id.endsWith('0') ? '1' : '0'}&session_id=${mine.sessionId}`,
      `/donate/thanks?session_id=${mine.sessionId}`,
    ]) {
      const res = await stranger.request(url);
      expect(res.status, url).toBe(404);
      expect(res.body).not.toContain(email);
      expect(res.body).not.toContain('€10.00');
    }
  });

  it('refuses a donation when the gateway is down: nothing is charged and the form says so', async () => {
    const down = await createTestApp(dialect, { STRIPE_API_URL: 'http://127.0.0.1:9', STRIPE_SECRET_KEY: gateway.apiKey, STRIPE_WEBHOOK_SECRET: gateway.webhookSecret });
    try {
      const browser = new TestBrowser(down.app);
      const page = await browser.request('/donate');
      const res = await browser.request('/donate', { form: { amount_choice: 'other', amount: '12', message: 'hello', email: '', _csrf: csrfFromPage(page) } });
      expect(res.status).toBe(503);
      expect(res.body).toContain('Payment is not available right now. Nothing was charged; please try again in a moment.');
      expect(res.body).toContain('value="12"');
      const rows = await down.db.kysely.selectFrom('donations').selectAll().execute();
      expect(rows.map((r) => [r.status, r.amount, r.payment_ref])).toEqual([['cancelled', 1200, null]]);
    } finally {
      await down.close();
    }
  });

  it('takes a logged-in donor’s donation with the account’s email, whatever the form says', async () => {
    const donor = await loginAs(t.app, 'new');
    const form = await donor.browser.request('/donate');
    expect(form.body).toContain('>Receipt goes to</label>');
    expect(form.body).toContain(`value="${donor.user.email}" readonly`);
    const { sessionId, donation } = await started({ amount_choice: '10.00', email: 'someone-else@example.test' }, donor.browser);
    expect(donation).toMatchObject({ user_sub: donor.user.sub, email: donor.user.email });
    expect(gateway.session(sessionId).customer_email).toBe(donor.user.email);
    const { redirectUrl } = await driveSession(gateway, sessionId, 'pay');
    await waitForStatus(donation.id, 'paid');
    const thanks = await donor.browser.request(redirectUrl!);
    expect(thanks.body).toContain('Thank you for your donation of €10.00!');
    expect((await mailsTo(donor.user.email)).map((m) => m.subject)).toEqual(['[Pixel & Key] Thank you for your donation of €10.00']);
    expect(await mailsTo('someone-else@example.test')).toHaveLength(0);
  });

  it('takes a visitor’s donation without an email and sends no receipt', async () => {
    const before = (await t.db.kysely.selectFrom('mail_outbox').select('id').execute()).length;
    const { browser, sessionId, donation } = await started({ amount_choice: 'other', amount: '3' });
    expect(donation.email).toBeNull();
    const { redirectUrl } = await driveSession(gateway, sessionId, 'pay');
    await waitForStatus(donation.id, 'paid');
    const thanks = await browser.request(redirectUrl!);
    expect(thanks.body).toContain('Thank you for your donation of €3.00!');
    expect(thanks.body).not.toContain('A receipt is on its way');
    expect((await t.db.kysely.selectFrom('mail_outbox').select('id').execute()).length).toBe(before);
  });

  it('answers events for unknown donations without changing anything', async () => {
    expect(await signedEvent('checkout.session.completed', completedSession('don_000000000000000000000000', 'cs_unknown', 1000))).toEqual({ received: true, outcome: 'unknown_donation' });
  });
});
