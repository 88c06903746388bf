import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CheckoutSessionInput, PaymentGateway } from '../../src/payments/payment-gateway.js';
import { isSettled } from '../../src/payments/payment-gateway.js';
import { createStripeGateway } from '../../src/payments/stripe.gateway.js';
import { toPaymentError } from '../../src/payments/stripe.errors.js';
import { AppError } from '../../src/platform/errors.js';
import { driveSession, startTestGateway, startWebhookReceiver, type DevGateway } from '../support/gateway.js';

let gw: DevGateway;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let gateway: PaymentGateway;
let n = 0;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  gw = await startTestGateway({ webhookUrl: receiver.url });
  gateway = createStripeGateway({ secretKey: gw.apiKey, webhookSecret: gw.webhookSecret, apiUrl: gw.url });
});

afterAll(async () => {
  await gw.close();
  await receiver.close();
});

beforeEach(() => {
  receiver.respondWith(() => ({ status: 200 }));
});

function input(overrides: Partial<CheckoutSessionInput> = {}): CheckoutSessionInput {
  n++;
  return {
    reference: `ord_test${n}`,
    kind: 'order',
    lineItems: [
      { name: 'Game key', unitAmount: 1250, quantity: 2 },
      { name: 'Soundtrack', unitAmount: 500, quantity: 1 },
    ],
    currency: 'EUR',
    customerEmail: 'buyer@example.com',
    successUrl: `http://shop.test/checkout/return?order=ord_test${n}&session_id={CHECKOUT_SESSION_ID}`,
    cancelUrl: `http://shop.test/checkout/return?order=ord_test${n}&cancelled=1`,
    expiresAt: Date.now() + 45 * 60_000,
    idempotencyKey: `checkout-test-${n}-${Date.now()}`,
    ...overrides,
  };
}

