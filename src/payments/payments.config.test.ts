import { describe, expect, it } from 'vitest';
import { productionEnv, testEnv } from '../../test/support/env.js';
import { ConfigError, parseConfig } from '../platform/config.js';
import { createPaymentGateway } from './payments.gateway.js';

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('payment configuration', () => {
  it('uses Stripe itself unless STRIPE_API_URL says otherwise', () => {
    const { payments } = parseConfig(testEnv({ STRIPE_API_URL: '', STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }));
    expect(payments).toMatchObject({
      apiUrl: null,
      checkoutOrigin: 'https://checkout.stripe.com',
      webhookToleranceSeconds: 300,
      secretKey: 'sk_test_abc',
      webhookSecret: 'whsec_abc',
    });
  });

  it('follows STRIPE_API_URL (tests point it at their own gateway) and WEBHOOK_TOLERANCE_SECONDS', () => {
    const { payments } = parseConfig(testEnv({ STRIPE_API_URL: 'http://127.0.0.1:45678/', WEBHOOK_TOLERANCE_SECONDS: '60' }));
    expect(payments).toMatchObject({
      apiUrl: 'http://127.0.0.1:45678',
      checkoutOrigin: 'http://127.0.0.1:45678',
      webhookToleranceSeconds: 60,
    });
  });

  it('requires the Stripe secrets (there is no default gateway), listed with the other problems', () => {
    const listed = problems(testEnv({ STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '', SESSION_SECRET: '' }));
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^STRIPE_SECRET_KEY: required \(/),
        expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: required \(/),
        expect.stringMatching(/^SESSION_SECRET/),
      ]),
    );
    expect(parseConfig(productionEnv()).payments).toMatchObject({ apiUrl: null });
    expect(problems(productionEnv({ STRIPE_API_URL: 'http://stripe-mock:12111' }))).toEqual([
      'STRIPE_API_URL: must be an https:// URL in production',
    ]);
  });

  it('rejects values that cannot be right, naming each variable', () => {
    const listed = problems(
      testEnv({
        STRIPE_SECRET_KEY: 'pk_test_publishable',
        STRIPE_WEBHOOK_SECRET: 'secret',
        STRIPE_API_URL: 'http://x/v1',
        WEBHOOK_TOLERANCE_SECONDS: '0',
        PAYMENT_PROVIDER: 'paypal',
      }),
    );
    for (const name of ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_API_URL', 'WEBHOOK_TOLERANCE_SECONDS', 'PAYMENT_PROVIDER']) {
      expect(
        listed.some((p) => p.startsWith(`${name}:`)),
        name,
      ).toBe(true);
    }
  });

  it('builds the configured gateway', () => {
    expect(createPaymentGateway(parseConfig(testEnv())).provider).toBe('stripe');
  });
});
