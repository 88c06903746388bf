/**
 * The payment gateway contract the store uses (checkout, the webhook, the return page, donations,
 * refunds). Provider-neutral: amounts are integer minor units, currencies upper-case ISO 4217,
 * times epoch milliseconds. The Stripe implementation is in stripe.gateway.ts.
 */

export type PaymentKind = 'order' | 'donation';

export interface CheckoutLineItem {
  name: string;
  /** minor units, > 0: what one unit costs the buyer, tax included (or before tax with `taxBehavior`) */
  unitAmount: number;
  quantity: number;
  /** shown under the name on the payment page (e.g. the tax rate) */
  description?: string;
  /** the tax `unitAmount × quantity` includes, minor units (informational: the order records it) */
  tax?: number;
  /** with automatic tax: whether `unitAmount` includes the tax the gateway computes, or has it added */
  taxBehavior?: 'inclusive' | 'exclusive';
}

export interface CheckoutSessionInput {
  /** The order id (`ord_…`) or donation id (`don_…`) this payment is for. */
  reference: string;
  kind: PaymentKind;
  lineItems: CheckoutLineItem[];
  currency: string;
  customerEmail?: string;
  /**
   * The gateway computes the tax (Stripe Tax: `automatic_tax`) for a buyer in `country` (ISO 3166-1
   * alpha-2); the line items then carry `taxBehavior` and no tax of their own.
   */
  automaticTax?: { country: string };
  /** May contain `{CHECKOUT_SESSION_ID}`, replaced by the gateway. */
  successUrl: string;
  cancelUrl: string;
  /** epoch ms; moved into the provider's allowed window (Stripe: 30 min to 24 h from now). */
  expiresAt: number;
  /** The same key returns the same session (a double submit never opens two payments). */
  idempotencyKey: string;
}

export type SessionStatus = 'open' | 'complete' | 'expired';
export type PaymentStatus = 'paid' | 'unpaid' | 'no_payment_required';

export interface CheckoutSession {
  id: string;
  reference: string | null;
  kind: PaymentKind | null;
  status: SessionStatus;
  paymentStatus: PaymentStatus;
  amountTotal: number;
  currency: string;
  paymentIntentId: string | null;
  /** The hosted payment page while the session is open. */
  url: string | null;
  /** epoch ms */
  expiresAt: number;
  /** the tax the gateway computed (automatic tax), minor units; null when the store computed it */
  amountTax?: number | null;
}

export interface RefundInput {
  paymentIntentId: string;
  /** minor units; omit to refund whatever is left. */
  amount?: number;
  idempotencyKey: string;
}

export interface RefundResult {
  id: string;
  status: 'pending' | 'succeeded' | 'failed' | 'canceled' | 'requires_action';
  amount: number;
  currency: string;
}

export type PaymentEventType =
  | 'checkout.completed'
  | 'checkout.async_payment_succeeded'
  | 'checkout.async_payment_failed'
  | 'checkout.expired'
  | 'charge.refunded'
  | 'unknown';

/** A verified webhook event, normalised. */
export interface PaymentEvent {
  /** The provider's event id: record it once (payment_events is unique by it). */
  id: string;
  type: PaymentEventType;
  /** The provider's own type, e.g. `checkout.session.completed`. */
  rawType: string;
  reference: string | null;
  kind: PaymentKind | null;
  sessionId: string | null;
  /** The session's status when the event was sent; `open` on a failed attempt the buyer may retry. */
  sessionStatus: SessionStatus | null;
  paymentIntentId: string | null;
  paymentStatus: PaymentStatus | null;
  /** total of the session or charge, minor units */
  amount: number | null;
  currency: string | null;
  /** cumulative amount refunded so far (charge.refunded) */
  amountRefunded?: number | null;
  /** the tax the gateway computed (automatic tax) in `amount`; null when the store computed it */
  amountTax?: number | null;
  /** the refund this event reports, when the gateway names it (charge.refunded) */
  refundId?: string | null;
  /** epoch ms */
  created: number;
}

export interface PaymentGateway {
  /** Which provider this is (stored with orders and events). */
  readonly provider: string;
  createCheckoutSession(input: CheckoutSessionInput): Promise<{ id: string; url: string }>;
  retrieveCheckoutSession(id: string): Promise<CheckoutSession>;
  /** Every session created since `createdSince` (epoch ms), newest first, page by page: how missed events are found again. */
  listCheckoutSessions(createdSince: number): AsyncIterable<CheckoutSession>;
  /** Ends an open session so it can no longer be paid; a session already complete or expired is returned as it is. */
  expireCheckoutSession(id: string): Promise<CheckoutSession>;
  refund(input: RefundInput): Promise<RefundResult>;
  /**
   * Verifies the signature over the raw bytes (within the tolerance window) before parsing, then
   * normalises the event. Throws `webhook_signature_invalid` or `webhook_malformed` (400).
   */
  parseWebhook(rawBody: Buffer | string, signatureHeader: string | string[] | undefined): PaymentEvent;
}

/** Only a settled payment counts: an authorisation or a pending bank transfer is `unpaid`. */
export function isSettled(x: { paymentStatus: string | null }): boolean {
  return x.paymentStatus === 'paid';
}

/** What a settled session paid, as a payable settles it (`source` names who saw it). */
export function paymentOf(session: CheckoutSession, source: string) {
  const { amountTotal: amount, currency, paymentIntentId, amountTax: tax } = session;
  return { amount, currency, paymentIntentId, tax, source };
}
