import Stripe from 'stripe';
import { ValidationError } from '../platform/errors.js';
import type { CheckoutSession, CheckoutSessionInput, PaymentEvent, PaymentGateway, RefundInput, RefundResult } from './payment-gateway.js';
import { WebhookMalformedError, WebhookSignatureError } from './payments.errors.js';
import { assertChargeable } from './charge-minimums.js';
import { toPaymentError } from './stripe.errors.js';
import { normaliseStripeEvent, normaliseStripeSession } from './stripe.events.js';

export interface StripeGatewayOptions {
  secretKey: string;
  webhookSecret: string;
  /** Another Stripe-compatible API (the bundled dev gateway); Stripe's own when absent. */
  apiUrl?: string | null;
  /** How old (or how far ahead) a webhook signature may be, in seconds (Stripe's default 300). */
  toleranceSeconds?: number;
  /** epoch ms; tests pass their own to check the tolerance window. */
  clock?: () => number;
  /** Per request, in ms. The SDK's 80 s would hold a buyer's checkout far too long; with the retries the worst case stays under the store's 30 s request timeout. */
  timeoutMs?: number;
  /** Retries on network errors, 409 and 5xx, with backoff; POSTs carry an idempotency key so a retry never pays twice. */
  maxNetworkRetries?: number;
}

/** Stripe enforces 30 minutes to 24 hours from its own clock; the margins absorb clock skew and latency. */
const MIN_EXPIRY_MS = 31 * 60_000;
const MAX_EXPIRY_MS = 24 * 3_600_000 - 5 * 60_000;

/** Where the SDK sends requests: Stripe itself, or host/port/protocol of a compatible server. */
function endpointOf(apiUrl: string | null | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiUrl) return {};
  const url = new URL(apiUrl);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

function checkInput(input: CheckoutSessionInput) {
  const problems: string[] = [];
  if (!input.reference) problems.push('reference is required');
  if (!/^[A-Za-z]{3}$/.test(input.currency)) problems.push('currency must be an ISO 4217 code');
  if (input.lineItems.length === 0) problems.push('at least one line item is required');
  for (const item of input.lineItems) {
    if (!item.name.trim()) problems.push('every line item needs a name');
    if (!Number.isSafeInteger(item.unitAmount) || item.unitAmount <= 0)
      problems.push(`${item.name}: unit amount must be a positive integer`);
    if (!Number.isSafeInteger(item.quantity) || item.quantity <= 0) problems.push(`${item.name}: quantity must be a positive integer`);
  }
  if (problems.length > 0)
    throw new ValidationError(`The payment could not be prepared: ${problems.join('; ')}.`, undefined, 'payment_input_invalid');
  assertChargeable(
    input.lineItems.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0),
    input.currency,
    input.kind === 'donation' ? 'donation' : 'payment',
  );
}

/** The `t=` of a Stripe-Signature header, or null when it has no timestamp and v1 signature. */
function signatureTimestamp(header: string): number | null {
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const hasV1 = parts.some(([k, v]) => k === 'v1' && !!v);
  return t && /^\d{1,12}$/.test(t) && hasV1 ? Number(t) : null;
}

