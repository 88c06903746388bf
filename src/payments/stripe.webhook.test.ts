import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../../dev/gateway/gateway.signing.js';
import { AppError } from '../platform/errors.js';
import { isSettled } from './payment-gateway.js';
import { createStripeGateway } from './stripe.gateway.js';

const secret = 'whsec_unit_test_secret';
const NOW = 1_800_000_000_000;
const nowSec = NOW / 1000;

function gateway(options: { toleranceSeconds?: number; clock?: () => number } = {}) {
  // No request is made: parseWebhook works offline.
  return createStripeGateway({
    secretKey: 'sk_test_unit',
    webhookSecret: secret,
    apiUrl: 'http://127.0.0.1:9',
    clock: () => NOW,
    ...options,
  });
}

function sessionEvent(overrides: Record<string, unknown> = {}, type = 'checkout.session.completed') {
  return {
    id: 'evt_1',
    object: 'event',
    api_version: '2026-10-28.endive',
    created: nowSec - 2,
    type,
    data: {
      object: {
        id: 'cs_test_1',
        object: 'checkout.session',
        client_reference_id: 'ord_abc',
        metadata: { reference: 'ord_abc', kind: 'order' },
        status: 'complete',
        payment_status: 'paid',
        amount_total: 2500,
        currency: 'eur',
        payment_intent: 'pi_1',
        ...overrides,
      },
    },
  };
}

const body = (event: unknown) => JSON.stringify(event, null, 2);
const signed = (raw: string, t = nowSec, key = secret) => signatureHeader(raw, key, t);

function rejection(fn: () => unknown): { code: string; status: number; reason?: unknown } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    const e = err as AppError;
    return { code: e.code, status: e.status, reason: e.details?.reason };
  }
  throw new Error('expected a rejection');
}

