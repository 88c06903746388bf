import type { CheckoutSession, PaymentEvent, PaymentEventType, PaymentKind, PaymentStatus, SessionStatus } from './payment-gateway.js';
import { WebhookMalformedError } from './payments.errors.js';

const EVENT_TYPES: Record<string, PaymentEventType> = {
  'checkout.session.completed': 'checkout.completed',
  'checkout.session.async_payment_succeeded': 'checkout.async_payment_succeeded',
  'checkout.session.async_payment_failed': 'checkout.async_payment_failed',
  'checkout.session.expired': 'checkout.expired',
  'charge.refunded': 'charge.refunded',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
/** A Stripe id field may be a string or, when expanded, the object itself. */
const idOf = (v: unknown): string | null => str(v) ?? (isObj(v) ? str(v.id) : null);
const upper = (v: unknown): string | null => (typeof v === 'string' && /^[a-zA-Z]{3}$/.test(v) ? v.toUpperCase() : null);

function metadataOf(o: Obj): { reference: string | null; kind: PaymentKind | null } {
  const m = isObj(o.metadata) ? o.metadata : {};
  const kind = m.kind === 'order' || m.kind === 'donation' ? m.kind : null;
  return { reference: str(o.client_reference_id) ?? str(m.reference), kind };
}

function requireInt(o: Obj, field: string, what: string): number {
  const v = o[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new WebhookMalformedError(`${what}.${field} is not an amount`);
  return v;
}

/** The tax Stripe computed for a session with automatic tax, or null (the store's own tax, in the line amounts). */
function automaticTaxOf(o: Obj): number | null {
  if (!isObj(o.automatic_tax) || o.automatic_tax.enabled !== true || !isObj(o.total_details)) return null;
  const tax = o.total_details.amount_tax;
  return typeof tax === 'number' && Number.isSafeInteger(tax) && tax >= 0 ? tax : null;
}

function sessionFields(o: Obj) {
  if (o.object !== 'checkout.session' || !str(o.id)) throw new WebhookMalformedError('data.object is not a checkout session');
  const paymentStatus = o.payment_status;
  if (paymentStatus !== 'paid' && paymentStatus !== 'unpaid' && paymentStatus !== 'no_payment_required')
    throw new WebhookMalformedError('the session has no payment_status');
  const status = o.status === 'open' || o.status === 'complete' || o.status === 'expired' ? o.status : null;
  const currency = upper(o.currency);
  if (!currency) throw new WebhookMalformedError('the session has no currency');
  return {
    ...metadataOf(o),
    sessionId: str(o.id),
    sessionStatus: status as SessionStatus | null,
    paymentIntentId: idOf(o.payment_intent),
    paymentStatus: paymentStatus as PaymentStatus,
    amount: requireInt(o, 'amount_total', 'session'),
    amountTax: automaticTaxOf(o),
    currency,
  };
}

function chargeFields(o: Obj) {
  if (o.object !== 'charge' || !str(o.id)) throw new WebhookMalformedError('data.object is not a charge');
  const currency = upper(o.currency);
  if (!currency) throw new WebhookMalformedError('the charge has no currency');
  return {
    ...metadataOf(o),
    sessionId: null,
    sessionStatus: null,
    paymentIntentId: idOf(o.payment_intent),
    // A refund is not a payment: nothing may read it as settled.
    paymentStatus: null,
    amount: requireInt(o, 'amount', 'charge'),
    currency,
    amountRefunded: requireInt(o, 'amount_refunded', 'charge'),
    refundId: latestRefundId(o),
  };
}

/** The newest refund of a charge when the event lists them (`refunds.data`, newest first), for its credit note. */
function latestRefundId(o: Obj): string | null {
  const refunds = isObj(o.refunds) && Array.isArray(o.refunds.data) ? (o.refunds.data as unknown[]) : [];
  const first = refunds[0];
  return isObj(first) ? (str(first.id) ?? null) : null;
}

/**
 * A verified Stripe event (already JSON-parsed) in the store's terms. The event's envelope must be
 * complete; an event type the store does not handle becomes `unknown` (to be acknowledged and ignored).
 */
export function normaliseStripeEvent(body: unknown): PaymentEvent {
  if (!isObj(body)) throw new WebhookMalformedError('the body is not a JSON object');
  const id = str(body.id);
  const rawType = str(body.type);
  if (!id || !rawType) throw new WebhookMalformedError('the event has no id or type');
  if (typeof body.created !== 'number' || !Number.isFinite(body.created)) throw new WebhookMalformedError('the event has no created time');
  const object = isObj(body.data) && isObj(body.data.object) ? body.data.object : null;
  if (!object) throw new WebhookMalformedError('the event has no data.object');
  const type = EVENT_TYPES[rawType] ?? 'unknown';
  const base = { id, type, rawType, created: body.created * 1000 };
  if (type === 'charge.refunded') return { ...base, ...chargeFields(object) };
  if (type !== 'unknown') return { ...base, ...sessionFields(object) };
  return {
    ...base,
    ...metadataOf(object),
    sessionId: object.object === 'checkout.session' ? str(object.id) : null,
    sessionStatus: null,
    paymentIntentId: object.object === 'payment_intent' ? str(object.id) : idOf(object.payment_intent),
    paymentStatus: null,
    amount: null,
    currency: upper(object.currency),
  };
}

/** A Stripe Checkout Session object in the store's terms. */
export function normaliseStripeSession(o: {
  id: string;
  client_reference_id: string | null;
  metadata: Record<string, string> | null;
  status: string | null;
  payment_status: string;
  amount_total: number | null;
  currency: string | null;
  payment_intent: string | { id: string } | null;
  url: string | null;
  expires_at: number;
  automatic_tax?: { enabled: boolean } | null;
  total_details?: { amount_tax: number } | null;
}): CheckoutSession {
  const { reference, kind } = metadataOf(o as unknown as Obj);
  const status: SessionStatus = o.status === 'complete' || o.status === 'expired' ? o.status : 'open';
  const paymentStatus: PaymentStatus =
    o.payment_status === 'paid' || o.payment_status === 'no_payment_required' ? o.payment_status : 'unpaid';
  return {
    id: o.id,
    reference,
    kind,
    status,
    paymentStatus,
    amountTotal: o.amount_total ?? 0,
    currency: (o.currency ?? '').toUpperCase(),
    paymentIntentId: idOf(o.payment_intent),
    url: status === 'open' ? o.url : null,
    expiresAt: o.expires_at * 1000,
    amountTax: automaticTaxOf(o as unknown as Obj),
  };
}
