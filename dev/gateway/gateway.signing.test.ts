import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { computeSignature, signatureHeader, stripeId } from './gateway.signing.js';

const secret = 'whsec_signing_test_secret';
const payload = JSON.stringify(
  { id: 'evt_1', object: 'event', type: 'checkout.session.completed', created: 1_700_000_000, data: { object: { id: 'cs_1' } } },
  null,
  2,
);

describe('webhook signing', () => {
  it('produces the header the official SDK produces for the same timestamp', () => {
    const t = 1_700_000_000;
    expect(signatureHeader(payload, secret, t)).toBe(Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: t }));
  });

  it('is accepted by the SDK verifier, and only for the exact bytes and secret', () => {
    const t = Math.floor(Date.now() / 1000);
    const header = signatureHeader(payload, secret, t);
    expect(Stripe.webhooks.constructEvent(payload, header, secret).id).toBe('evt_1');
    expect(() => Stripe.webhooks.constructEvent(payload.replace('cs_1', 'cs_2'), header, secret)).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
    expect(() => Stripe.webhooks.constructEvent(payload, header, `${secret}x`)).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });

  it('signs `<t>.<body>` with HMAC-SHA256 in hex', () => {
    expect(computeSignature('{}', 'k', 1)).toMatch(/^[0-9a-f]{64}$/);
    expect(computeSignature('{}', 'k', 1)).not.toBe(computeSignature('{}', 'k', 2));
  });

  it('makes unguessable ids with Stripe prefixes', () => {
    const ids = new Set(Array.from({ length: 200 }, () => stripeId('evt')));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^evt_[A-Za-z0-9]{12,}$/);
    expect(stripeId('cs_test', 24)).toMatch(/^cs_test_[A-Za-z0-9]{28,}$/);
  });
});
