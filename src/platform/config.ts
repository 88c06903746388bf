import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { envSchema, splitKeyList, type Env } from './config.schema.js';
import { donationProblems, donationsConfig, oidcConfig, paymentsConfig, storageConfig } from './config.sections.js';

/** Thrown at start with every bad variable listed at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const DEV_SECRET = 'dev-only-secret-not-for-production-0123456789';
const DEV_SIGNING_SEED = Buffer.from('dev-only-license-signing-seed-32').toString('base64');
const DEV_ENCRYPTION_KEY = Buffer.from('dev-only-encryption-key-32-bytes').toString('base64');

export type Config = ReturnType<typeof buildConfig>;

function buildConfig(env: Env) {
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
      addressLines: env.SELLER_ADDRESS.split(/\\n|\n|;/)
        .map((l) => l.trim())
        .filter(Boolean),
      taxId: env.SELLER_TAX_ID,
    },
    /** percent, e.g. 20 for 20 % VAT */
    taxRate: env.TAX_RATE,
    pricesIncludeTax: env.PRICES_INCLUDE_TAX,
    downloadDefaults: { downloadLimit: env.DOWNLOAD_LIMIT, accessDays: env.DOWNLOAD_ACCESS_DAYS },
    downloads: { linkMs: env.DOWNLOAD_LINK_MINUTES * 60_000, resumeWindowMs: env.DOWNLOAD_RESUME_WINDOW_MINUTES * 60_000 },
    storage: storageConfig(env),
    encryptionKey: Buffer.from(env.ENCRYPTION_KEY ?? DEV_ENCRYPTION_KEY, 'base64'),
    previousEncryptionKeys: (env.ENCRYPTION_KEYS_PREVIOUS ?? '')
      .split(',')
      .filter(Boolean)
      .map((k) => Buffer.from(k.trim(), 'base64')),
    oidc: oidcConfig(env, publicUrl, production),
    payments: paymentsConfig(env, publicUrl, production),
    donations: donationsConfig(env),
    licenseApi: {
      perClient: env.LICENSE_API_RATE_LIMIT,
      perKey: env.LICENSE_API_KEY_RATE_LIMIT ?? env.LICENSE_API_RATE_LIMIT,
      windowMs: 60_000,
    },
  };
}

/** Validates an environment; throws ConfigError naming every bad or missing variable. */
export function parseConfig(raw: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  const problems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
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
    if (!result.data.OIDC_ISSUER)
      problems.push('OIDC_ISSUER: required in production (your OpenID Connect server, e.g. https://id.example.com/realms/shop)');
    else if (!result.data.OIDC_ISSUER.startsWith('https://')) problems.push('OIDC_ISSUER: must be an https:// URL in production');
    if (!result.data.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required in production');
    if (!result.data.OIDC_CLIENT_SECRET) problems.push('OIDC_CLIENT_SECRET: required in production');
    if (!result.data.STRIPE_SECRET_KEY)
      problems.push('STRIPE_SECRET_KEY: required in production (Stripe dashboard > Developers > API keys)');
    if (!result.data.STRIPE_WEBHOOK_SECRET)
      problems.push(
        'STRIPE_WEBHOOK_SECRET: required in production (the signing secret of the webhook endpoint <PUBLIC_URL>/api/payment-callback)',
      );
    if (result.data.STRIPE_API_URL && !result.data.STRIPE_API_URL.startsWith('https://'))
      problems.push('STRIPE_API_URL: must be an https:// URL in production');
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
  return parseConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: ':memory:',
    STORAGE_DIR: join(tmpdir(), 'store-test-files'),
    ...overrides,
  });
}
