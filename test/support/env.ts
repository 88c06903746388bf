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