describe('StripeGateway.parseWebhook', () => {
  it('verifies and normalises a completed checkout (string or Buffer body)', () => {
    const raw = body(sessionEvent());
    for (const input of [raw, Buffer.from(raw)]) {
      const event = gateway().parseWebhook(input, signed(raw));
      expect(event).toEqual({
        id: 'evt_1',
        type: 'checkout.completed',
        rawType: 'checkout.session.completed',
        reference: 'ord_abc',
        kind: 'order',
        sessionId: 'cs_test_1',
        sessionStatus: 'complete',
        paymentIntentId: 'pi_1',
        paymentStatus: 'paid',
        amount: 2500,
        // no automatic tax: the store's own tax is in the line amounts
        amountTax: null,
        currency: 'EUR',
        created: (nowSec - 2) * 1000,
      });
      expect(isSettled(event)).toBe(true);
    }
  });

  it('reads the tax Stripe computed for a session with automatic tax', () => {
    const raw = body(sessionEvent({ automatic_tax: { enabled: true, status: 'complete' }, total_details: { amount_tax: 417 } }));
    expect(gateway().parseWebhook(raw, signed(raw)).amountTax).toBe(417);
  });

  it('treats a completed checkout whose payment is still processing as not settled', () => {
    const raw = body(sessionEvent({ payment_status: 'unpaid' }));
    expect(isSettled(gateway().parseWebhook(raw, signed(raw)))).toBe(false);
  });

  it('maps every session event type, and a refund with its cumulative amount', () => {
    for (const [raw, type] of [
      ['checkout.session.async_payment_succeeded', 'checkout.async_payment_succeeded'],
      ['checkout.session.async_payment_failed', 'checkout.async_payment_failed'],
      ['checkout.session.expired', 'checkout.expired'],
    ]) {
      const text = body(sessionEvent({ status: 'expired', payment_status: 'unpaid', payment_intent: null }, raw));
      expect(gateway().parseWebhook(text, signed(text))).toMatchObject({
        type,
        rawType: raw,
        sessionStatus: 'expired',
        paymentIntentId: null,
        paymentStatus: 'unpaid',
      });
    }
    const charge = {
      id: 'evt_r',
      object: 'event',
      created: nowSec,
      type: 'charge.refunded',
      data: {
        object: {
          id: 'ch_1',
          object: 'charge',
          amount: 2500,
          amount_refunded: 700,
          currency: 'eur',
          paid: true,
          payment_intent: 'pi_1',
          metadata: { reference: 'ord_abc', kind: 'order' },
        },
      },
    };
    const text = body(charge);
    const event = gateway().parseWebhook(text, signed(text));
    expect(event).toMatchObject({
      type: 'charge.refunded',
      reference: 'ord_abc',
      paymentIntentId: 'pi_1',
      amount: 2500,
      amountRefunded: 700,
      currency: 'EUR',
      sessionId: null,
      refundId: null,
    });
    expect(isSettled(event)).toBe(false);
    // The newest refund, when the charge lists them, names the credit note's refund.
    const listed = body({ ...charge, data: { object: { ...charge.data.object, refunds: { data: [{ id: 're_2' }, { id: 're_1' }] } } } });
    expect(gateway().parseWebhook(listed, signed(listed)).refundId).toBe('re_2');
  });

  it('turns event types the store does not handle into `unknown`', () => {
    const text = body({
      id: 'evt_u',
      object: 'event',
      created: nowSec,
      type: 'customer.created',
      data: { object: { id: 'cus_1', object: 'customer' } },
    });
    expect(gateway().parseWebhook(text, signed(text))).toMatchObject({
      id: 'evt_u',
      type: 'unknown',
      rawType: 'customer.created',
      reference: null,
      amount: null,
    });
  });

  it('refuses a missing or empty signature header', () => {
    const raw = body(sessionEvent());
    for (const header of [undefined, '', []])
      expect(rejection(() => gateway().parseWebhook(raw, header))).toEqual({
        code: 'webhook_signature_invalid',
        status: 400,
        reason: 'missing',
      });
  });

  it('refuses a header without a timestamp or v1 signature', () => {
    const raw = body(sessionEvent());
    for (const header of [
      'garbage',
      `v1=${'a'.repeat(64)}`,
      `t=${nowSec}`,
      `t=${nowSec},v0=${'a'.repeat(64)}`,
      `t=abc,v1=${'a'.repeat(64)}`,
    ]) {
      expect(rejection(() => gateway().parseWebhook(raw, header)).reason, header).toBe('unparseable');
    }
  });

  it('refuses a forged signature, one made with another secret, and a tampered body', () => {
    const raw = body(sessionEvent());
    expect(rejection(() => gateway().parseWebhook(raw, `t=${nowSec},v1=${'0'.repeat(64)}`)).reason).toBe('mismatch');
    expect(rejection(() => gateway().parseWebhook(raw, signed(raw, nowSec, 'whsec_someone_else'))).reason).toBe('mismatch');
    const tampered = raw.replace('"amount_total": 2500', '"amount_total": 1');
    expect(tampered).not.toBe(raw);
    expect(rejection(() => gateway().parseWebhook(tampered, signed(raw)))).toMatchObject({
      code: 'webhook_signature_invalid',
      reason: 'mismatch',
    });
    // Re-serialising the same event changes the bytes, so it fails too: only the raw body verifies.
    expect(rejection(() => gateway().parseWebhook(JSON.stringify(JSON.parse(raw)), signed(raw))).reason).toBe('mismatch');
  });

  it('accepts a header with several v1 signatures if one matches (secret rotation)', () => {
    const raw = body(sessionEvent());
    const good = signed(raw).split(',')[1]!;
    expect(gateway().parseWebhook(raw, `t=${nowSec},v1=${'f'.repeat(64)},${good}`).id).toBe('evt_1');
  });

  it('keeps to the tolerance window, past and future, default 300 s and configurable', () => {
    const raw = body(sessionEvent());
    expect(gateway().parseWebhook(raw, signed(raw, nowSec - 299)).id).toBe('evt_1');
    expect(rejection(() => gateway().parseWebhook(raw, signed(raw, nowSec - 301)))).toEqual({
      code: 'webhook_signature_invalid',
      status: 400,
      reason: 'stale',
    });
    expect(gateway().parseWebhook(raw, signed(raw, nowSec + 299)).id).toBe('evt_1');
    expect(rejection(() => gateway().parseWebhook(raw, signed(raw, nowSec + 301))).reason).toBe('stale');
    expect(rejection(() => gateway({ toleranceSeconds: 60 }).parseWebhook(raw, signed(raw, nowSec - 61))).reason).toBe('stale');
    expect(gateway({ toleranceSeconds: 600 }).parseWebhook(raw, signed(raw, nowSec - 599)).id).toBe('evt_1');
  });

  it('refuses a correctly signed body that is not JSON or not an event', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"id": "evt_1", ', /not JSON/],
      ['[]', /not a JSON object/],
      [body({ object: 'event', type: 'x', created: 1, data: { object: {} } }), /no id or type/],
      [body({ id: 'evt_1', type: 'x', data: { object: {} } }), /no created/],
      [body({ id: 'evt_1', type: 'x', created: 1, data: {} }), /no data.object/],
      [body(sessionEvent({ amount_total: 'lots' })), /amount_total is not an amount/],
      [body(sessionEvent({ amount_total: -5 })), /amount_total is not an amount/],
      [body(sessionEvent({ payment_status: undefined })), /payment_status/],
      [body(sessionEvent({ currency: 'euros' })), /currency/],
      [body(sessionEvent({ object: 'charge' })), /not a checkout session/],
      [body({ ...sessionEvent(), type: 'charge.refunded' }), /not a charge/],
      [body({ id: 'evt_t', object: 'v2.core.event', type: 'x', created: 1, data: { object: {} } }), /not a Stripe event/],
    ];
    for (const [raw, message] of cases) {
      const err = (() => {
        try {
          gateway().parseWebhook(raw, signed(raw));
        } catch (e) {
          return e as AppError;
        }
        throw new Error(`accepted ${raw}`);
      })();
      expect(err.code, raw).toBe('webhook_malformed');
      expect(err.status).toBe(400);
      expect(err.message).toMatch(message);
    }
  });

  it('checks the signature before looking at the body', () => {
    // Malformed JSON with a bad signature is a signature failure, not a parse failure.
    expect(rejection(() => gateway().parseWebhook('{not json', `t=${nowSec},v1=${'0'.repeat(64)}`)).code).toBe('webhook_signature_invalid');
  });
});
