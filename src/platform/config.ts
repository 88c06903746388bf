import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { z } from 'zod';
import { isCurrency, minorUnitDigits } from './money.js';

/** Thrown at start with every bad variable listed at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const majorAmount = z.string().regex(/^\d{1,9}(\.\d{1,3})?$/, 'must be an amount in the currency, e.g. 5 or 2.50');
const DEV_SECRET = 'dev-only-secret-not-for-production-0123456789';
const DEV_SIGNING_SEED = Buffer.from('dev-only-license-signing-seed-32').toString('base64');
const DEV_ENCRYPTION_KEY = Buffer.from('dev-only-encryption-key-32-bytes').toString('base64');

const isSigningKeyMaterial = (v: string) => v.includes('-----BEGIN') || Buffer.from(v, 'base64').length === 32;
/** A comma-separated list of keys (PEMs contain no commas). */
const splitKeyList = (v: string) => v.split(',').map((k) => k.trim()).filter(Boolean);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: int(0, 65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:|file:|:memory:$)/, 'must start with postgres://, sqlite: or file:')
    .default('sqlite:./data/store.db'),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Several instances share rate-limit counters through Redis; without it each instance counts alone.
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').optional(),
  // Prometheus metrics at /metrics for scrapers sending `Authorization: Bearer <token>`; 404 without it.
  METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters (openssl rand -hex 32)').max(500).optional(),
  DEMO: bool.optional(),
  SHOP_NAME: z.string().min(1).max(100).default('Pixel & Key'),
  CONTENT_DIR: z.string().min(1).default('./content'),
  BODY_LIMIT: int(1024, 100 * 1024 * 1024).default(1024 * 1024),
  REQUEST_TIMEOUT_MS: int(1000, 600_000).default(30_000),
  HEADERS_TIMEOUT_MS: int(1000, 120_000).default(10_000),
  KEEP_ALIVE_TIMEOUT_MS: int(100, 120_000).default(5_000),
  TRUST_PROXY: bool.default(false),
  SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64 encoded (openssl rand -base64 32)')
    .optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://').optional(),
  MAIL_FROM: z.string().min(3).optional(),
  SHOP_EMAIL: z.email().optional(),
  MAIL_POLL_INTERVAL_MS: int(100, 3_600_000).default(2_000),
  DEV_SMTP_PORT: int(0, 65535).default(2525),
  RESERVATION_MINUTES: int(1, 24 * 60).default(30),
  SELLER_NAME: z.string().min(1).max(200).optional(),
  SELLER_ADDRESS: z.string().max(500).default(''),
  SELLER_TAX_ID: z.string().max(50).default(''),
  TAX_RATE: z.coerce.number().min(0).max(100).default(0),
  PRICES_INCLUDE_TAX: bool.default(true),
  DOWNLOAD_LIMIT: int(1, 1000).default(5),
  DOWNLOAD_ACCESS_DAYS: int(1, 3650).default(30),
  DOWNLOAD_LINK_MINUTES: int(1, 24 * 60).default(15),
  DOWNLOAD_RESUME_WINDOW_MINUTES: int(0, 24 * 60).default(30),
  // Where product files live: a local directory (default) or S3-compatible object storage.
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  STORAGE_DIR: z.string().min(1).default('./data/files'),
  S3_BUCKET: z.string().min(3).max(255).optional(),
  S3_REGION: z.string().min(1).max(64).optional(),
  S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).max(256).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).max(256).optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  LICENSE_SIGNING_KEY: z
    .string()
    .refine(isSigningKeyMaterial, 'must be an Ed25519 PKCS#8 PEM or a base64 32-byte seed (openssl rand -base64 32)')
    .optional(),
  // Earlier signing keys after a rotation (`npm run store -- keys rotate-signing`): keys they signed still verify.
  LICENSE_SIGNING_KEYS_PREVIOUS: z
    .string()
    .refine((v) => splitKeyList(v).every(isSigningKeyMaterial), 'must be a comma-separated list of base64 32-byte seeds or Ed25519 PKCS#8 PEMs')
    .optional(),
  // Login through an external OpenID Connect server; without OIDC_ISSUER (outside production) the bundled dev IdP.
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(255).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(1000).optional(),
  OIDC_SCOPES: z.string().regex(/(^|\s)openid(\s|$)/, 'must include openid').default('openid profile email offline_access'),
  OIDC_AUDIENCE: z.string().min(1).max(500).optional(),
  OIDC_ACCOUNT_API_URL: z.union([z.literal('none'), z.url({ protocol: /^https?$/ })]).optional(),
  OIDC_REGISTRATION_URL: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_ROLES_CLAIM: z.string().min(1).max(200).default('roles'),
  OWNER_ROLE: z.string().min(1).max(200).default('owner'),
  DEV_IDP_PORT: int(0, 65535).default(3001),
  // Payments through Stripe Checkout; without STRIPE_SECRET_KEY (outside production) the bundled dev gateway.
  PAYMENT_PROVIDER: z.enum(['stripe']).default('stripe'),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_\S+$/, 'must be a Stripe secret or restricted key (sk_live_…, sk_test_…, rk_…)').optional(),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\S+$/, 'must be the endpoint signing secret (whsec_…)').optional(),
  STRIPE_API_URL: z
    .url({ protocol: /^https?$/ })
    .refine((v) => ['', '/'].includes(new URL(v).pathname), 'must be an origin without a path, e.g. http://127.0.0.1:3002')
    .optional(),
  DEV_GATEWAY_PORT: int(0, 65535).default(3002),
  WEBHOOK_TOLERANCE_SECONDS: int(10, 3600).default(300),
  // Donations at /donate; amounts in the currency's major unit (1 and 1000: €1 to €1,000).
  DONATION_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code, e.g. EUR').default('EUR'),
  DONATION_MIN: majorAmount.default('1'),
  DONATION_MAX: majorAmount.default('1000'),
  DONATION_PRESETS: z.string().regex(/^\d{1,9}(\.\d{1,3})?(,\d{1,9}(\.\d{1,3})?){0,7}$/, 'must be up to 8 comma-separated amounts, e.g. 5,10,25,50').default('5,10,25,50'),
  // License API for vendors' software: requests a minute per client address, and per license key (default: the same).
  LICENSE_API_RATE_LIMIT: int(1, 100_000).default(60),
  LICENSE_API_KEY_RATE_LIMIT: int(1, 100_000).optional(),
  ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .refine((v) => v.split(',').every((k) => Buffer.from(k.trim(), 'base64').length === 32), 'must be a comma-separated list of base64 32-byte keys')
    .optional(),
});

