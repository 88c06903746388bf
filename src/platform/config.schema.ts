import { z } from 'zod';
import { isCountry } from './countries.js';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb, e.g. #3451c9');
// A DNS host name of letters, digits and dashes, at least two labels: what an img-src source may name.
const IMAGE_HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/i;
const majorAmount = z.string().regex(/^\d{1,9}(\.\d{1,3})?$/, 'must be an amount in the currency, e.g. 5 or 2.50');

const isSigningKeyMaterial = (v: string) => v.includes('-----BEGIN') || Buffer.from(v, 'base64').length === 32;
/** A comma-separated list of keys (PEMs contain no commas). */
export const splitKeyList = (v: string) =>
  v
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);

/** Every environment variable the store reads, with its type, bounds and default. */
export const envSchema = z.object({
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
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional(),
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
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).optional(),
  SHOP_EMAIL: z.email().optional(),
  MAIL_POLL_INTERVAL_MS: int(100, 3_600_000).default(2_000),
  // The look of every mail the store sends (shop name from SHOP_NAME); footer lines split at `\n`.
  MAIL_ACCENT_COLOR: hexColour.default('#3451c9'),
  MAIL_BACKGROUND_COLOR: hexColour.default('#f6f8fa'),
  MAIL_FOOTER: z.string().max(1000).default(''),
  // License keys in the receipt mail itself (off: the mail links to the order page, which logs each reveal).
  MAIL_INCLUDE_KEYS: bool.default(false),
  RESERVATION_MINUTES: int(1, 24 * 60).default(30),
  SELLER_NAME: z.string().min(1).max(200).optional(),
  SELLER_ADDRESS: z.string().max(500).default(''),
  SELLER_TAX_ID: z.string().max(50).default(''),
  // Invoice and credit note number prefixes; `{YYYY}` is the year of payment (of the refund for credit notes).
  INVOICE_SERIES: z
    .string()
    .regex(/^[A-Za-z0-9{}_.-]{1,24}$/)
    .default('INV-{YYYY}-'),
  CREDIT_NOTE_SERIES: z
    .string()
    .regex(/^[A-Za-z0-9{}_.-]{1,24}$/)
    .default('CN-{YYYY}-'),
  // Replaced by the rates table (issue 18): a shop that still sets it is told so instead of charging nothing silently.
  TAX_RATE: z.never({ error: 'is no longer used: set SELLER_COUNTRY and keep the rates in /admin/tax (or `tax-rates`)' }).optional(),
  PRICES_INCLUDE_TAX: bool.default(true),
  // The seller's country (ISO 3166-1 alpha-2): tax by the buyer's country from the rates table; unset: no tax.
  SELLER_COUNTRY: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter country code, e.g. DE')
    .transform((c) => c.toUpperCase())
    .refine(isCountry, 'must be an ISO 3166-1 country code, e.g. DE')
    .optional(),
  // Who computes tax at checkout: the store from its rates table, or Stripe Tax (automatic_tax).
  TAX_PROVIDER: z.enum(['none', 'stripe']).default('none'),
  DOWNLOAD_LIMIT: int(1, 1000).default(5),
  DOWNLOAD_ACCESS_DAYS: int(1, 3650).default(30),
  DOWNLOAD_LINK_MINUTES: int(1, 24 * 60).default(15),
  // Largest product file the owner may upload from /admin (bytes; 2 GiB by default). The CLI's `files attach` has no limit.
  FILE_MAX_BYTES: int(1, 1024 ** 4).default(2 * 1024 ** 3),
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
  // Product images uploaded from /admin: largest accepted upload, and hosts whose https:// image URLs a product may use.
  IMAGE_MAX_BYTES: int(1024, 100 * 1024 * 1024).default(10 * 1024 * 1024),
  IMAGE_HOSTS: z
    .string()
    .refine(
      (v) => splitKeyList(v).every((h) => IMAGE_HOST.test(h)),
      'must be comma-separated host names such as cdn.example.com (no scheme, path or port)',
    )
    .optional(),
  LICENSE_SIGNING_KEY: z
    .string()
    .refine(isSigningKeyMaterial, 'must be an Ed25519 PKCS#8 PEM or a base64 32-byte seed (openssl rand -base64 32)')
    .optional(),
  // Earlier signing keys after a rotation (`npm run store -- keys rotate-signing`): keys they signed still verify.
  LICENSE_SIGNING_KEYS_PREVIOUS: z
    .string()
    .refine(
      (v) => splitKeyList(v).every(isSigningKeyMaterial),
      'must be a comma-separated list of base64 32-byte seeds or Ed25519 PKCS#8 PEMs',
    )
    .optional(),
  // Login through an OpenID Connect server (`npm start` points these at the bundled development provider).
  OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(255).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(1000).optional(),
  OIDC_SCOPES: z
    .string()
    .regex(/(^|\s)openid(\s|$)/, 'must include openid')
    .default('openid profile email offline_access'),
  OIDC_AUDIENCE: z.string().min(1).max(500).optional(),
  OIDC_ACCOUNT_API_URL: z.union([z.literal('none'), z.url({ protocol: /^https?$/ })]).optional(),
  OIDC_REGISTRATION_URL: z.url({ protocol: /^https?$/ }).optional(),
  OIDC_ROLES_CLAIM: z.string().min(1).max(200).default('roles'),
  // `prompt=consent` at login, for providers that issue a refresh token only then (oidc-provider's default).
  OIDC_PROMPT_CONSENT: bool.default(false),
  OWNER_ROLE: z.string().min(1).max(200).default('owner'),
  // Payments through Stripe Checkout (`npm start` points these at the bundled development gateway).
  PAYMENT_PROVIDER: z.enum(['stripe']).default('stripe'),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_\S+$/, 'must be a Stripe secret or restricted key (sk_live_…, sk_test_…, rk_…)')
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_\S+$/, 'must be the endpoint signing secret (whsec_…)')
    .optional(),
  STRIPE_API_URL: z
    .url({ protocol: /^https?$/ })
    .refine((v) => ['', '/'].includes(new URL(v).pathname), 'must be an origin without a path, e.g. http://127.0.0.1:3002')
    .optional(),
  WEBHOOK_TOLERANCE_SECONDS: int(10, 3600).default(300),
  // Donations at /donate; amounts in the currency's major unit (1 and 1000: €1 to €1,000).
  DONATION_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an upper-case ISO 4217 code, e.g. EUR')
    .default('EUR'),
  DONATION_MIN: majorAmount.default('1'),
  DONATION_MAX: majorAmount.default('1000'),
  DONATION_PRESETS: z
    .string()
    .regex(/^\d{1,9}(\.\d{1,3})?(,\d{1,9}(\.\d{1,3})?){0,7}$/, 'must be up to 8 comma-separated amounts, e.g. 5,10,25,50')
    .default('5,10,25,50'),
  // License API for vendors' software: requests a minute per client address, and per license key (default: the same).
  LICENSE_API_RATE_LIMIT: int(1, 100_000).default(60),
  LICENSE_API_KEY_RATE_LIMIT: int(1, 100_000).optional(),
  ENCRYPTION_KEYS_PREVIOUS: z
    .string()
    .refine(
      (v) => v.split(',').every((k) => Buffer.from(k.trim(), 'base64').length === 32),
      'must be a comma-separated list of base64 32-byte keys',
    )
    .optional(),
});

export type Env = z.infer<typeof envSchema>;
