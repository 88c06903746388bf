import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { startDevGateway, type DevGateway, type DevGatewayOptions } from '../../dev/gateway/gateway.js';

export type { DevGateway } from '../../dev/gateway/gateway.js';

/** The keys tests share between the store and the dev gateway (the dev gateway is never in production). */
export const TEST_STRIPE_KEY = 'sk_test_store_tests_dev_gateway';
export const TEST_WEBHOOK_SECRET = 'whsec_store_tests_dev_gateway_secret';
/** Retries fast enough for a test to watch a delivery fail and succeed. */
export const FAST_RETRIES = [50, 200, 1000];

/**
 * The development gateway on a free port, with test keys and fast retries. Pass the store's webhook
 * URL (or set it later with `gateway.setWebhookUrl`, e.g. once a store has its port). No expiry
 * timer runs: a session past its time expires when next read, or on `gateway.sweep()`.
 */
export function startTestGateway(options: Partial<DevGatewayOptions> = {}): Promise<DevGateway> {
  return startDevGateway({
    port: 0,
    webhookUrl: null,
    apiKey: TEST_STRIPE_KEY,
    webhookSecret: TEST_WEBHOOK_SECRET,
    retrySchedule: FAST_RETRIES,
    deliveryTimeoutMs: 5_000,
    sweepIntervalMs: 0,
    ...options,
  });
}

/** The store's environment for talking to this gateway: pass it to createTestApp or testConfig. */
export function gatewayEnv(gateway: Pick<DevGateway, 'url' | 'apiKey' | 'webhookSecret'>): Record<string, string> {
  return {
    PAYMENT_PROVIDER: 'stripe',
    STRIPE_API_URL: gateway.url,
    STRIPE_SECRET_KEY: gateway.apiKey,
    STRIPE_WEBHOOK_SECRET: gateway.webhookSecret,
  };
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** what the receiver answered */
  status: number;
}

type WebhookHandler = (hook: {
  headers: IncomingHttpHeaders;
  body: Buffer;
}) => Promise<{ status: number; body?: string }> | { status: number; body?: string };

/**
 * A real HTTP endpoint for webhooks on a free port. It answers with `handler` (200 by default) and
 * keeps everything it received; swap the handler with `respondWith` to play a failing store.
 */
export async function startWebhookReceiver(handler: WebhookHandler = () => ({ status: 200 })) {
  const received: ReceivedWebhook[] = [];
  let current = handler;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // A throw in the answer is a bug in the test: left unhandled, vitest reports it.
      void Promise.resolve(current({ headers: req.headers, body }))
        .catch(() => ({ status: 500, body: 'receiver failed' }))
        .then((answer) => {
          received.push({ headers: req.headers, body, status: answer.status });
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body ?? '{"received":true}');
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/payment-callback`,
    received,
    respondWith(next: WebhookHandler) {
      current = next;
    },
    /** Resolves once `count` deliveries have been answered. */
    async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedWebhook[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} webhook deliveries, got ${received.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A webhook handler that passes each delivery to a Fastify app through `inject` (for stores tested without a port). */
export function forwardWebhooksTo(
  app: { inject(opts: object): Promise<{ statusCode: number; body: string }> },
  path = '/api/payment-callback',
): WebhookHandler {
  return async ({ headers, body }) => {
    const res = await app.inject({
      method: 'POST',
      url: path,
      headers: {
        'content-type': headers['content-type'] ?? 'application/json',
        'stripe-signature': headers['stripe-signature'] ?? '',
        'user-agent': headers['user-agent'] ?? '',
      },
      payload: body,
    });
    return { status: res.statusCode, body: res.body };
  };
}

/** pay / decline / cancel are the page's buttons; expire ends the session; settle / fail finish a processing (`async`) payment. */
export type SessionAction = 'pay' | 'decline' | 'cancel' | 'expire' | 'settle' | 'fail';

/**
 * Does what a buyer does on the hosted page, and returns where their browser goes next. `via: 'api'`
 * (default) uses the gateway's test endpoint; `via: 'page'` loads the real page and submits its form.
 */
export async function driveSession(
  gateway: Pick<DevGateway, 'url'>,
  sessionId: string,
  action: SessionAction,
  { via = 'api' }: { via?: 'api' | 'page' } = {},
): Promise<{ redirectUrl: string | null }> {
  if (via === 'page' && (action === 'pay' || action === 'decline' || action === 'cancel')) {
    return { redirectUrl: await submitPaymentPage(`${gateway.url}/pay/${encodeURIComponent(sessionId)}`, action) };
  }
  const res = await fetch(`${gateway.url}/__dev/sessions/${encodeURIComponent(sessionId)}/${action}`, { method: 'POST' });
  const body = (await res.json()) as { redirectUrl?: string | null; error?: { message: string } };
  if (!res.ok) throw new Error(`gateway refused ${action}: ${body.error?.message ?? res.status}`);
  return { redirectUrl: body.redirectUrl ?? null };
}

/** Loads a hosted payment page, checks it offers `action`, submits the form as a browser would, returns the redirect. */
export async function submitPaymentPage(pageUrl: string, action: 'pay' | 'decline' | 'cancel'): Promise<string> {
  const page = await fetch(pageUrl);
  const html = await page.text();
  if (!page.ok) throw new Error(`payment page answered ${page.status}`);
  const form = /<form method="post" action="([^"]+)"/.exec(html);
  if (!form || !html.includes(`name="action" value="${action}"`)) throw new Error(`the payment page has no ${action} button`);
  const res = await fetch(new URL(form[1]!.replaceAll('&amp;', '&'), pageUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ action }).toString(),
    redirect: 'manual',
  });
  const location = res.headers.get('location');
  if (res.status !== 303 || !location) throw new Error(`the payment page answered ${res.status} to ${action}`);
  return new URL(location, pageUrl).toString();
}

/** An order's session paid in full, as the gateway announces it in `checkout.session.completed`. */
export function completedSessionEvent(e: { eventId: string; sessionId: string; orderId: string; amount: number; paymentIntent?: string }) {
  return JSON.stringify({
    id: e.eventId,
    object: 'event',
    type: 'checkout.session.completed',
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        id: e.sessionId,
        object: 'checkout.session',
        client_reference_id: e.orderId,
        metadata: { reference: e.orderId, kind: 'order' },
        status: 'complete',
        payment_status: 'paid',
        amount_total: e.amount,
        currency: 'eur',
        ...(e.paymentIntent && { payment_intent: e.paymentIntent }),
      },
    },
  });
}

/** Posts a webhook body to the store signed with the test gateway's secret, as the gateway would. */
export function postSignedWebhook(app: FastifyInstance, payload: string) {
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET });
  return app.inject({
    method: 'POST',
    url: '/api/payment-callback',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    payload,
  });
}