export type Config = ReturnType<typeof buildConfig>;

function buildConfig(env: z.infer<typeof schema>) {
  const production = env.NODE_ENV === 'production';
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
  return {
    env: env.NODE_ENV,
    production,
    host: env.HOST,
    port: env.PORT,
    publicUrl,
    secureCookies: publicUrl.startsWith('https://'),
    databaseUrl: env.DATABASE_URL,
    databasePoolSize: env.DATABASE_POOL_SIZE,
    logLevel: env.LOG_LEVEL,
    /** null: rate limits counted in memory, per instance */
    redisUrl: env.REDIS_URL ?? null,
    /** null: no /metrics */
    metricsToken: env.METRICS_TOKEN ?? null,
    demo: env.DEMO ?? !production,
    shopName: env.SHOP_NAME,
    contentDir: env.CONTENT_DIR,
    bodyLimit: env.BODY_LIMIT,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
    trustProxy: env.TRUST_PROXY,
    sessionSecret: env.SESSION_SECRET ?? DEV_SECRET,
    // In development mail goes to the bundled SMTP sink (dev/smtp-sink.ts), never out.
    smtpUrl: env.SMTP_URL ?? `smtp://127.0.0.1:${env.DEV_SMTP_PORT}`,
    mailFrom: env.MAIL_FROM ?? `"${env.SHOP_NAME}" <shop@localhost>`,
    shopEmail: env.SHOP_EMAIL ?? 'owner@example.com',
    mailPollIntervalMs: env.MAIL_POLL_INTERVAL_MS,
    devSmtpPort: env.DEV_SMTP_PORT,
    licenseSigningKey: env.LICENSE_SIGNING_KEY ?? DEV_SIGNING_SEED,
    previousLicenseSigningKeys: splitKeyList(env.LICENSE_SIGNING_KEYS_PREVIOUS ?? ''),
    reservationMs: env.RESERVATION_MINUTES * 60_000,
    /** who issues invoices; the address may use `\n` or `;` between lines */
    seller: {
      name: env.SELLER_NAME ?? env.SHOP_NAME,
      addressLines: env.SELLER_ADDRESS.split(/\\n|\n|;/).map((l) => l.trim()).filter(Boolean),
      taxId: env.SELLER_TAX_ID,
    },
    /** percent, e.g. 20 for 20 % VAT */
    taxRate: env.TAX_RATE,
    pricesIncludeTax: env.PRICES_INCLUDE_TAX,
    downloadDefaults: { downloadLimit: env.DOWNLOAD_LIMIT, accessDays: env.DOWNLOAD_ACCESS_DAYS },
    downloads: { linkMs: env.DOWNLOAD_LINK_MINUTES * 60_000, resumeWindowMs: env.DOWNLOAD_RESUME_WINDOW_MINUTES * 60_000 },
    storage: storageConfig(env),
    encryptionKey: Buffer.from(env.ENCRYPTION_KEY ?? DEV_ENCRYPTION_KEY, 'base64'),
    previousEncryptionKeys: (env.ENCRYPTION_KEYS_PREVIOUS ?? '').split(',').filter(Boolean).map((k) => Buffer.from(k.trim(), 'base64')),
    oidc: oidcConfig(env, publicUrl, production),
    payments: paymentsConfig(env, publicUrl, production),
    donations: donationsConfig(env),
    licenseApi: { perClient: env.LICENSE_API_RATE_LIMIT, perKey: env.LICENSE_API_KEY_RATE_LIMIT ?? env.LICENSE_API_RATE_LIMIT, windowMs: 60_000 },
  };
}

