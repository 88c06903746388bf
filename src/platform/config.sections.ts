import { isCurrency, minorUnitDigits } from './money.js';
import type { Env } from './config.schema.js';

/** Product file storage; for s3 every S3_* value but the endpoint is checked present in parseConfig. */
export function storageConfig(env: Env) {
  if (env.STORAGE_DRIVER === 'local') return { driver: 'local' as const, dir: env.STORAGE_DIR };
  return {
    driver: 's3' as const,
    bucket: env.S3_BUCKET!,
    region: env.S3_REGION!,
    /** null: AWS itself */
    endpoint: env.S3_ENDPOINT ?? null,
    accessKeyId: env.S3_ACCESS_KEY_ID!,
    secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: env.S3_FORCE_PATH_STYLE,
  };
}

/** The identity provider settings (issuer, client id and secret are checked present in parseConfig). */
export function oidcConfig(env: Env) {
  // The issuer is kept exactly as configured: `iss` is compared byte for byte (Auth0's ends in a slash).
  const issuer = env.OIDC_ISSUER!;
  const clientId = env.OIDC_CLIENT_ID!;
  return {
    issuer,
    clientId,
    clientSecret: env.OIDC_CLIENT_SECRET!,
    scopes: env.OIDC_SCOPES.trim().split(/\s+/).join(' '),
    audience: env.OIDC_AUDIENCE ?? clientId,
    /** Sent as `audience` on the authorization request (Auth0 needs it to issue a JWT access token). */
    audienceParam: env.OIDC_AUDIENCE ?? null,
    accountApiUrl: env.OIDC_ACCOUNT_API_URL === 'none' ? null : (env.OIDC_ACCOUNT_API_URL ?? `${issuer.replace(/\/+$/, '')}/account`),
    registrationUrl: env.OIDC_REGISTRATION_URL ?? null,
    rolesClaim: env.OIDC_ROLES_CLAIM,
    /** Ask for consent at login (`prompt=consent`) so that such providers issue a refresh token. */
    promptConsent: env.OIDC_PROMPT_CONSENT,
    ownerRole: env.OWNER_ROLE,
  };
}

/** The payment gateway settings (both Stripe secrets are checked present in parseConfig). */
export function paymentsConfig(env: Env) {
  const apiUrl = env.STRIPE_API_URL?.replace(/\/+$/, '') ?? null;
  return {
    provider: env.PAYMENT_PROVIDER,
    secretKey: env.STRIPE_SECRET_KEY!,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET!,
    /** null: Stripe's own API */
    apiUrl,
    // The hosted payment page's origin: checkout's POST redirects there, so CSP form-action must allow it.
    checkoutOrigin: apiUrl ? new URL(apiUrl).origin : 'https://checkout.stripe.com',
    webhookToleranceSeconds: env.WEBHOOK_TOLERANCE_SECONDS,
  };
}

/** A configured major-unit amount ("2.50") in minor units, or null when the currency has fewer decimals. */
function toMinor(amount: string, currency: string): number | null {
  const [whole = '0', fraction = ''] = amount.split('.');
  const digits = minorUnitDigits(currency);
  const significant = fraction.replace(/0+$/, '');
  return significant.length > digits ? null : Number(whole) * 10 ** digits + Number(significant.padEnd(digits, '0') || '0');
}

/** Donation currency, bounds and preset buttons, in minor units (checked by donationProblems first). */
export function donationsConfig(env: Env) {
  const currency = env.DONATION_CURRENCY;
  const minor = (v: string) => toMinor(v, currency) ?? 0;
  return {
    currency,
    min: minor(env.DONATION_MIN),
    max: minor(env.DONATION_MAX),
    presets: [...new Set(env.DONATION_PRESETS.split(',').map(minor))],
  };
}

export function donationProblems(env: Env): string[] {
  const currency = env.DONATION_CURRENCY;
  if (!isCurrency(currency)) return [`DONATION_CURRENCY: ${currency} is not an ISO 4217 currency`];
  const problems = (['DONATION_MIN', 'DONATION_MAX', 'DONATION_PRESETS'] as const)
    .filter((key) => env[key].split(',').some((v) => toMinor(v, currency) === null))
    .map((key) => `${key}: has more decimal places than ${currency} allows`);
  if (problems.length > 0) return problems;
  const { min, max, presets } = donationsConfig(env);
  if (min <= 0) problems.push('DONATION_MIN: must be more than 0');
  if (max < min) problems.push('DONATION_MAX: must not be less than DONATION_MIN');
  if (max > 99_999_999) problems.push('DONATION_MAX: must be at most 99,999,999 minor units (the gateway’s limit for one payment)');
  if (presets.some((p) => p < min || p > max))
    problems.push('DONATION_PRESETS: every amount must lie between DONATION_MIN and DONATION_MAX');
  return problems;
}
