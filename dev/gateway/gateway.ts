import type { AddressInfo } from 'node:net';
import type { TaxRateRow } from '../../src/tax/tax.rules.js';
import Fastify, { type FastifyError } from 'fastify';
import { gatewayApi } from './gateway.api.js';
import { gatewayDevRoutes } from './gateway.dev-routes.js';
import { decodeStripeForm, FormDecodeError } from './gateway.form.js';
import { createLedger, type PayOptions } from './gateway.ledger.js';
import { eventObject, StripeApiError, type StripeObject } from './gateway.objects.js';
import { applyPageAction, gatewayPages } from './gateway.page.js';
import { stripeId } from './gateway.signing.js';
import { ErrorPage, NotFoundPage, renderPage } from './gateway.views.js';
import { createWebhookDispatcher, REALISTIC_RETRY_SCHEDULE, STORE_EVENTS, type EventRecord } from './gateway.webhooks.js';

export interface DevGatewayOptions {
  /** Port on 127.0.0.1; 0 picks a free one (tests). */
  port: number;
  host?: string;
  /** The store's webhook endpoint (`<PUBLIC_URL>/api/payment-callback`); null records events without sending them. */
  webhookUrl: string | null;
  /** The endpoint signing secret (`whsec_…`) the store verifies with. */
  webhookSecret: string;
  /** The secret key (`sk_test_…`) the store's SDK must present. */
  apiKey: string;
  /** Where browsers reach the gateway (the hosted page links); defaults to http://<host>:<port>. */
  publicUrl?: string;
  /** Delays before each retry of a failed delivery, ms (tests: e.g. [50, 200, 1000]). */
  retrySchedule?: number[];
  /** epoch ms; for timestamps, expiry and signatures. Retries still wait in real time. */
  clock?: () => number;
  /** Event types delivered to the webhook (default: the five the store handles); ['*'] for all. */
  enabledEvents?: string[];
  deliveryTimeoutMs?: number;
  /** How often sessions past expires_at are expired (ms, default 1000; 0 turns the timer off). */
  sweepIntervalMs?: number;
  /** Where delivery failures are reported (npm start prints them). */
  log?: (line: string) => void;
  /** The rates automatic tax computes with (tests: the store's tax_rates); the store's shipped EU rates when absent. */
  taxRates?: () => readonly TaxRateRow[];
}

export interface DevGateway {
  name: string;
  /** The API base the store's SDK uses (STRIPE_API_URL). */
  url: string;
  publicUrl: string;
  port: number;
  apiKey: string;
  webhookSecret: string;
  /** The hosted page's Pay button (or, with options, an async or mismatched payment); returns the redirect. */
  pay(sessionId: string, options?: PayOptions): string;
  decline(sessionId: string): string;
  cancel(sessionId: string): string;
  expire(sessionId: string): void;
  settle(sessionId: string): void;
  fail(sessionId: string): void;
  session(sessionId: string): StripeObject;
  events(): EventRecord[];
  waitForEvent(match: string | ((r: EventRecord) => boolean), timeoutMs?: number): Promise<EventRecord>;
  /** Sends a custom event (e.g. a type the store does not handle), whatever the enabled events. */
  sendEvent(type: string, object: StripeObject): string;
  resend(eventId: string): void;
  setWebhookUrl(url: string | null): void;
  /** The next `count` API requests answer 500 (the SDK retries them). */
  simulateOutage(count: number): void;
  sweep(): number;
  close(): Promise<void>;
}

/**
 * Starts the development payment gateway: a real HTTP server speaking the part of Stripe's API the
 * store uses (through the official SDK pointed at it), a hosted payment page with Pay, Decline and
 * Cancel, and webhooks signed and retried as Stripe does. It refuses to run in production.
 */
const outcome = (r: EventRecord) => r.attempts.at(-1)?.error ?? `HTTP ${r.attempts.at(-1)?.status}`;

