import { existsSync, readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { crossFieldProblems } from './config.checks.js';
import { envSchema, splitKeyList, type Env } from './config.schema.js';
import { donationsConfig, oidcConfig, paymentsConfig, storageConfig } from './config.sections.js';

/** Thrown at start with every bad variable listed at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

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
    demo: env.DEMO ?? false,
    shopName: env.SHOP_NAME,
    contentDir: env.CONTENT_DIR,
    bodyLimit: env.BODY_LIMIT,
    requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
    headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
    trustProxy: env.TRUST_PROXY,
    // The secrets and services below are checked present in parseConfig: none has a default.
    sessionSecret: env.SESSION_SECRET!,
    smtpUrl: env.SMTP_URL!,
    mailFrom: env.MAIL_FROM ?? `"${env.SHOP_NAME}" <shop@localhost>`,
    shopEmail: env.SHOP_EMAIL ?? 'owner@example.com',
    mailPollIntervalMs: env.MAIL_POLL_INTERVAL_MS,
    mail: {
      accentColor: env.MAIL_ACCENT_COLOR.toLowerCase(),
      backgroundColor: env.MAIL_BACKGROUND_COLOR.toLowerCase(),
      footer: env.MAIL_FOOTER.split(/\\n|\n/)
        .map((l) => l.trim())
        .filter(Boolean),
      /** keys in the receipt mail, not only on the order page */
      includeKeys: env.MAIL_INCLUDE_KEYS,
    },
    licenseSigningKey: env.LICENSE_SIGNING_KEY!,
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
    /** number series templates: `{YYYY}` is resolved to the year when a number is taken */
    series: { invoice: env.INVOICE_SERIES, creditNote: env.CREDIT_NOTE_SERIES },
    /** whether catalog prices contain the tax ("incl. VAT") or get it added ("plus VAT") */
    pricesIncludeTax: env.PRICES_INCLUDE_TAX,
    /** tax by the buyer's country; sellerCountry null: no tax at all */
    tax: { sellerCountry: env.SELLER_COUNTRY ?? null, pricesIncludeTax: env.PRICES_INCLUDE_TAX, provider: env.TAX_PROVIDER },
    downloadDefaults: { downloadLimit: env.DOWNLOAD_LIMIT, accessDays: env.DOWNLOAD_ACCESS_DAYS },
    downloads: { linkMs: env.DOWNLOAD_LINK_MINUTES * 60_000, resumeWindowMs: env.DOWNLOAD_RESUME_WINDOW_MINUTES * 60_000 },
    storage: storageConfig(env),
    images: {
      maxBytes: env.IMAGE_MAX_BYTES,
      /** lower-case host names whose https:// images products may show (CSP img-src lists them) */
      hosts: splitKeyList(env.IMAGE_HOSTS ?? '').map((h) => h.toLowerCase()),
    },
    /** largest product file uploaded from /admin, in bytes */
    fileMaxBytes: env.FILE_MAX_BYTES,
    encryptionKey: Buffer.from(env.ENCRYPTION_KEY!, 'base64'),
    previousEncryptionKeys: (env.ENCRYPTION_KEYS_PREVIOUS ?? '')
      .split(',')
      .filter(Boolean)
      .map((k) => Buffer.from(k.trim(), 'base64')),
    oidc: oidcConfig(env),
    payments: paymentsConfig(env),
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
  const formatProblems = result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const malformed = new Set(result.success ? [] : result.error.issues.map((i) => String(i.path[0])));
  // The other checks run on the well-formed rest (defaults in place of what is malformed), so one
  // start lists every problem, each variable's once.
  const env = result.success
    ? result.data
    : envSchema.parse(Object.fromEntries(Object.entries(cleaned).filter(([k]) => !malformed.has(k))));
  const problems = [...formatProblems, ...crossFieldProblems(env, malformed).filter((p) => !malformed.has(p.slice(0, p.indexOf(':'))))];
  if (problems.length > 0) throw new ConfigError(problems);
  return buildConfig(env);
}

/** The raw environment: `.env` (if present) under the process environment, which wins. */
export function readEnvironment(envFile = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseDotenv(readFileSync(envFile)) : {};
  return { ...fromFile, ...process.env };
}

/** Reads `.env` (if present) under the process environment, which wins, and validates both. */
export function loadConfig(envFile = '.env'): Config {
  return parseConfig(readEnvironment(envFile));
}
