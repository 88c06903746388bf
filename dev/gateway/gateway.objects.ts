import Stripe from 'stripe';
import { stripeId } from './gateway.signing.js';

/** The API version the gateway reports: the SDK's own, so objects read as the SDK expects. */
export const API_VERSION = Stripe.API_VERSION;

/** An error the API answers the way Stripe does: a status and `{ error: { type, message, code?, param? } }`. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: 'invalid_request_error' | 'api_error' | 'idempotency_error' | 'card_error' = 'invalid_request_error',
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
    this.name = 'StripeApiError';
  }

  body() {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.code ? { code: this.code, doc_url: `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, '-')}` } : {}),
        ...(this.param ? { param: this.param } : {}),
      },
    };
  }
}

export const missing = (kind: string, id: string, param = 'id') =>
  new StripeApiError(404, `No such ${kind}: '${id}'`, 'invalid_request_error', 'resource_missing', param);

export interface LineItem {
  name: string;
  unit_amount: number;
  quantity: number;
  tax_behavior?: 'inclusive' | 'exclusive';
  /** automatic tax: this line's tax */
  amount_tax?: number;
}

/** What the gateway keeps of a Checkout Session; `sessionObject` renders it as Stripe does. */
export interface SessionRecord {
  id: string;
  created: number;
  expires_at: number;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid';
  currency: string;
  amount_total: number;
  /** automatic tax: the tax computed on the lines (in amount_total) */
  amount_tax: number | null;
  line_items: LineItem[];
  success_url: string;
  cancel_url: string | null;
  client_reference_id: string | null;
  customer_email: string | null;
  metadata: Record<string, string>;
  payment_intent_metadata: Record<string, string>;
  submit_type: string | null;
  payment_intent: string | null;
}

export type StripeObject = Record<string, unknown> & { id: string; object: string };

/** Where Stripe sends the buyer after paying: success_url with `{CHECKOUT_SESSION_ID}` filled in. */
export const successRedirect = (s: SessionRecord) => s.success_url.replaceAll('{CHECKOUT_SESSION_ID}', s.id);

/** A `checkout.session` object with the fields the SDK and the store read, shaped like Stripe's. */
export function sessionObject(s: SessionRecord, pageUrl: string): StripeObject {
  const subtotal = s.line_items.reduce((sum, i) => sum + i.unit_amount * i.quantity, 0);
  return {
    id: s.id,
    object: 'checkout.session',
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: subtotal,
    amount_total: s.amount_total,
    automatic_tax:
      s.amount_tax === null
        ? { enabled: false, liability: null, status: null }
        : { enabled: true, liability: { type: 'self' }, provider: 'stripe', status: 'complete' },
    billing_address_collection: null,
    cancel_url: s.cancel_url,
    client_reference_id: s.client_reference_id,
    client_secret: null,
    consent: null,
    consent_collection: null,
    created: s.created,
    currency: s.currency,
    custom_fields: [],
    custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
    customer: null,
    customer_creation: 'if_required',
    customer_details:
      s.status === 'complete' ? { email: s.customer_email, name: null, phone: null, address: null, tax_exempt: 'none', tax_ids: [] } : null,
    customer_email: s.customer_email,
    expires_at: s.expires_at,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: null,
    metadata: { ...s.metadata },
    mode: 'payment',
    payment_intent: s.payment_intent,
    payment_link: null,
    payment_method_collection: 'if_required',
    payment_method_types: ['card'],
    payment_status: s.payment_status,
    recovered_from: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: s.status,
    submit_type: s.submit_type,
    subscription: null,
    success_url: s.success_url,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: s.amount_tax ?? 0 },
    ui_mode: 'hosted_page',
    url: s.status === 'open' ? pageUrl : null,
  };
}

/** A new `payment_intent` for a session's amount, before any attempt. */
export function newPaymentIntent(s: SessionRecord, created: number): StripeObject {
  const id = stripeId('pi');
  return {
    id,
    object: 'payment_intent',
    amount: s.amount_total,
    amount_capturable: 0,
    amount_received: 0,
    capture_method: 'automatic_async',
    client_secret: `${id}_secret_${stripeId('s').slice(2)}`,
    confirmation_method: 'automatic',
    created,
    currency: s.currency,
    customer: null,
    description: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: false,
    metadata: { ...s.payment_intent_metadata },
    payment_method: null,
    payment_method_types: ['card'],
    receipt_email: s.customer_email,
    status: 'requires_payment_method',
  };
}

/** The charge of a payment; Stripe copies the payment intent's metadata onto it. */
export function newCharge(pi: StripeObject, created: number, settled: boolean): StripeObject {
  return {
    id: stripeId('ch'),
    object: 'charge',
    amount: pi.amount,
    amount_captured: settled ? pi.amount : 0,
    amount_refunded: 0,
    balance_transaction: null,
    billing_details: { address: null, email: pi.receipt_email, name: null, phone: null },
    captured: settled,
    created,
    currency: pi.currency,
    customer: null,
    description: null,
    livemode: false,
    metadata: { ...(pi.metadata as Record<string, string>) },
    outcome: {
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: settled,
    payment_intent: pi.id,
    payment_method: pi.payment_method,
    refunded: false,
    status: settled ? 'succeeded' : 'pending',
  };
}

export function newRefund(
  charge: StripeObject,
  amount: number,
  created: number,
  reason: string | null,
  metadata: Record<string, string>,
): StripeObject {
  return {
    id: stripeId('re'),
    object: 'refund',
    amount,
    balance_transaction: null,
    charge: charge.id,
    created,
    currency: charge.currency,
    metadata,
    payment_intent: charge.payment_intent,
    reason,
    status: 'succeeded',
  };
}

/** An event as Stripe sends it: a snapshot of the object at the time it happened. */
export function eventObject(
  type: string,
  object: StripeObject,
  created: number,
  request: { id: string | null; idempotency_key: string | null },
): StripeObject {
  return {
    id: stripeId('evt'),
    object: 'event',
    api_version: API_VERSION,
    created,
    data: { object: structuredClone(object) },
    livemode: false,
    pending_webhooks: 1,
    request,
    type,
  };
}

/** A money amount as Stripe writes it in messages ("€12.50"). */
export function formatAmount(minor: number, currency: string): string {
  const f = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() });
  return f.format(minor / 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2));
}