export async function startDevGateway(options: DevGatewayOptions): Promise<DevGateway> {
  // Read directly, not from the caller's config: a last line of defence whatever the caller passes.
  if (process.env.NODE_ENV === 'production') throw new Error('The development payment gateway refuses to run with NODE_ENV=production.');
  const host = options.host ?? '127.0.0.1';
  const clock = options.clock ?? Date.now;
  const outage = { remaining: 0 };
  let publicUrl = options.publicUrl?.replace(/\/+$/, '') ?? '';

  const webhooks = createWebhookDispatcher({
    webhookUrl: options.webhookUrl,
    secret: options.webhookSecret,
    retrySchedule: options.retrySchedule ?? REALISTIC_RETRY_SCHEDULE,
    clock,
    enabledEvents: options.enabledEvents ?? STORE_EVENTS,
    timeoutMs: options.deliveryTimeoutMs ?? 10_000,
    onFailure: (r) =>
      options.log?.(
        `webhook ${r.event.type} ${r.event.id} failed after ${r.attempts.length} attempts (${outcome(r)}); resend it with POST /__dev/events/${r.event.id}/resend`,
      ),
    onRetry: (r, delay) => options.log?.(`webhook ${r.event.type} ${r.event.id}: ${outcome(r)}; retrying in ${Math.round(delay / 1000)} s`),
  });
  const ledger = createLedger({
    clock,
    taxRates: options.taxRates,
    pageUrl: (id) => `${publicUrl}/pay/${encodeURIComponent(id)}`,
    emit: (type, object, request) =>
      webhooks.dispatch(eventObject(type, object, Math.floor(clock() / 1000), request) as EventRecord['event']),
  });

  const app = Fastify({ logger: false, bodyLimit: 256 * 1024, routerOptions: { maxParamLength: 200 } });
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('request-id', stripeId('req', 10));
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, decodeStripeForm(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  const isPage = (url: string) => url.startsWith('/pay/');
  app.setErrorHandler(async (error: FastifyError | StripeApiError | FormDecodeError, request, reply) => {
    const e =
      error instanceof StripeApiError
        ? error
        : error instanceof FormDecodeError
          ? new StripeApiError(400, error.message, 'invalid_request_error', 'parameter_invalid', error.param)
          : typeof error.statusCode === 'number' && error.statusCode < 500
            ? new StripeApiError(error.statusCode, error.message)
            : new StripeApiError(500, 'An unknown error occurred.', 'api_error');
    if (e.status >= 500 && !(error instanceof StripeApiError))
      options.log?.(`error on ${request.method} ${request.url}: ${error.stack ?? error.message}`);
    if (isPage(request.url))
      return reply
        .code(e.status)
        .type('text/html; charset=utf-8')
        .send(renderPage(ErrorPage({ message: e.message })));
    return reply
      .code(e.status)
      .type('application/json')
      .send(JSON.stringify(e.body(), null, 2));
  });
  app.setNotFoundHandler(async (request, reply) => {
    if (isPage(request.url)) return reply.code(404).type('text/html; charset=utf-8').send(renderPage(NotFoundPage()));
    const e = new StripeApiError(404, `Unrecognized request URL (${request.method}: ${request.url.split('?')[0]}).`);
    return reply
      .code(404)
      .type('application/json')
      .send(JSON.stringify(e.body(), null, 2));
  });
  app.get('/', async (_request, reply) =>
    reply
      .type('text/plain; charset=utf-8')
      .send('Development payment gateway (Stripe API subset under /v1, hosted pages under /pay, test automation under /__dev).\n'),
  );
  await app.register(gatewayApi, { prefix: '/v1', ledger, apiKey: options.apiKey, clock, outage });
  await app.register(gatewayPages, { ledger });
  await app.register(gatewayDevRoutes, { prefix: '/__dev', ledger, webhooks, publicUrl: () => publicUrl, clock });

  await app.listen({ port: options.port, host });
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  publicUrl ||= url;

  const sweepMs = options.sweepIntervalMs ?? 1000;
  const sweeper = sweepMs > 0 ? setInterval(() => ledger.sweep(), sweepMs) : null;
  sweeper?.unref();

  const absolute = (path: string) => (path.startsWith('/') ? `${publicUrl}${path}` : path);
  const act = (id: string, action: string) => absolute(applyPageAction(ledger, ledger.sessionRecord(id), action));
  const failIfClosed = (id: string) => {
    const s = ledger.sessionRecord(id);
    if (s.status !== 'open') throw new StripeApiError(400, `This Checkout Session is ${s.status} and can no longer be paid.`);
  };

  return {
    name: 'Payment gateway (development)',
    url,
    publicUrl,
    port,
    apiKey: options.apiKey,
    webhookSecret: options.webhookSecret,
    pay(id, payOptions) {
      if (!payOptions) {
        failIfClosed(id);
        return act(id, 'pay');
      }
      ledger.pay(id, payOptions);
      return absolute(ledger.sessionRecord(id).success_url.replaceAll('{CHECKOUT_SESSION_ID}', id));
    },
    decline: (id) => (failIfClosed(id), act(id, 'decline')),
    cancel: (id) => act(id, 'cancel'),
    expire: (id) => void ledger.expireSession(id),
    settle: (id) => void ledger.settleAsync(id, true),
    fail: (id) => void ledger.settleAsync(id, false),
    session: (id) => ledger.session(id),
    events: () => webhooks.records(),
    waitForEvent: (match, timeoutMs) => webhooks.waitFor(typeof match === 'string' ? (r) => r.event.type === match : match, timeoutMs),
    sendEvent(type, object) {
      const event = eventObject(type, object, Math.floor(clock() / 1000), { id: null, idempotency_key: null }) as EventRecord['event'];
      webhooks.dispatch(event, true);
      return event.id;
    },
    resend: (id) => void webhooks.resend(id),
    setWebhookUrl: (u) => webhooks.setWebhookUrl(u),
    simulateOutage: (count) => void (outage.remaining = count),
    sweep: () => ledger.sweep(),
    async close() {
      if (sweeper) clearInterval(sweeper);
      await webhooks.close();
      await app.close();
    },
  };
}