/** The next webhook for `sessionOrIntent` of this raw type, verified and normalised by the store's gateway. */
async function nextEvent(rawType: string, id: string) {
  const record = await gw.waitForEvent(
    (r) => r.event.type === rawType && JSON.stringify(r.event.data).includes(id) && r.state === 'delivered',
  );
  const delivery = receiver.received.find((d) => d.body.toString().includes(`"id": "${record.event.id}"`));
  expect(delivery, `delivery of ${record.event.id}`).toBeDefined();
  return gateway.parseWebhook(delivery!.body, delivery!.headers['stripe-signature']);
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('Stripe gateway against the development gateway (real SDK, real HTTP)', () => {
  it('creates a session and reads it back normalised', async () => {
    const created = await gateway.createCheckoutSession(input());
    expect(created.id).toMatch(/^cs_test_/);
    expect(created.url).toBe(`${gw.url}/pay/${created.id}`);
    const session = await gateway.retrieveCheckoutSession(created.id);
    expect(session).toMatchObject({
      id: created.id,
      reference: `ord_test${n}`,
      kind: 'order',
      status: 'open',
      paymentStatus: 'unpaid',
      amountTotal: 3000,
      currency: 'EUR',
      paymentIntentId: null,
      url: created.url,
    });
    expect(isSettled(session)).toBe(false);
  });

  it('returns the same session for the same idempotency key, and refuses the key with other details', async () => {
    const first = input();
    const a = await gateway.createCheckoutSession(first);
    const b = await gateway.createCheckoutSession(first);
    expect(b.id).toBe(a.id);
    const err = await rejection(gateway.createCheckoutSession({ ...first, lineItems: [{ name: 'Other', unitAmount: 100, quantity: 1 }] }));
    expect(err).toMatchObject({ code: 'payment_request_rejected', status: 409 });
  });

  it("moves an expiry into Stripe's 30 minutes to 24 hours window", async () => {
    const soon = await gateway.retrieveCheckoutSession((await gateway.createCheckoutSession(input({ expiresAt: Date.now() + 60_000 }))).id);
    expect(soon.expiresAt).toBeGreaterThanOrEqual(Date.now() + 30 * 60_000);
    const late = await gateway.retrieveCheckoutSession(
      (await gateway.createCheckoutSession(input({ expiresAt: Date.now() + 7 * 86_400_000 }))).id,
    );
    expect(late.expiresAt).toBeLessThanOrEqual(Date.now() + 24 * 3_600_000);
  });

  it('refuses bad input before calling the gateway', async () => {
    for (const bad of [
      input({ lineItems: [] }),
      input({ currency: 'euro' }),
      input({ lineItems: [{ name: 'x', unitAmount: 0, quantity: 1 }] }),
      input({ lineItems: [{ name: 'x', unitAmount: 100, quantity: 1.5 }] }),
    ]) {
      expect(await rejection(gateway.createCheckoutSession(bad))).toMatchObject({ code: 'payment_input_invalid', status: 400 });
    }
  });

  it('pays through the real hosted page: redirect with the session id, session complete, signed webhook verified', async () => {
    const { id } = await gateway.createCheckoutSession(input());
    const { redirectUrl } = await driveSession(gw, id, 'pay', { via: 'page' });
    expect(redirectUrl).toBe(`http://shop.test/checkout/return?order=ord_test${n}&session_id=${id}`);
    const session = await gateway.retrieveCheckoutSession(id);
    expect(session).toMatchObject({ status: 'complete', paymentStatus: 'paid', url: null });
    expect(session.paymentIntentId).toMatch(/^pi_/);
    const event = await nextEvent('checkout.session.completed', id);
    expect(event).toMatchObject({
      type: 'checkout.completed',
      reference: `ord_test${n}`,
      kind: 'order',
      sessionId: id,
      paymentIntentId: session.paymentIntentId,
      paymentStatus: 'paid',
      amount: 3000,
      currency: 'EUR',
    });
    expect(event.id).toMatch(/^evt_/);
    expect(isSettled(event)).toBe(true);
  });

  it('declines like Stripe: the session stays open, a failure event says so, and a later Pay succeeds', async () => {
    const { id } = await gateway.createCheckoutSession(input());
    const { redirectUrl } = await driveSession(gw, id, 'decline');
    expect(redirectUrl).toBe(`${gw.url}/pay/${id}?error=card_declined`);
    expect(await (await fetch(redirectUrl!)).text()).toContain('Your card was declined');
    expect((await gateway.retrieveCheckoutSession(id)).status).toBe('open');
    const failed = await nextEvent('checkout.session.async_payment_failed', id);
    expect(failed).toMatchObject({ type: 'checkout.async_payment_failed', sessionStatus: 'open', paymentStatus: 'unpaid' });
    await driveSession(gw, id, 'pay');
    expect(await nextEvent('checkout.session.completed', id)).toMatchObject({
      paymentStatus: 'paid',
      paymentIntentId: failed.paymentIntentId,
    });
  });

  it('cancels back to the shop and leaves the session open until the shop expires it', async () => {
    const { id } = await gateway.createCheckoutSession(input());
    expect((await driveSession(gw, id, 'cancel', { via: 'page' })).redirectUrl).toBe(
      `http://shop.test/checkout/return?order=ord_test${n}&cancelled=1`,
    );
    expect((await gateway.retrieveCheckoutSession(id)).status).toBe('open');
    const expired = await gateway.expireCheckoutSession(id);
    expect(expired).toMatchObject({ status: 'expired', url: null, paymentStatus: 'unpaid' });
    expect(await nextEvent('checkout.session.expired', id)).toMatchObject({
      type: 'checkout.expired',
      reference: `ord_test${n}`,
      sessionStatus: 'expired',
    });
    // Expiring again is harmless: the caller learns the state.
    expect((await gateway.expireCheckoutSession(id)).status).toBe('expired');
    await expect(driveSession(gw, id, 'pay')).rejects.toThrow(/expired/);
  });

  it('reports a paid session when asked to expire it, so the caller never loses a payment', async () => {
    const { id } = await gateway.createCheckoutSession(input());
    await driveSession(gw, id, 'pay');
    expect(await gateway.expireCheckoutSession(id)).toMatchObject({ status: 'complete', paymentStatus: 'paid' });
  });

  it('settles nothing on a payment that is only processing, then settles on async success', async () => {
    const { id } = await gateway.createCheckoutSession(input());
    await fetch(`${gw.url}/__dev/sessions/${id}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"async":true}',
    });
    const completed = await nextEvent('checkout.session.completed', id);
    expect(completed).toMatchObject({ type: 'checkout.completed', paymentStatus: 'unpaid', sessionStatus: 'complete' });
    expect(isSettled(completed)).toBe(false);
    expect(isSettled(await gateway.retrieveCheckoutSession(id))).toBe(false);
    await driveSession(gw, id, 'settle');
    expect(await nextEvent('checkout.session.async_payment_succeeded', id)).toMatchObject({
      type: 'checkout.async_payment_succeeded',
      paymentStatus: 'paid',
      amount: 3000,
    });
  });

  it('refunds partially and fully, reports charge.refunded with the cumulative amount, and refuses more than was paid', async () => {
    const { id } = await gateway.createCheckoutSession(input());
    await driveSession(gw, id, 'pay');
    const pi = (await gateway.retrieveCheckoutSession(id)).paymentIntentId!;
    const partial = await gateway.refund({ paymentIntentId: pi, amount: 1250, idempotencyKey: `refund-${pi}-1` });
    expect(partial).toMatchObject({ status: 'succeeded', amount: 1250, currency: 'EUR' });
    expect(partial.id).toMatch(/^re_/);
    expect(await nextEvent('charge.refunded', pi)).toMatchObject({
      type: 'charge.refunded',
      paymentIntentId: pi,
      reference: `ord_test${n}`,
      amount: 3000,
      amountRefunded: 1250,
    });
    // The same idempotency key does not refund twice.
    expect((await gateway.refund({ paymentIntentId: pi, amount: 1250, idempotencyKey: `refund-${pi}-1` })).id).toBe(partial.id);
    expect(await rejection(gateway.refund({ paymentIntentId: pi, amount: 1751, idempotencyKey: `refund-${pi}-2` }))).toMatchObject({
      code: 'refund_rejected',
      status: 409,
    });
    const rest = await gateway.refund({ paymentIntentId: pi, idempotencyKey: `refund-${pi}-3` });
    expect(rest.amount).toBe(1750);
    const full = await gw.waitForEvent(
      (r) =>
        r.event.type === 'charge.refunded' && (r.event.data as { object: { amount_refunded: number } }).object.amount_refunded === 3000,
    );
    expect((full.event.data as { object: { refunded: boolean } }).object.refunded).toBe(true);
    expect(await rejection(gateway.refund({ paymentIntentId: pi, amount: 1, idempotencyKey: `refund-${pi}-4` }))).toMatchObject({
      code: 'refund_rejected',
    });
  });

  it('refuses to refund a payment that never settled, or one it does not know', async () => {
    const { id } = await gateway.createCheckoutSession(input());
    await driveSession(gw, id, 'decline');
    const pi = (await gateway.retrieveCheckoutSession(id)).paymentIntentId!;
    expect(await rejection(gateway.refund({ paymentIntentId: pi, amount: 100, idempotencyKey: `r-${pi}` }))).toMatchObject({
      code: 'payment_request_rejected',
    });
    expect(await rejection(gateway.refund({ paymentIntentId: 'pi_nope', amount: 100, idempotencyKey: 'r-nope' }))).toMatchObject({
      code: 'payment_session_not_found',
      status: 404,
    });
    expect(await rejection(gateway.refund({ paymentIntentId: pi, amount: -5, idempotencyKey: 'r-neg' }))).toMatchObject({
      code: 'refund_amount_invalid',
      status: 400,
    });
  });

  it('answers an unknown session with payment_session_not_found', async () => {
    expect(await rejection(gateway.retrieveCheckoutSession('cs_test_doesnotexist'))).toMatchObject({
      code: 'payment_session_not_found',
      status: 404,
    });
  });

  it('retries a failed delivery on schedule with the same event id until the store answers 2xx', async () => {
    let calls = 0;
    receiver.respondWith(() => ({ status: ++calls <= 2 ? 500 : 200 }));
    const before = receiver.received.length;
    const { id } = await gateway.createCheckoutSession(input());
    await driveSession(gw, id, 'pay');
    const record = await gw.waitForEvent(
      (r) => r.event.type === 'checkout.session.completed' && JSON.stringify(r.event.data).includes(id) && r.state === 'delivered',
    );
    expect(record.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    const deliveries = receiver.received.slice(before).filter((d) => d.body.toString().includes(record.event.id));
    expect(deliveries.map((d) => d.status)).toEqual([500, 500, 200]);
    // Same bytes and event id each time; every attempt carries a valid signature of its own.
    expect(new Set(deliveries.map((d) => d.body.toString())).size).toBe(1);
    for (const d of deliveries) expect(gateway.parseWebhook(d.body, d.headers['stripe-signature']).id).toBe(record.event.id);
    // The waits follow the schedule (50 ms, then 200 ms).
    const gaps = record.attempts.slice(1).map((a, i) => a.at - record.attempts[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(195);
  });

  it('rides out a short outage through the SDK retries, creating one session only', async () => {
    gw.simulateOutage(1);
    const first = input();
    const created = await gateway.createCheckoutSession(first);
    expect((await gateway.createCheckoutSession(first)).id).toBe(created.id);
  });

  it('turns an unreachable gateway into payment_gateway_unavailable (503)', async () => {
    const down = createStripeGateway({
      secretKey: gw.apiKey,
      webhookSecret: gw.webhookSecret,
      apiUrl: 'http://127.0.0.1:9',
      maxNetworkRetries: 0,
      timeoutMs: 2000,
    });
    const err = await rejection(down.createCheckoutSession(input()));
    expect(err).toMatchObject({ code: 'payment_gateway_unavailable', status: 503 });
    expect(err.message).toMatch(/Nothing was charged/);
  });

  it('turns a rejected API key into payment_gateway_unavailable (502) naming the setting, never the key', async () => {
    const wrongKey = createStripeGateway({ secretKey: 'sk_test_wrong_key_1234', webhookSecret: gw.webhookSecret, apiUrl: gw.url });
    const err = await rejection(wrongKey.retrieveCheckoutSession('cs_test_x'));
    expect(err).toMatchObject({ code: 'payment_gateway_unavailable', status: 502 });
    expect(String(err.details?.reason)).toMatch(/STRIPE_SECRET_KEY/);
    expect(err.message).not.toMatch(/sk_test/);
  });

  it('lists every session created since a time, following the pages past 100, as the reconciler reads them', async () => {
    const own = await startTestGateway();
    try {
      const store = createStripeGateway({ secretKey: own.apiKey, webhookSecret: own.webhookSecret, apiUrl: own.url });
      const since = Date.now() - 1000;
      const created: string[] = [];
      for (let i = 0; i < 103; i++) created.push((await store.createCheckoutSession(input())).id);
      own.pay(created[0]!);
      const listed: Array<{ id: string; reference: string | null; status: string; paymentStatus: string }> = [];
      for await (const session of store.listCheckoutSessions(since)) listed.push(session);
      expect(listed.map((s) => s.id)).toEqual([...created].reverse());
      expect(listed.at(-1)).toMatchObject({ status: 'complete', paymentStatus: 'paid', reference: `ord_test${n - 102}` });
      const later: string[] = [];
      for await (const session of store.listCheckoutSessions(Date.now() + 60_000)) later.push(session.id);
      expect(later).toEqual([]);
      own.simulateOutage(100);
      const err = await rejection(
        (async () => {
          for await (const session of store.listCheckoutSessions(since)) void session;
        })(),
      );
      expect(err).toMatchObject({ code: 'payment_gateway_unavailable' });
    } finally {
      await own.close();
    }
  });

  it('refuses a total below the minimum charge before asking the gateway, and reads the gateway’s own refusal alike', async () => {
    const err = await rejection(gateway.createCheckoutSession(input({ lineItems: [{ name: 'Sticker', unitAmount: 49, quantity: 1 }] })));
    expect(err).toMatchObject({ code: 'amount_below_minimum', status: 400 });
    expect(err.message).toContain('cannot take less than €0.50');
    const fromGateway = toPaymentError(
      new Stripe.errors.StripeInvalidRequestError({
        type: 'invalid_request_error',
        code: 'amount_too_small',
        message: "The Checkout Session's total amount due must add up to at least €0.50 eur",
      }),
      'create checkout session',
    );
    expect(fromGateway).toMatchObject({ code: 'amount_below_minimum', status: 400 });
  });
});
