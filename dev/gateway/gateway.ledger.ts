import {
  missing,
  newCharge,
  newPaymentIntent,
  newRefund,
  sessionObject,
  StripeApiError,
  formatAmount,
  type SessionRecord,
  type StripeObject,
} from './gateway.objects.js';
import * as p from './gateway.params.js';
import { SHIPPED_RATES } from './gateway.tax.js';
import { newSessionRecord } from './gateway.session-params.js';
import type { TaxRateRow } from '../../src/tax/tax.rules.js';
import { stripeId } from './gateway.signing.js';

export interface RequestInfo {
  id: string | null;
  idempotency_key: string | null;
}

const AUTOMATIC: RequestInfo = { id: null, idempotency_key: null };

export interface LedgerOptions {
  clock: () => number;
  /** The hosted payment page of a session. */
  pageUrl: (sessionId: string) => string;
  /** Called for every event, in order; the webhook dispatcher decides what to deliver. */
  emit: (type: string, object: StripeObject, request: RequestInfo) => void;
  /** The rates automatic tax uses (the store's table); the shipped EU rates when absent. */
  taxRates?: () => readonly TaxRateRow[];
}

export interface PayOptions {
  /** Complete the session with the payment still processing (a bank debit): `unpaid` until settled. */
  async?: boolean;
  /** Pay a different amount or currency than the session's (to test the store's mismatch handling). */
  amount?: number;
  currency?: string;
}

