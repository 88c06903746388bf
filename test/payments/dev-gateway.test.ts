import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDevGateway } from '../../dev/gateway/gateway.js';
import { createStripeGateway } from '../../src/payments/stripe.gateway.js';
import {
  driveSession,
  startTestGateway,
  startWebhookReceiver,
  TEST_STRIPE_KEY,
  TEST_WEBHOOK_SECRET,
  type DevGateway,
} from '../support/gateway.js';

let gw: DevGateway;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let n = 0;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  gw = await startTestGateway({ webhookUrl: receiver.url });
});

afterAll(async () => {
  await gw.close();
  await receiver.close();
});

afterEach(() => receiver.respondWith(() => ({ status: 200 })));

const auth = { authorization: `Bearer ${TEST_STRIPE_KEY}` };

function sessionForm(overrides: Record<string, string> = {}, name = 'Game key') {
  n++;
  return new URLSearchParams({
    mode: 'payment',
    'line_items[0][quantity]': '2',
    'line_items[0][price_data][currency]': 'eur',
    'line_items[0][price_data][unit_amount]': '1250',
    'line_items[0][price_data][product_data][name]': name,
    success_url: `http://shop.test/ok?session_id={CHECKOUT_SESSION_ID}&n=${n}`,
    cancel_url: 'http://shop.test/cancelled',
    client_reference_id: `ord_dev${n}`,
    'metadata[reference]': `ord_dev${n}`,
    ...overrides,
  }).toString();
}