/** Product file storage; for s3 every S3_* value but the endpoint is checked present in parseConfig. */
function storageConfig(env: z.infer<typeof schema>) {
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

const DEV_OIDC_CLIENT_ID = 'store';
const DEV_OIDC_CLIENT_SECRET = 'dev-only-client-secret-not-for-production';
const DEV_OIDC_AUDIENCE = 'store-api';

/** The identity provider settings; in development without OIDC_ISSUER they point at the bundled dev IdP. */
function oidcConfig(env: z.infer<typeof schema>, publicUrl: string, production: boolean) {
  const devIdp = !env.OIDC_ISSUER && !production;
  // The issuer is kept exactly as configured: `iss` is compared byte for byte (Auth0's ends in a slash).
  const issuer = env.OIDC_ISSUER ?? `http://${new URL(publicUrl).hostname}:${env.DEV_IDP_PORT}`;
  const clientId = env.OIDC_CLIENT_ID ?? DEV_OIDC_CLIENT_ID;
  return {
    issuer,
    clientId,
    clientSecret: env.OIDC_CLIENT_SECRET ?? DEV_OIDC_CLIENT_SECRET,
    scopes: env.OIDC_SCOPES.trim().split(/\s+/).join(' '),
    audience: env.OIDC_AUDIENCE ?? (devIdp ? DEV_OIDC_AUDIENCE : clientId),
    /** Sent as `audience` on the authorization request (Auth0 needs it to issue a JWT access token). */
    audienceParam: env.OIDC_AUDIENCE ?? null,
    accountApiUrl: env.OIDC_ACCOUNT_API_URL === 'none' ? null : (env.OIDC_ACCOUNT_API_URL ?? `${issuer.replace(/\/+$/, '')}/account`),
    registrationUrl: env.OIDC_REGISTRATION_URL ?? null,
    rolesClaim: env.OIDC_ROLES_CLAIM,
    ownerRole: env.OWNER_ROLE,
    /** Set when `npm start` should run the bundled development identity provider. */
    devIdp: devIdp ? { port: env.DEV_IDP_PORT } : null,
  };
}

const DEV_STRIPE_SECRET_KEY = 'sk_test_dev_gateway_not_for_production';
const DEV_STRIPE_WEBHOOK_SECRET = 'whsec_dev_gateway_not_for_production';

/** The payment gateway settings; in development without STRIPE_SECRET_KEY they point at the bundled dev gateway. */
function paymentsConfig(env: z.infer<typeof schema>, publicUrl: string, production: boolean) {
  const devGateway = !production && !env.STRIPE_SECRET_KEY && !env.STRIPE_API_URL;
  const apiUrl = env.STRIPE_API_URL?.replace(/\/+$/, '') ?? (devGateway ? `http://127.0.0.1:${env.DEV_GATEWAY_PORT}` : null);
  // The hosted payment page's origin: checkout's POST redirects there, so CSP form-action must allow it.
  const checkoutOrigin = devGateway ? `http://${new URL(publicUrl).hostname}:${env.DEV_GATEWAY_PORT}` : apiUrl ? new URL(apiUrl).origin : 'https://checkout.stripe.com';
  return {
    provider: env.PAYMENT_PROVIDER,
    secretKey: env.STRIPE_SECRET_KEY ?? DEV_STRIPE_SECRET_KEY,
    webhookSecret: env.STRIPE_WEBHOOK_SECRET ?? DEV_STRIPE_WEBHOOK_SECRET,
    /** null: Stripe's own API */
    apiUrl,
    checkoutOrigin,
    webhookToleranceSeconds: env.WEBHOOK_TOLERANCE_SECONDS,
    /** Set when `npm start` should run the bundled development payment gateway. */
    devGateway: devGateway ? { port: env.DEV_GATEWAY_PORT, publicUrl: checkoutOrigin, webhookUrl: `${publicUrl}/api/payment-callback` } : null,
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
function donationsConfig(env: z.infer<typeof schema>) {
  const currency = env.DONATION_CURRENCY;
  const minor = (v: string) => toMinor(v, currency) ?? 0;
  return { currency, min: minor(env.DONATION_MIN), max: minor(env.DONATION_MAX), presets: [...new Set(env.DONATION_PRESETS.split(',').map(minor))] };
}

function donationProblems(env: z.infer<typeof schema>): string[] {
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
  if (presets.some((p) => p < min || p > max)) problems.push('DONATION_PRESETS: every amount must lie between DONATION_MIN and DONATION_MAX');
  return problems;
}

/** Validates an environment; throws ConfigError naming every bad or missing variable. */
export function parseConfig(raw: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  const problems = result.success
    ? []
    : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  if (result.success) problems.push(...donationProblems(result.data));
  if (result.success && result.data.STORAGE_DRIVER === 's3') {
    for (const name of ['S3_BUCKET', 'S3_REGION', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
      if (!result.data[name]) problems.push(`${name}: required when STORAGE_DRIVER=s3`);
    }
  }
  if (result.success && result.data.NODE_ENV === 'production') {
    if (!result.data.PUBLIC_URL) problems.push('PUBLIC_URL: required in production');
    if (!result.data.SESSION_SECRET) problems.push('SESSION_SECRET: required in production');
    if (!result.data.ENCRYPTION_KEY) problems.push('ENCRYPTION_KEY: required in production');
    if (!result.data.LICENSE_SIGNING_KEY) problems.push('LICENSE_SIGNING_KEY: required in production');
    if (!result.data.SMTP_URL) problems.push('SMTP_URL: required in production');
    if (!result.data.MAIL_FROM) problems.push('MAIL_FROM: required in production');
    if (!result.data.SHOP_EMAIL) problems.push('SHOP_EMAIL: required in production');
    if (result.data.DEMO) problems.push('DEMO: the demo catalog cannot be loaded in production');
    if (!result.data.OIDC_ISSUER) problems.push('OIDC_ISSUER: required in production (your OpenID Connect server, e.g. https://id.example.com/realms/shop)');
    else if (!result.data.OIDC_ISSUER.startsWith('https://')) problems.push('OIDC_ISSUER: must be an https:// URL in production');
    if (!result.data.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required in production');
    if (!result.data.OIDC_CLIENT_SECRET) problems.push('OIDC_CLIENT_SECRET: required in production');
    if (!result.data.STRIPE_SECRET_KEY) problems.push('STRIPE_SECRET_KEY: required in production (Stripe dashboard > Developers > API keys)');
    if (!result.data.STRIPE_WEBHOOK_SECRET) problems.push('STRIPE_WEBHOOK_SECRET: required in production (the signing secret of the webhook endpoint <PUBLIC_URL>/api/payment-callback)');
    if (result.data.STRIPE_API_URL && !result.data.STRIPE_API_URL.startsWith('https://')) problems.push('STRIPE_API_URL: must be an https:// URL in production');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return buildConfig(result.data!);
}

/** Reads `.env` (if present) under the process environment, which wins, and validates both. */
export function loadConfig(envFile = '.env'): Config {
  const fromFile = existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};
  return parseConfig({ ...fromFile, ...process.env });
}

/** Config for tests and tools: development defaults plus overrides, no environment read. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  // Product files of tests go to the system's temporary directory, never into ./data.
  return parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: ':memory:', STORAGE_DIR: join(tmpdir(), 'store-test-files'), ...overrides });
}
