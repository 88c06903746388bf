import { describe, expect, it } from 'vitest';
import { loginAs } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { driveSession, forwardWebhooksTo } from '../support/gateway.js';
import { useDonationStore } from './donation-harness.js';

describe.each(testDialects)('paying donations on %s', (dialect) => {
  const s = useDonationStore(dialect);

  it('takes a visitor’s donation on the hosted page: webhook marks it paid, thank-you page, receipt mail', async () => {
    const email = `visitor-${Date.now()}@example.test`;
    const { browser, sessionId, donation } = await s.started({ amount_choice: '25.00', message: 'Love the shop!\r\nKeep going.', email });
    expect(donation).toMatchObject({
      status: 'pending',
      amount: 2500,
      currency: 'EUR',
      email,
      user_sub: null,
      message: 'Love the shop!\nKeep going.',
    });
    expect(donation.id).toMatch(/^don_[0-9a-f]{24}$/);
    const session = s.gateway.session(sessionId);
    expect(session).toMatchObject({
      amount_total: 2500,
      currency: 'eur',
      client_reference_id: donation.id,
      submit_type: 'donate',
      customer_email: email,
      metadata: { reference: donation.id, kind: 'donation' },
    });

    const payPage = await fetch(`${s.gateway.url}/pay/${sessionId}`).then((r) => r.text());
    expect(payPage).toContain('Donation to Pixel &amp; Key');
    const { redirectUrl } = await driveSession(s.gateway, sessionId, 'pay', { via: 'page' });
    expect(redirectUrl).toBe(`http://localhost:3000/donate/thanks?donation=${donation.id}&session_id=${sessionId}`);
    await s.waitForStatus(donation.id, 'paid');

    const thanks = await browser.request(redirectUrl!);
    expect(thanks.status).toBe(200);
    const raw = await s.t.app.inject(new URL(redirectUrl!).pathname + new URL(redirectUrl!).search);
    expect(raw.headers['cache-control']).toBe('no-store');
    expect(thanks.body).toContain('Thank you for your donation of €25.00!');
    expect(thanks.body).toContain(`A receipt is on its way to ${email}.`);
    expect(thanks.body).not.toContain('http-equiv="refresh"');

    const paid = await s.donationOf(donation.id);
    expect(paid.paid_at).toBeGreaterThan(0);
    expect(paid.payment_intent).toMatch(/^pi_/);
    const mails = await s.mailsTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('[Pixel & Key] Thank you for your donation of €25.00');
    expect(mails[0]!.text_body).toContain(`Donation: ${donation.id}`);
    expect(mails[0]!.text_body).toContain('Your message: Love the shop!\nKeep going.');
    expect(mails[0]!.html_body).toContain('Love the shop!\nKeep going.');
    expect(await s.outcomesOf(donation.id)).toEqual(['checkout.session.completed paid']);

    // The same webhook delivered again changes nothing and sends no second receipt.
    const first = s.receiver.received.find(
      (r) => r.body.toString().includes('checkout.session.completed') && r.body.toString().includes(sessionId),
    )!;
    const replay = await s.t.app.inject({
      method: 'POST',
      url: '/api/payment-callback',
      headers: { 'content-type': 'application/json', 'stripe-signature': String(first.headers['stripe-signature']) },
      payload: first.body,
    });
    expect(replay.json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(await s.mailsTo(email)).toHaveLength(1);
    expect((await s.donationOf(donation.id)).paid_at).toBe(paid.paid_at);
  });

  it('settles once when the thank-you page and the webhook confirm the same payment at the same time', async () => {
    const email = `race-${Date.now()}@example.test`;
    const { browser, sessionId, donation } = await s.started({ amount_choice: 'other', amount: '7.50', email });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    s.receiver.respondWith(async (hook) => {
      await held;
      return forwardWebhooksTo(s.t.app)(hook);
    });
    const answered = s.receiver.received.length;
    const { redirectUrl } = await driveSession(s.gateway, sessionId, 'pay');
    const thanks = browser.request(redirectUrl!);
    release();
    const [page] = await Promise.all([thanks, s.receiver.waitFor(answered + 1)]);
    s.receiver.respondWith(forwardWebhooksTo(s.t.app));
    expect(page.body).toContain('Thank you for your donation of €7.50!');
    await s.waitForStatus(donation.id, 'paid');
    expect(await s.mailsTo(email)).toHaveLength(1);
    const outcome = (await s.outcomesOf(donation.id))[0];
    expect([
      'checkout.session.completed paid',
      'checkout.session.completed not_applied:refused',
      'checkout.session.completed not_applied:raced',
    ]).toContain(outcome);
  });

  it('confirms with the gateway on the thank-you page when the webhook is late, and the webhook then changes nothing', async () => {
    const email = `early-${Date.now()}@example.test`;
    const { browser, sessionId, donation } = await s.started({ amount_choice: '5.00', email });
    const waiting = await browser.request(`/donate/thanks?donation=${donation.id}&session_id=${sessionId}`);
    expect(waiting.status).toBe(200);
    expect(waiting.body).toContain(
      'We are waiting for the payment provider to confirm your donation of €5.00. This page refreshes by itself.',
    );
    expect(waiting.body).toContain('<meta http-equiv="refresh" content="3"/>');

    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    s.receiver.respondWith(async (hook) => {
      await held;
      return forwardWebhooksTo(s.t.app)(hook);
    });
    const answered = s.receiver.received.length;
    const { redirectUrl } = await driveSession(s.gateway, sessionId, 'pay');
    const thanks = await browser.request(redirectUrl!);
    expect(thanks.body).toContain('Thank you for your donation of €5.00!');
    expect((await s.donationOf(donation.id)).status).toBe('paid');
    release();
    await s.receiver.waitFor(answered + 1);
    s.receiver.respondWith(forwardWebhooksTo(s.t.app));
    expect(await s.outcomesOf(donation.id)).toEqual(['checkout.session.completed not_applied:refused']);
    expect(await s.mailsTo(email)).toHaveLength(1);
  });

  it('takes a logged-in donor’s donation with the account’s email, whatever the form says', async () => {
    const donor = await loginAs(s.t.app, 'new');
    const form = await donor.browser.request('/donate');
    expect(form.body).toContain('>Receipt goes to</label>');
    expect(form.body).toContain(`value="${donor.user.email}" readonly`);
    const { sessionId, donation } = await s.started({ amount_choice: '10.00', email: 'someone-else@example.test' }, donor.browser);
    expect(donation).toMatchObject({ user_sub: donor.user.sub, email: donor.user.email });
    expect(s.gateway.session(sessionId).customer_email).toBe(donor.user.email);
    const { redirectUrl } = await driveSession(s.gateway, sessionId, 'pay');
    await s.waitForStatus(donation.id, 'paid');
    const thanks = await donor.browser.request(redirectUrl!);
    expect(thanks.body).toContain('Thank you for your donation of €10.00!');
    expect((await s.mailsTo(donor.user.email)).map((m) => m.subject)).toEqual(['[Pixel & Key] Thank you for your donation of €10.00']);
    expect(await s.mailsTo('someone-else@example.test')).toHaveLength(0);
  });

  it('takes a visitor’s donation without an email and sends no receipt', async () => {
    const before = (await s.t.db.kysely.selectFrom('mail_outbox').select('id').execute()).length;
    const { browser, sessionId, donation } = await s.started({ amount_choice: 'other', amount: '3' });
    expect(donation.email).toBeNull();
    const { redirectUrl } = await driveSession(s.gateway, sessionId, 'pay');
    await s.waitForStatus(donation.id, 'paid');
    const thanks = await browser.request(redirectUrl!);
    expect(thanks.body).toContain('Thank you for your donation of €3.00!');
    expect(thanks.body).not.toContain('A receipt is on its way');
    expect((await s.t.db.kysely.selectFrom('mail_outbox').select('id').execute()).length).toBe(before);
  });
});
