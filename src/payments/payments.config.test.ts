import { describe, expect, it } from 'vitest';
import { productionEnv } from '../../test/support/env.js';
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
  it('points development at the bundled gateway with shared test secrets', () => {
    const { payments } = parseConfig({ PUBLIC_URL: 'http://localhost:3000' });
    expect(payments).toMatchObject({
      provider: 'stripe',
      apiUrl: 'http://127.0.0.1:3002',
      checkoutOrigin: 'http://localhost:3002',
      webhookToleranceSeconds: 300,
      devGateway: { port: 3002, publicUrl: 'http://localhost:3002', webhookUrl: 'http://localhost:3000/api/payment-callback' },
    });
    expect(payments.secretKey).toMatch(/^sk_test_/);
    expect(payments.webhookSecret).toMatch(/^whsec_/);
    expect(parseConfig({ DEV_GATEWAY_PORT: '4002' }).payments.apiUrl).toBe('http://127.0.0.1:4002');
  });

  it('uses Stripe itself once a secret key is set, and no dev gateway', () => {
    const { payments } = parseConfig({ STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' });
    expect(payments).toMatchObject({
      apiUrl: null,
      checkoutOrigin: 'https://checkout.stripe.com',
      devGateway: null,
      secretKey: 'sk_test_abc',
      webhookSecret: 'whsec_abc',
    });
  });

  it('follows STRIPE_API_URL (tests point it at their own gateway) and WEBHOOK_TOLERANCE_SECONDS', () => {
    const { payments } = parseConfig({ STRIPE_API_URL: 'http://127.0.0.1:45678/', WEBHOOK_TOLERANCE_SECONDS: '60' });
    expect(payments).toMatchObject({
      apiUrl: 'http://127.0.0.1:45678',
      checkoutOrigin: 'http://127.0.0.1:45678',
      devGateway: null,
      webhookToleranceSeconds: 60,
    });
  });

  it('requires the Stripe secrets in production, listed with the other problems', () => {
    const listed = problems(productionEnv({ STRIPE_SECRET_KEY: '', STRIPE_WEBHOOK_SECRET: '', SESSION_SECRET: '' }));
    expect(listed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^STRIPE_SECRET_KEY: required in production/),
        expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: required in production/),
        expect.stringMatching(/^SESSION_SECRET/),
      ]),
    );
    expect(parseConfig(productionEnv()).payments).toMatchObject({ apiUrl: null, devGateway: null });
    expect(problems(productionEnv({ STRIPE_API_URL: 'http://stripe-mock:12111' }))).toEqual([
      'STRIPE_API_URL: must be an https:// URL in production',
    ]);
  });

  it('rejects values that cannot be right, naming each variable', () => {
    const listed = problems({
      STRIPE_SECRET_KEY: 'pk_test_publishable',
      STRIPE_WEBHOOK_SECRET: 'secret',
      STRIPE_API_URL: 'http://x/v1',
      WEBHOOK_TOLERANCE_SECONDS: '0',
      PAYMENT_PROVIDER: 'paypal',
      DEV_GATEWAY_PORT: '70000',
    });
    for (const name of [
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
      'STRIPE_API_URL',
      'WEBHOOK_TOLERANCE_SECONDS',
      'PAYMENT_PROVIDER',
      'DEV_GATEWAY_PORT',
    ]) {
      expect(
        listed.some((p) => p.startsWith(`${name}:`)),
        name,
      ).toBe(true);
    }
  });

  it('builds the configured gateway', () => {
    expect(createPaymentGateway(parseConfig({})).provider).toBe('stripe');
  });
});