/** The payment gateway on Stripe Checkout, through the official SDK. */
export function createStripeGateway(options: StripeGatewayOptions): PaymentGateway {
  const { webhookSecret, toleranceSeconds = 300, clock = Date.now } = options;
  const stripe = new Stripe(options.secretKey, {
    ...endpointOf(options.apiUrl),
    timeout: options.timeoutMs ?? 8_000,
    maxNetworkRetries: options.maxNetworkRetries ?? 2,
    telemetry: false,
    appInfo: { name: 'digital-goods-store' },
  });

  async function call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toPaymentError(err, action);
    }
  }

  return {
    provider: 'stripe',

    async createCheckoutSession(input) {
      checkInput(input);
      const now = clock();
      const expiresAt = Math.min(Math.max(input.expiresAt, now + MIN_EXPIRY_MS), now + MAX_EXPIRY_MS);
      // billing_country: where the store's checkout taxed the buyer (Stripe's page asks for the address itself).
      const metadata = {
        reference: input.reference,
        kind: input.kind,
        ...(input.automaticTax && { billing_country: input.automaticTax.country }),
      };
      const session = await call('create checkout session', () =>
        stripe.checkout.sessions.create(
          {
            mode: 'payment',
            client_reference_id: input.reference,
            customer_email: input.customerEmail,
            line_items: input.lineItems.map((item) => ({
              quantity: item.quantity,
              price_data: {
                currency: input.currency.toLowerCase(),
                unit_amount: item.unitAmount,
                product_data: { name: item.name, ...(item.description && { description: item.description }) },
                ...(item.taxBehavior && { tax_behavior: item.taxBehavior }),
              },
            })),
            // TAX_PROVIDER=stripe: Stripe Tax computes the tax on the line amounts from the buyer's address.
            ...(input.automaticTax && { automatic_tax: { enabled: true } }),
            metadata,
            // So the payment and its charges (refund events) carry the reference too.
            payment_intent_data: { metadata },
            submit_type: input.kind === 'donation' ? 'donate' : 'pay',
            success_url: input.successUrl,
            cancel_url: input.cancelUrl,
            expires_at: Math.floor(expiresAt / 1000),
          },
          { idempotencyKey: input.idempotencyKey },
        ),
      );
      if (!session.url) throw toPaymentError(new Error('the session has no payment page URL'), 'create checkout session');
      return { id: session.id, url: session.url };
    },

    async retrieveCheckoutSession(id): Promise<CheckoutSession> {
      return normaliseStripeSession(await call('retrieve checkout session', () => stripe.checkout.sessions.retrieve(id)));
    },

    async *listCheckoutSessions(createdSince) {
      const pages = stripe.checkout.sessions.list({ created: { gte: Math.floor(createdSince / 1000) }, limit: 100 });
      try {
        // The SDK follows `has_more` with `starting_after`, one page of 100 at a time.
        for await (const session of pages) yield normaliseStripeSession(session);
      } catch (err) {
        throw toPaymentError(err, 'list checkout sessions');
      }
    },

    async expireCheckoutSession(id): Promise<CheckoutSession> {
      try {
        return normaliseStripeSession(await stripe.checkout.sessions.expire(id));
      } catch (err) {
        // Stripe refuses to expire a session that is no longer open; the caller only needs its state.
        if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code !== 'resource_missing') {
          const session = normaliseStripeSession(await call('retrieve checkout session', () => stripe.checkout.sessions.retrieve(id)));
          if (session.status !== 'open') return session;
        }
        throw toPaymentError(err, 'expire checkout session');
      }
    },

    async refund({ paymentIntentId, amount, idempotencyKey }: RefundInput): Promise<RefundResult> {
      if (amount !== undefined && (!Number.isSafeInteger(amount) || amount <= 0)) {
        throw new ValidationError('A refund amount must be a positive whole number of minor units.', undefined, 'refund_amount_invalid');
      }
      const refund = await call('refund', () => stripe.refunds.create({ payment_intent: paymentIntentId, amount }, { idempotencyKey }));
      const status =
        (['pending', 'succeeded', 'failed', 'canceled', 'requires_action'] as const).find((s) => s === refund.status) ?? 'pending';
      return { id: refund.id, status, amount: refund.amount, currency: refund.currency.toUpperCase() };
    },

    parseWebhook(rawBody, signatureHeader): PaymentEvent {
      const header = Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader;
      if (!header) throw new WebhookSignatureError('missing');
      const t = signatureTimestamp(header);
      if (t === null) throw new WebhookSignatureError('unparseable');
      // The SDK accepts timestamps from the future; a signature dated ahead of the window is refused too.
      if (t - Math.floor(clock() / 1000) > toleranceSeconds) throw new WebhookSignatureError('stale');
      let event: unknown;
      try {
        event = stripe.webhooks.constructEvent(rawBody, header, webhookSecret, toleranceSeconds, undefined, clock());
      } catch (err) {
        if (err instanceof Stripe.errors.StripeSignatureVerificationError) {
          throw new WebhookSignatureError(/tolerance/i.test(err.message) ? 'stale' : 'mismatch');
        }
        throw new WebhookMalformedError(err instanceof SyntaxError ? 'the body is not JSON' : 'the body is not a Stripe event');
      }
      return normaliseStripeEvent(event);
    },
  };
}
