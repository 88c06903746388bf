import { describe, expect, it } from 'vitest';
import { createPaymentGateway } from '../../src/payments/payments.gateway.js';
import { testConfig } from '../support/env.js';
import { createTestApp } from '../support/app.js';
import { TestBrowser } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { driveSession, gatewayEnv } from '../support/gateway.js';
import { auditRowsFor, CLI_ACTOR, runStore } from '../cli/cli-harness.js';
import { UNCHANGED_BY_REFUND_EVENT, useDonationStore } from './donation-harness.js';

describe.each(testDialects)('donations that are declined, cancelled, expired, mismatched, refunded or private on %s', (dialect) => {
  const s = useDonationStore(dialect);

  it('keeps a donation open after a decline, and cancels it when the donor goes back', async () => {
    const { browser, sessionId, donation } = await s.started({ amount_choice: '5.00' });
    const answered = s.receiver.received.length;
    await driveSession(s.gateway, sessionId, 'decline', { via: 'page' });
    const [failure] = (await s.receiver.waitFor(answered + 1)).slice(answered);
    expect(failure!.body.toString()).toContain('checkout.session.async_payment_failed');
    expect((await s.donationOf(donation.id)).status).toBe('pending');
    expect(await s.outcomesOf(donation.id)).toEqual(['checkout.session.async_payment_failed attempt_failed']);

    const { redirectUrl } = await driveSession(s.gateway, sessionId, 'cancel', { via: 'page' });
    expect(redirectUrl).toBe(`http://localhost:3000/donate?cancelled=1&donation=${donation.id}`);
    const back = await browser.request(redirectUrl!);
    expect(back.status).toBe(200);
    expect(back.body).toContain('Your donation was cancelled; nothing was charged.');
    expect(back.body).toContain('<form method="post" action="/donate"');
    expect((await s.donationOf(donation.id)).status).toBe('cancelled');
    // The payment page is closed, so it cannot be paid after all; its expiry event changes nothing.
    expect(s.gateway.session(sessionId).status).toBe('expired');
    await expect.poll(() => s.outcomesOf(donation.id), { timeout: 5000 }).toContain('checkout.session.expired not_applied:refused');
    expect((await s.donationOf(donation.id)).status).toBe('cancelled');

    const thanks = await browser.request(`/donate/thanks?donation=${donation.id}&session_id=${sessionId}`);
    expect(thanks.body).toContain('The donation was cancelled; nothing was charged.');
  });

  it('expires an unpaid donation with its session, and a late payment is still taken', async () => {
    const email = `late-${Date.now()}@example.test`;
    const { browser, sessionId, donation } = await s.started({ amount_choice: '50.00', email });
    await driveSession(s.gateway, sessionId, 'expire');
    await s.waitForStatus(donation.id, 'expired');
    const page = await browser.request(`/donate/thanks?donation=${donation.id}&session_id=${sessionId}`);
    expect(page.body).toContain('The payment was not completed in time; nothing was charged.');
    expect(page.body).toContain('href="/donate"');
    expect(await s.mailsTo(email)).toHaveLength(0);

    // Money that arrives anyway is never turned away: the donation is paid after all.
    expect(await s.signedEvent('checkout.session.completed', s.completedSession(donation.id, sessionId, 5000))).toEqual({
      received: true,
      outcome: 'paid',
    });
    expect((await s.donationOf(donation.id)).status).toBe('paid');
    expect(await s.mailsTo(email)).toHaveLength(1);
  });

  it('sets a donation paid with another amount or currency aside for the owner, as an order is, until the owner refunds it', async () => {
    const email = `mismatch-${Date.now()}@example.test`;
    const { browser, sessionId, donation } = await s.started({ amount_choice: '10.00', email });
    expect(
      await s.signedEvent('checkout.session.completed', { ...s.completedSession(donation.id, sessionId, 1000), payment_status: 'unpaid' }),
    ).toEqual({ received: true, outcome: 'awaiting_payment' });
    // The donation asked for 20.00 by the time the gateway charged the session's 10.00.
    await s.t.db.kysely.updateTable('donations').set({ amount: 2000 }).where('id', '=', donation.id).execute();
    await driveSession(s.gateway, sessionId, 'pay');
    await s.waitForStatus(donation.id, 'needs_attention');
    expect(await s.outcomesOf(donation.id)).toContain('checkout.session.completed amount_mismatch');
    const flagged = await s.donationOf(donation.id);
    expect(flagged.attention_reason).toBe('Paid 1000 EUR for a donation of 2000 EUR: refund it.');
    expect(flagged.payment_intent).toMatch(/^pi_/);
    expect(await s.mailsTo(email)).toHaveLength(0);
    const page = await browser.request(`/donate/thanks?donation=${donation.id}&session_id=${sessionId}`);
    expect(page.body).toContain('not for the amount of this donation. We will refund it');
    // Neither another mismatched payment nor the right one moves it on: only a refund does.
    for (const [amount, currency] of [
      [500, 'eur'],
      [2000, 'usd'],
      [2000, 'eur'],
    ] as const) {
      expect(await s.signedEvent('checkout.session.completed', s.completedSession(donation.id, sessionId, amount, currency))).toEqual({
        received: true,
        outcome: 'not_applied:refused',
      });
    }

    // The owner sees it and refunds it; the gateway's refund event then finds nothing left to do.
    const env = { ...gatewayEnv(s.gateway) };
    const listed = await runStore(['donations', 'list', '--status', 'needs_attention'], { db: s.t.db, env });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(donation.id);
    expect(listed.stdout).toContain('Paid 1000 EUR for a donation of 2000 EUR: refund it.');
    const refunded = await runStore(['donations', 'refund', donation.id, '--reason', 'Paid half the amount'], { db: s.t.db, env });
    expect(refunded.stderr).toBe('');
    expect(refunded.stdout).toContain(`Refunded €10.00 of donation ${donation.id}; it is now refunded.`);
    expect((await s.donationOf(donation.id)).status).toBe('refunded');
    // /admin/audit: the refund form's row with the reason, the command line as actor.
    const [audited, ...more] = await auditRowsFor(s.t.db, donation.id);
    expect(audited).toMatchObject({
      action: 'donation.refund',
      ...CLI_ACTOR,
      before: { status: 'needs_attention', amount: 2000, currency: 'EUR' },
      after: { status: 'refunded', refunded: 1000, reason: 'Paid half the amount' },
    });
    expect(more).toEqual([]);
    // The refund event comes from the gateway's webhook after the owner's command (another process) ends.
    await expect.poll(() => s.refundEventsOf(donation.id), { timeout: 15_000 }).toHaveLength(1);
    expect(UNCHANGED_BY_REFUND_EVENT).toContain((await s.refundEventsOf(donation.id))[0]);
    expect((await runStore(['donations', 'refund', donation.id], { db: s.t.db, env })).stderr).toContain('already refunded');
  });

  it('marks a donation paid with the wrong amount refunded when the gateway pays back what it took', async () => {
    const { sessionId, donation } = await s.started({ amount_choice: '10.00' });
    await s.t.db.kysely.updateTable('donations').set({ amount: 700 }).where('id', '=', donation.id).execute();
    await driveSession(s.gateway, sessionId, 'pay');
    await s.waitForStatus(donation.id, 'needs_attention');
    const { payment_intent } = await s.donationOf(donation.id);
    const payments = createPaymentGateway(testConfig(gatewayEnv(s.gateway)));
    await payments.refund({ paymentIntentId: payment_intent!, amount: 700, idempotencyKey: `part-${donation.id}` });
    await expect.poll(() => s.outcomesOf(donation.id), { timeout: 5000 }).toContain('charge.refunded partial_refund');
    expect((await s.donationOf(donation.id)).status).toBe('needs_attention');
    await payments.refund({ paymentIntentId: payment_intent!, idempotencyKey: `rest-${donation.id}` });
    await s.waitForStatus(donation.id, 'refunded');
  });

  it('marks a donation refunded on a full refund only', async () => {
    const { sessionId, donation } = await s.started({ amount_choice: '25.00' });
    await driveSession(s.gateway, sessionId, 'pay');
    await s.waitForStatus(donation.id, 'paid');
    const { payment_intent } = await s.donationOf(donation.id);
    const payments = createPaymentGateway(testConfig(gatewayEnv(s.gateway)));
    await payments.refund({ paymentIntentId: payment_intent!, amount: 1000, idempotencyKey: `partial-${donation.id}` });
    await expect.poll(() => s.outcomesOf(donation.id), { timeout: 5000 }).toContain('charge.refunded partial_refund');
    expect((await s.donationOf(donation.id)).status).toBe('paid');
    await payments.refund({ paymentIntentId: payment_intent!, idempotencyKey: `rest-${donation.id}` });
    await s.waitForStatus(donation.id, 'refunded');
  });

  it('shows the thank-you page only with the donation’s own payment session', async () => {
    const email = `private-${Date.now()}@example.test`;
    const mine = await s.started({ amount_choice: '10.00', email, message: 'secret note' });
    await driveSession(s.gateway, mine.sessionId, 'pay');
    await s.waitForStatus(mine.donation.id, 'paid');
    const other = await s.started({ amount_choice: '5.00' });
    const stranger = new TestBrowser(s.t.app);
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
    const down = await createTestApp(dialect, {
      STRIPE_API_URL: 'http://127.0.0.1:9',
      STRIPE_SECRET_KEY: s.gateway.apiKey,
      STRIPE_WEBHOOK_SECRET: s.gateway.webhookSecret,
    });
    try {
      const browser = new TestBrowser(down.app);
      const res = await browser.request('/donate', {
        form: { amount_choice: 'other', amount: '12', message: 'hello', email: '' },
      });
      expect(res.status).toBe(503);
      expect(res.body).toContain('Payment is not available right now. Nothing was charged; please try again in a moment.');
      expect(res.body).toContain('value="12"');
      const rows = await down.db.kysely.selectFrom('donations').selectAll().execute();
      expect(rows.map((r) => [r.status, r.amount, r.payment_ref])).toEqual([['cancelled', 1200, null]]);
    } finally {
      await down.close();
    }
  });

  it('answers events for unknown donations without changing anything', async () => {
    expect(
      await s.signedEvent('checkout.session.completed', s.completedSession('don_000000000000000000000000', 'cs_unknown', 1000)),
    ).toEqual({ received: true, outcome: 'unknown_donation' });
  });
});