async function api(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) {
  const res = await fetch(`${gw.url}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...auth, ...init.headers },
    body: init.body,
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as StripeJson };
}

/** A Stripe answer as these tests read it: an object's fields, or an error in Stripe's shape. */
interface StripeJson {
  error: { type: string; message: string; code?: string; param?: string };
  [field: string]: unknown;
}

async function createSession(overrides: Record<string, string> = {}, name?: string) {
  const { json } = await api('/v1/checkout/sessions', { body: sessionForm(overrides, name) });
  if (typeof json.id !== 'string' || typeof json.url !== 'string') throw new Error(`no session: ${JSON.stringify(json)}`);
  return { id: json.id, url: json.url };
}

describe('development gateway: Stripe API subset', () => {
  it('refuses requests without the secret key, or with another, in Stripe error shape', async () => {
    const none = await api('/v1/checkout/sessions/cs_x', { headers: { authorization: '' } });
    expect(none.status).toBe(401);
    expect(none.json.error).toMatchObject({ type: 'invalid_request_error' });
    expect(none.json.error.message).toMatch(/did not provide an API key/);
    const wrong = await api('/v1/checkout/sessions/cs_x', { headers: { authorization: 'Bearer sk_test_wrongwrongwrong1234' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.error.message).toMatch(/^Invalid API Key provided: sk_test_\*+1234$/);
  });

  it('accepts the key as HTTP Basic user name too, as Stripe does', async () => {
    const { id } = await createSession();
    const basic = await api(`/v1/checkout/sessions/${id}`, {
      headers: { authorization: `Basic ${Buffer.from(`${TEST_STRIPE_KEY}:`).toString('base64')}` },
    });
    expect(basic.status).toBe(200);
    expect(basic.json).toMatchObject({
      id,
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: 2500,
      currency: 'eur',
      livemode: false,
    });
    expect(basic.headers.get('request-id')).toMatch(/^req_/);
  });

  it('validates parameters with Stripe-style errors naming the parameter', async () => {
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ mode: '' }, 400, 'mode'],
      [{ mode: 'subscription' }, 400, 'mode'],
      [{ 'line_items[0][quantity]': '0' }, 400, 'line_items[0][quantity]'],
      [{ 'line_items[0][price_data][currency]': 'xyz' }, 400, 'line_items[0][price_data][currency]'],
      [{ 'line_items[1][quantity]': '1' }, 400, 'line_items[1][price_data]'],
      [{ 'line_items[3][quantity]': '1' }, 400, 'line_items'],
      [{ success_url: 'javascript:alert(1)' }, 400, 'success_url'],
      [{ surprise: 'x' }, 400, 'surprise'],
      [{ expires_at: String(Math.floor(Date.now() / 1000) + 60) }, 400, 'expires_at'],
      [{ expires_at: String(Math.floor(Date.now() / 1000) + 2 * 86_400) }, 400, 'expires_at'],
      [{ 'metadata[x]': 'y'.repeat(501) }, 400, 'metadata[x]'],
    ];
    for (const [overrides, status, param] of cases) {
      const res = await api('/v1/checkout/sessions', { body: sessionForm(overrides) });
      expect(res.status, JSON.stringify(overrides)).toBe(status);
      expect(res.json.error.param, JSON.stringify(overrides)).toBe(param);
      expect(res.json.error.type).toBe('invalid_request_error');
    }
  });

  it('replays an idempotent request (header Idempotent-Replayed) and refuses the key with other parameters', async () => {
    const body = sessionForm();
    const first = await api('/v1/checkout/sessions', { body, headers: { 'idempotency-key': `k-${n}` } });
    const again = await api('/v1/checkout/sessions', { body, headers: { 'idempotency-key': `k-${n}` } });
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const other = await api('/v1/checkout/sessions', { body: sessionForm(), headers: { 'idempotency-key': `k-${n - 1}` } });
    expect(other.status).toBe(400);
    expect(other.json.error.type).toBe('idempotency_error');
  });

  it('answers unknown URLs and objects like Stripe', async () => {
    const route = await api('/v1/customers');
    expect(route.status).toBe(404);
    expect(route.json.error.message).toMatch(/Unrecognized request URL \(GET: \/v1\/customers\)/);
    const object = await api('/v1/payment_intents/pi_missing');
    expect(object.status).toBe(404);
    expect(object.json.error).toMatchObject({ code: 'resource_missing', message: "No such payment_intent: 'pi_missing'" });
  });

  it('expands the payment intent of a session on request', async () => {
    const { id } = await createSession();
    await driveSession(gw, id, 'pay');
    const res = await api(`/v1/checkout/sessions/${id}?expand[]=payment_intent`);
    expect(res.json.payment_intent).toMatchObject({ object: 'payment_intent', status: 'succeeded', amount: 2500, amount_received: 2500 });
    const pi = await api(`/v1/payment_intents/${(res.json.payment_intent as { id: string }).id}`);
    expect(pi.json.latest_charge).toMatch(/^ch_/);
  });

  it("refuses a session below Stripe's minimum charge for its currency, in Stripe's error shape", async () => {
    const one = (amount: number, currency: string, quantity = 1) => ({
      'line_items[0][quantity]': String(quantity),
      'line_items[0][price_data][currency]': currency,
      'line_items[0][price_data][unit_amount]': String(amount),
    });
    const refused = await api('/v1/checkout/sessions', { body: sessionForm(one(49, 'eur')) });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'amount_too_small',
      param: 'line_items',
      message: "The Checkout Session's total amount due must add up to at least €0.50 eur",
    });
    expect((await api('/v1/checkout/sessions', { body: sessionForm(one(7, 'eur', 7)) })).json.error.code).toBe('amount_too_small');
    expect((await api('/v1/checkout/sessions', { body: sessionForm(one(49, 'jpy')) })).json.error.message).toMatch(/at least ¥50 jpy$/);
    expect((await api('/v1/checkout/sessions', { body: sessionForm(one(29, 'gbp')) })).json.error.code).toBe('amount_too_small');
    for (const ok of [one(50, 'eur'), one(50, 'jpy'), one(30, 'gbp'), one(50, 'chf'), one(25, 'usd', 2)])
      expect((await api('/v1/checkout/sessions', { body: sessionForm(ok) })).status, JSON.stringify(ok)).toBe(200);
  });

  it('lists sessions newest first, page by page, filtered by creation time and status', async () => {
    const own = await startTestGateway();
    try {
      const get = async (query: string) => {
        const res = await fetch(`${own.url}/v1/checkout/sessions${query}`, { headers: auth });
        return {
          status: res.status,
          json: (await res.json()) as { has_more: boolean; data: Array<{ id: string }>; error?: { param: string } },
        };
      };
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${own.url}/v1/checkout/sessions`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
          body: sessionForm(),
        });
        ids.push(((await res.json()) as { id: string }).id);
      }
      const newest = [...ids].reverse();
      const first = await get('?limit=2');
      expect(first.json.data.map((s) => s.id)).toEqual(newest.slice(0, 2));
      expect(first.json.has_more).toBe(true);
      const second = await get(`?limit=2&starting_after=${newest[1]}`);
      expect(second.json.data.map((s) => s.id)).toEqual(newest.slice(2, 4));
      const last = await get(`?limit=2&starting_after=${newest[3]}`);
      expect(last.json).toMatchObject({ has_more: false, data: [{ id: newest[4] }] });
      expect((await get(`?created[gte]=${Math.floor(Date.now() / 1000) + 60}`)).json.data).toEqual([]);
      expect((await get(`?created[gte]=${Math.floor(Date.now() / 1000) - 60}`)).json.data).toHaveLength(5);
      own.pay(ids[2]!);
      expect((await get('?status=complete')).json.data.map((s) => s.id)).toEqual([ids[2]]);
      expect((await get('?limit=101')).json.error?.param).toBe('limit');
      expect((await get('?starting_after=cs_nope')).status).toBe(404);
    } finally {
      await own.close();
    }
  });
});

