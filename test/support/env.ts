import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../src/platform/config.js';

/**
 * The environment tests configure the store with: explicit test secrets (the store has no defaults
 * for them), and the identity provider, gateway and mail server on a port where nothing listens.
 * Tests that log in, pay or send mail start their own and override these (startTestIdp().env,
 * gatewayEnv(), SMTP_URL of a sink). Product files go to the system's temporary directory.
 */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: ':memory:',
    STORAGE_DIR: join(tmpdir(), 'store-test-files'),
    SESSION_SECRET: 'test-only-session-secret-0123456789abcdef',
    ENCRYPTION_KEY: Buffer.alloc(32, 'test-encryption-key').toString('base64'),
    LICENSE_SIGNING_KEY: Buffer.alloc(32, 'test-license-signing-seed').toString('base64'),
    SMTP_URL: 'smtp://127.0.0.1:9',
    OIDC_ISSUER: 'http://127.0.0.1:9',
    OIDC_CLIENT_ID: 'store-test',
    OIDC_CLIENT_SECRET: 'test-only-client-secret',
    // Production refuses an http:// gateway; there an unset STRIPE_API_URL means Stripe itself.
    ...(overrides.NODE_ENV === 'production' ? {} : { STRIPE_API_URL: 'http://127.0.0.1:9' }),
    STRIPE_SECRET_KEY: 'sk_test_store_tests_no_gateway',
    STRIPE_WEBHOOK_SECRET: 'whsec_store_tests_no_gateway',
    ...overrides,
  };
}

/** Config for tests and tools: testEnv() plus overrides, no environment read. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return parseConfig(testEnv(overrides));
}

/**
 * A complete, valid production environment for tests of production behaviour. Add every variable
 * that production requires here, so such tests keep passing as requirements grow.
 */
export function productionEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://shop.example',
    SESSION_SECRET: 'x'.repeat(40),
    ENCRYPTION_KEY: Buffer.alloc(32, 2).toString('base64'),
    LICENSE_SIGNING_KEY: Buffer.alloc(32, 3).toString('base64'),
    SMTP_URL: 'smtp://mail.shop.example:587',
    MAIL_FROM: 'Shop <shop@shop.example>',
    SHOP_EMAIL: 'owner@shop.example',
    OIDC_ISSUER: 'https://id.shop.example/realms/shop',
    OIDC_CLIENT_ID: 'shop',
    OIDC_CLIENT_SECRET: 'y'.repeat(40),
    STRIPE_SECRET_KEY: `sk_live_${'x'.repeat(24)}`,
    STRIPE_WEBHOOK_SECRET: `whsec_${'w'.repeat(32)}`,
    DEMO: 'false',
    ...overrides,
  };
}