/** The gateway's books: sessions, payment intents, charges and refunds, in memory. */
export function createLedger({ clock, pageUrl, emit, taxRates = () => SHIPPED_RATES }: LedgerOptions) {
  const sessions = new Map<string, SessionRecord>();
  const intents = new Map<string, StripeObject>();
  const charges = new Map<string, StripeObject>();
  const now = () => Math.floor(clock() / 1000);
  const json = (s: SessionRecord) => sessionObject(s, pageUrl(s.id));

  function markExpired(s: SessionRecord, request: RequestInfo) {
    s.status = 'expired';
    const pi = s.payment_intent ? intents.get(s.payment_intent) : undefined;
    if (pi && pi.status !== 'succeeded') pi.status = 'canceled';
    emit('checkout.session.expired', json(s), request);
  }

  /** A session by id, expired first if its time has passed (as Stripe does shortly after expires_at). */
  function session(id: string): SessionRecord {
    const s = sessions.get(id);
    if (!s) throw missing('checkout.session', id, 'session');
    if (s.status === 'open' && s.expires_at <= now()) markExpired(s, AUTOMATIC);
    return s;
  }

  function openSession(id: string): SessionRecord {
    const s = session(id);
    if (s.status !== 'open')
      throw new StripeApiError(
        400,
        `This Checkout Session is ${s.status} and can no longer be paid.`,
        'invalid_request_error',
        'checkout_session_not_open',
        'session',
      );
    return s;
  }

  function intentFor(s: SessionRecord): StripeObject {
    let pi = s.payment_intent ? intents.get(s.payment_intent) : undefined;
    if (!pi) {
      pi = newPaymentIntent(s, now());
      intents.set(pi.id, pi);
      s.payment_intent = pi.id;
    }
    pi.payment_method = stripeId('pm');
    return pi;
  }

  function chargeOf(pi: StripeObject): StripeObject | undefined {
    return typeof pi.latest_charge === 'string' ? charges.get(pi.latest_charge) : undefined;
  }

  return {
    /** POST /v1/checkout/sessions */
    createSession(params: p.Params): StripeObject {
      const s = newSessionRecord(params, now(), taxRates(), clock());
      sessions.set(s.id, s);
      return json(s);
    },

    session: (id: string) => json(session(id)),

    /**
     * GET /v1/checkout/sessions: newest first, `limit` (1 to 100, default 10), `starting_after` /
     * `ending_before` cursors, `created` as a timestamp or `[gt|gte|lt|lte]`, `status`.
     */
    listSessions(params: p.Params): { object: 'list'; url: string; has_more: boolean; data: StripeObject[] } {
      p.onlyKnown(params, ['limit', 'starting_after', 'ending_before', 'created', 'status', 'expand']);
      const limit = p.optionalInt(params, 'limit', 'limit', 1) ?? 10;
      if (limit > 100)
        throw new StripeApiError(400, 'Invalid limit: must be between 1 and 100', 'invalid_request_error', 'parameter_invalid', 'limit');
      const created = p.createdFilter(params);
      const status = p.optionalString(params, 'status');
      const after = p.optionalString(params, 'starting_after');
      const before = p.optionalString(params, 'ending_before');
      for (const cursor of [after, before])
        if (cursor && !sessions.has(cursor)) throw missing('checkout.session', cursor, after ? 'starting_after' : 'ending_before');
      let all = [...sessions.keys()].reverse().map(session);
      if (after) all = all.slice(all.findIndex((s) => s.id === after) + 1);
      if (before)
        all = all.slice(
          0,
          all.findIndex((s) => s.id === before),
        );
      const matching = all.filter((s) => created(s.created) && (!status || s.status === status));
      const page = before ? matching.slice(-limit) : matching.slice(0, limit);
      return { object: 'list' as const, url: '/v1/checkout/sessions', has_more: matching.length > limit, data: page.map(json) };
    },
    /** The record behind the hosted page (line items included). */
    sessionRecord: session,

    /** POST /v1/checkout/sessions/:id/expire */
    expireSession(id: string, request: RequestInfo = AUTOMATIC): StripeObject {
      const s = session(id);
      if (s.status !== 'open')
        throw new StripeApiError(
          400,
          `Only Checkout Sessions with a status in ["open"] can be expired; this one is ${s.status}.`,
          'invalid_request_error',
          'checkout_session_not_open',
          'session',
        );
      markExpired(s, request);
      return json(s);
    },

    /** The buyer pays (the hosted page's Pay button): the session completes and the money settles, unless `async`. */
    pay(id: string, options: PayOptions = {}): StripeObject {
      const s = openSession(id);
      if (options.amount !== undefined) s.amount_total = options.amount;
      if (options.currency) s.currency = options.currency.toLowerCase();
      const pi = intentFor(s);
      Object.assign(pi, { amount: s.amount_total, currency: s.currency, last_payment_error: null });
      const charge = newCharge(pi, now(), !options.async);
      charges.set(charge.id, charge);
      pi.latest_charge = charge.id;
      s.status = 'complete';
      if (options.async) {
        pi.status = 'processing';
        emit('charge.pending', charge, AUTOMATIC);
        emit('payment_intent.processing', pi, AUTOMATIC);
      } else {
        Object.assign(pi, { status: 'succeeded', amount_received: pi.amount });
        s.payment_status = 'paid';
        emit('charge.succeeded', charge, AUTOMATIC);
        emit('payment_intent.succeeded', pi, AUTOMATIC);
      }
      emit('checkout.session.completed', json(s), AUTOMATIC);
      return json(s);
    },

    /**
     * The card is declined (the Decline button). Like Stripe the session stays open so the buyer can
     * try again; the attempt is reported as `payment_intent.payment_failed` and, so the store can end
     * the attempt without listening to payment intents, as `checkout.session.async_payment_failed`
     * with the session still `open` (Stripe itself sends that type only for delayed methods).
     */
    decline(id: string): StripeObject {
      const s = openSession(id);
      const pi = intentFor(s);
      pi.status = 'requires_payment_method';
      pi.last_payment_error = {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        message: 'Your card was declined.',
      };
      emit('payment_intent.payment_failed', pi, AUTOMATIC);
      emit('checkout.session.async_payment_failed', json(s), AUTOMATIC);
      return json(s);
    },

    /** A processing payment (see `pay({ async: true })`) settles or fails. */
    settleAsync(id: string, succeeded: boolean): StripeObject {
      const s = session(id);
      const pi = s.payment_intent ? intents.get(s.payment_intent) : undefined;
      const charge = pi && chargeOf(pi);
      if (s.status !== 'complete' || !pi || pi.status !== 'processing' || !charge) {
        throw new StripeApiError(
          400,
          'This Checkout Session has no payment in processing.',
          'invalid_request_error',
          'payment_intent_unexpected_state',
          'session',
        );
      }
      if (succeeded) {
        Object.assign(charge, { status: 'succeeded', paid: true, captured: true, amount_captured: charge.amount });
        Object.assign(pi, { status: 'succeeded', amount_received: pi.amount });
        s.payment_status = 'paid';
        emit('charge.succeeded', charge, AUTOMATIC);
        emit('payment_intent.succeeded', pi, AUTOMATIC);
        emit('checkout.session.async_payment_succeeded', json(s), AUTOMATIC);
      } else {
        Object.assign(charge, { status: 'failed' });
        Object.assign(pi, {
          status: 'requires_payment_method',
          last_payment_error: { type: 'invalid_request_error', code: 'payment_method_unactivated', message: 'The bank debit failed.' },
        });
        emit('charge.failed', charge, AUTOMATIC);
        emit('payment_intent.payment_failed', pi, AUTOMATIC);
        emit('checkout.session.async_payment_failed', json(s), AUTOMATIC);
      }
      return json(s);
    },

    /** POST /v1/refunds: by payment intent or charge, partial (amount) or whatever is left. */
    refund(params: p.Params, request: RequestInfo): StripeObject {
      p.onlyKnown(params, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand']);
      const piId = p.optionalString(params, 'payment_intent');
      const chargeId = p.optionalString(params, 'charge');
      if (!piId && !chargeId)
        throw new StripeApiError(
          400,
          'One of the following params should be provided for this request: payment_intent or charge.',
          'invalid_request_error',
          'parameter_missing',
          'payment_intent',
        );
      let charge: StripeObject | undefined;
      if (piId) {
        const pi = intents.get(piId);
        if (!pi) throw missing('payment_intent', piId, 'payment_intent');
        charge = chargeOf(pi);
        if (pi.status !== 'succeeded' || !charge)
          throw new StripeApiError(
            400,
            `This PaymentIntent (${piId}) does not have a successful charge to refund.`,
            'invalid_request_error',
            'charge_not_refundable',
            'payment_intent',
          );
      } else {
        charge = charges.get(chargeId!);
        if (!charge) throw missing('charge', chargeId!, 'charge');
      }
      const total = charge.amount as number;
      const refunded = charge.amount_refunded as number;
      if (refunded >= total)
        throw new StripeApiError(400, `Charge ${charge.id} has already been refunded.`, 'invalid_request_error', 'charge_already_refunded');
      const amount = p.optionalInt(params, 'amount', 'amount', 1) ?? total - refunded;
      if (amount > total - refunded) {
        const c = charge.currency as string;
        throw new StripeApiError(
          400,
          `Refund amount (${formatAmount(amount, c)}) is greater than unrefunded amount on charge (${formatAmount(total - refunded, c)})`,
          'invalid_request_error',
          'amount_too_large',
          'amount',
        );
      }
      const reason = p.optionalString(params, 'reason');
      if (reason && !['duplicate', 'fraudulent', 'requested_by_customer'].includes(reason))
        throw new StripeApiError(400, `Invalid reason: ${reason}`, 'invalid_request_error', 'parameter_invalid', 'reason');
      const refund = newRefund(charge, amount, now(), reason, p.metadata(params, 'metadata'));
      Object.assign(charge, { amount_refunded: refunded + amount, refunded: refunded + amount === total });
      emit('refund.created', refund, request);
      emit('charge.refunded', charge, request);
      return refund;
    },

    paymentIntent(id: string): StripeObject {
      const pi = intents.get(id);
      if (!pi) throw missing('payment_intent', id, 'intent');
      return structuredClone(pi);
    },

    charge(id: string): StripeObject {
      const c = charges.get(id);
      if (!c) throw missing('charge', id, 'charge');
      return structuredClone(c);
    },

    /** Expires every open session whose time has passed; returns how many. */
    sweep(): number {
      let n = 0;
      for (const s of sessions.values()) {
        if (s.status === 'open' && s.expires_at <= now()) {
          markExpired(s, AUTOMATIC);
          n++;
        }
      }
      return n;
    },
  };
}

export type Ledger = ReturnType<typeof createLedger>;