describe('development gateway: hosted payment page', () => {
  it('shows the line items and total, escaped, with Pay, Decline and Cancel, under a strict CSP', async () => {
    const { url } = await createSession({}, '<script>alert("x")</script> & Co');
    const res = await fetch(url);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('&lt;script>alert(&quot;x&quot;)&lt;/script> &amp; Co');
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('€25.00');
    for (const action of ['pay', 'decline', 'cancel']) expect(html).toContain(`name="action" value="${action}"`);
    expect(html).not.toMatch(/ style=| on[a-z]+=/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("form-action 'self' http://shop.test");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('says when a page does not exist, has been paid, or has expired', async () => {
    expect((await fetch(`${gw.url}/pay/cs_test_nope`)).status).toBe(404);
    const paid = await createSession();
    await driveSession(gw, paid.id, 'pay', { via: 'page' });
    const paidHtml = await (await fetch(paid.url)).text();
    expect(paidHtml).toContain('This payment has already been made');
    expect(paidHtml).toContain(`http://shop.test/ok?session_id=${paid.id}`);
    const gone = await createSession();
    await driveSession(gw, gone.id, 'expire');
    expect(await (await fetch(gone.url)).text()).toContain('This payment page has expired');
    // A second Pay on a closed page changes nothing and goes back to the page.
    const again = await fetch(paid.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=pay',
      redirect: 'manual',
    });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`/pay/${paid.id}`);
  });

  it('refuses an unknown button with a page, not a crash', async () => {
    const { url } = await createSession();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=steal',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Unknown action');
  });
});

