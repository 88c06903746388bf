import type { Executor } from '../platform/db/db.js';

/** The part of the payment gateway contract (src/payments) that checkout uses. */
export interface CheckoutGateway {
  createCheckoutSession(input: {
    reference: string;
    kind: 'order' | 'donation';
    lineItems: Array<{ name: string; unitAmount: number; quantity: number }>;
    currency: string;
    customerEmail?: string;
    successUrl: string;
    cancelUrl: string;
    expiresAt: number;
    idempotencyKey: string;
  }): Promise<{ id: string; url: string }>;
  retrieveCheckoutSession(id: string): Promise<{ id: string; url?: string | null; status: 'open' | 'complete' | 'expired'; paymentStatus: string; amountTotal: number; currency: string; paymentIntentId: string | null }>;
  expireCheckoutSession(id: string): Promise<unknown>;
}

/** The part of the cart that checkout uses: what is in it, and taking the bought products out. */
export interface CheckoutCart {
  lines(ownerId: string, tx?: Executor): Promise<Array<{ productId: number; quantity: number }>>;
  removeProducts(tx: Executor, ownerId: string, productIds: number[]): Promise<void>;
}

export interface Buyer {
  sub: string;
  email: string;
}

/** A gateway event, provider-neutral (see src/payments). */
export interface PaymentEvent {
  id: string;
  type: 'checkout.completed' | 'checkout.async_payment_succeeded' | 'checkout.async_payment_failed' | 'checkout.expired' | 'charge.refunded' | 'unknown';
  rawType: string;
  reference: string | null;
  sessionId: string | null;
  paymentIntentId: string | null;
  paymentStatus: string | null;
  amount: number | null;
  currency: string | null;
  amountRefunded?: number | null;
  created: number;
}

/** Verifies a webhook's signature over its raw bytes and returns the event, or throws a 400 AppError. */
export interface WebhookGateway {
  parseWebhook(rawBody: Buffer | string, signatureHeader: string | undefined): PaymentEvent;
}