describe('development gateway: webhooks and test endpoint', () => {
  it('lists events with their deliveries, and resends one with the same id', async () => {
    const { id } = await createSession();
    await driveSession(gw, id, 'pay');
    const record = await gw.waitForEvent(
      (r) =>
        r.event.type === 'checkout.session.completed' &&
        (r.event.data as { object: { id: string } }).object.id === id &&
        r.state === 'delivered',
    );
    const listed = (await (await fetch(`${gw.url}/__dev/events`)).json()) as Array<{ id: string; state: string; attempts: unknown[] }>;
    expect(listed.find((e) => e.id === record.event.id)).toMatchObject({
      state: 'delivered',
      attempts: [expect.objectContaining({ status: 200 })],
    });
    // Stripe would not send payment intent events to an endpoint not enabled for them.
    expect(listed.some((e) => (e as unknown as { type: string }).type === 'payment_intent.succeeded' && e.state === 'skipped')).toBe(true);
    const deliveriesOf = () => receiver.received.filter((d) => d.body.toString().includes(record.event.id));
    expect(deliveriesOf()).toHaveLength(1);
    expect((await fetch(`${gw.url}/__dev/events/${record.event.id}/resend`, { method: 'POST' })).status).toBe(202);
    await vi.waitFor(() => expect(deliveriesOf()).toHaveLength(2));
    expect(deliveriesOf()[1]!.body.equals(deliveriesOf()[0]!.body)).toBe(true);
    expect((await fetch(`${gw.url}/__dev/events/evt_nope/resend`, { method: 'POST' })).status).toBe(404);
  });

  it('sends a custom event (e.g. a type the store ignores), signed like the rest', async () => {
    const res = await fetch(`${gw.url}/__dev/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'customer.created', object: { id: 'cus_1', object: 'customer' } }),
    });
    const { id } = (await res.json()) as { id: string };
    await gw.waitForEvent((r) => r.event.id === id && r.state === 'delivered');
    const delivery = receiver.received.find((d) => d.body.toString().includes(id))!;
    const store = createStripeGateway({ secretKey: TEST_STRIPE_KEY, webhookSecret: TEST_WEBHOOK_SECRET, apiUrl: gw.url });
    expect(store.parseWebhook(delivery.body, delivery.headers['stripe-signature'])).toMatchObject({
      id,
      type: 'unknown',
      rawType: 'customer.created',
    });
  });

  it('pays a different amount when asked, so the store can test a mismatch', async () => {
    const { id } = await createSession();
    const res = await fetch(`${gw.url}/__dev/sessions/${id}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"amount":100,"currency":"USD"}',
    });
    expect(((await res.json()) as { session: Record<string, unknown> }).session).toMatchObject({
      amount_total: 100,
      currency: 'usd',
      payment_status: 'paid',
    });
    const bad = await fetch(`${gw.url}/__dev/sessions/${id}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"amount":-1}',
    });
    expect(bad.status).toBe(400);
  });

  it('gives up after the last retry and marks the event failed; a network error counts as a failure', async () => {
    receiver.respondWith(() => ({ status: 503 }));
    const { id } = await createSession();
    await driveSession(gw, id, 'expire');
    const failed = await gw.waitForEvent(
      (r) =>
        r.event.type === 'checkout.session.expired' &&
        (r.event.data as { object: { id: string } }).object.id === id &&
        r.state === 'failed',
      5_000,
    );
    expect(failed.attempts.map((a) => a.status)).toEqual([503, 503, 503, 503]);

    const lonely = await startTestGateway({ webhookUrl: 'http://127.0.0.1:9/api/payment-callback', retrySchedule: [10] });
    try {
      const store = createStripeGateway({ secretKey: TEST_STRIPE_KEY, webhookSecret: TEST_WEBHOOK_SECRET, apiUrl: lonely.url });
      const s = await store.createCheckoutSession({
        reference: 'ord_x',
        kind: 'order',
        lineItems: [{ name: 'x', unitAmount: 100, quantity: 1 }],
        currency: 'EUR',
        successUrl: 'http://shop.test/ok',
        cancelUrl: 'http://shop.test/c',
        expiresAt: Date.now() + 3_600_000,
        idempotencyKey: 'lonely',
      });
      lonely.pay(s.id);
      const r = await lonely.waitForEvent((e) => e.event.type === 'checkout.session.completed' && e.state === 'failed', 5_000);
      expect(r.attempts).toHaveLength(2);
      expect(r.attempts[0]).toMatchObject({ status: null, error: expect.any(String) as unknown });
    } finally {
      await lonely.close();
    }
  });

  it('expires sessions when their time passes, on its own clock, and says so by webhook', async () => {
    let now = Date.now();
    const clocked = await startTestGateway({ webhookUrl: receiver.url, clock: () => now });
    try {
      const store = createStripeGateway({
        secretKey: TEST_STRIPE_KEY,
        webhookSecret: TEST_WEBHOOK_SECRET,
        apiUrl: clocked.url,
        clock: () => now,
      });
      const s = await store.createCheckoutSession({
        reference: 'don_1',
        kind: 'donation',
        lineItems: [{ name: 'Donation', unitAmount: 500, quantity: 1 }],
        currency: 'EUR',
        successUrl: 'http://shop.test/ok',
        cancelUrl: 'http://shop.test/c',
        expiresAt: now + 3_600_000,
        idempotencyKey: 'don-1',
      });
      expect(await (await fetch(s.url)).text()).toContain('Donate €5.00');
      expect(clocked.sweep()).toBe(0);
      now += 3_600_000 + 1000;
      expect(clocked.sweep()).toBe(1);
      const record = await clocked.waitForEvent((r) => r.event.type === 'checkout.session.expired' && r.state === 'delivered');
      const delivery = receiver.received.find((d) => d.body.toString().includes(record.event.id))!;
      // Signed at the gateway's (advanced) time, which the store's clock accepts.
      expect(store.parseWebhook(delivery.body, delivery.headers['stripe-signature'])).toMatchObject({
        type: 'checkout.expired',
        reference: 'don_1',
        kind: 'donation',
      });
      expect((await store.retrieveCheckoutSession(s.id)).status).toBe('expired');
    } finally {
      await clocked.close();
    }
  });

  it('records events without a webhook URL until one is set', async () => {
    const quiet = await startTestGateway({ webhookUrl: null });
    try {
      const first = quiet.sendEvent('charge.refunded', { id: 'ch_q', object: 'charge' });
      expect(quiet.events().find((r) => r.event.id === first)!.state).toBe('skipped');
      quiet.setWebhookUrl(receiver.url);
      const second = quiet.sendEvent('charge.refunded', { id: 'ch_r', object: 'charge' });
      expect((await quiet.waitForEvent((r) => r.event.id === second && r.state === 'delivered')).attempts).toHaveLength(1);
      expect(quiet.events().find((r) => r.event.id === first)!.attempts).toHaveLength(0);
    } finally {
      await quiet.close();
    }
  });

  it('refuses to start in production', async () => {
    vi.stubEnv('NODE_ENV', 'production');
    try {
      await expect(startDevGateway({ port: 0, webhookUrl: null, webhookSecret: 'whsec_x', apiKey: 'sk_test_x' })).rejects.toThrow(
        /refuses to run/,
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
