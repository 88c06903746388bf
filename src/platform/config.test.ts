import { describe, expect, it } from 'vitest';
import { productionEnv, testEnv } from '../../test/support/env.js';
import { ConfigError, parseConfig } from './config.js';

function problems(env: Record<string, string>): string[] {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('parseConfig', () => {
  it('has no development values: with nothing set it lists every secret and service it needs', () => {
    expect(problems({}).map((p) => p.slice(0, p.indexOf(':')))).toEqual([
      'SESSION_SECRET',
      'ENCRYPTION_KEY',
      'LICENSE_SIGNING_KEY',
      'SMTP_URL',
      'OIDC_ISSUER',
      'OIDC_CLIENT_ID',
      'OIDC_CLIENT_SECRET',
      'STRIPE_SECRET_KEY',
      'STRIPE_WEBHOOK_SECRET',
    ]);
    expect(problems({})[0]).toBe('SESSION_SECRET: required (at least 32 random characters: openssl rand -base64 32)');
  });

  it('gives a store on SQLite, without the demo, once the secrets are set', () => {
    const config = parseConfig(testEnv({ NODE_ENV: '', DATABASE_URL: '' }));
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('sqlite:./data/store.db');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.demo).toBe(false);
    expect(config.secureCookies).toBe(false);
  });

  it('lists every bad variable at once', () => {
    const listed = problems(testEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://shop' }));
    expect(listed.map((p) => p.slice(0, p.indexOf(':'))).sort()).toEqual(['DATABASE_URL', 'LOG_LEVEL', 'PORT', 'PUBLIC_URL']);
  });

  it('lists bad formats, missing values, settings that contradict each other and production’s rules in one start', () => {
    const listed = problems(
      productionEnv({
        PORT: 'eighty',
        SESSION_SECRET: 'short',
        PUBLIC_URL: '',
        ENCRYPTION_KEY: '',
        STORAGE_DRIVER: 's3',
        S3_BUCKET: 'shop-files',
        DONATION_MIN: '10',
        DONATION_MAX: '5',
        OIDC_ISSUER: 'http://id.shop.example',
        DEMO: 'true',
      }),
    );
    expect(listed).toEqual([
      'PORT: Invalid input: expected number, received NaN',
      'SESSION_SECRET: must be at least 32 characters',
      'ENCRYPTION_KEY: required (32 bytes, base64 encoded: openssl rand -base64 32)',
      'DONATION_MAX: must not be less than DONATION_MIN',
      'DONATION_PRESETS: every amount must lie between DONATION_MIN and DONATION_MAX',
      'S3_REGION: required when STORAGE_DRIVER=s3',
      'S3_ACCESS_KEY_ID: required when STORAGE_DRIVER=s3',
      'S3_SECRET_ACCESS_KEY: required when STORAGE_DRIVER=s3',
      'PUBLIC_URL: required in production',
      'DEMO: the demo catalog cannot be loaded in production',
      'OIDC_ISSUER: must be an https:// URL in production',
    ]);
  });

  it('does not judge donation amounts against a default standing in for a malformed currency', () => {
    expect(problems(testEnv({ DONATION_CURRENCY: 'jpy', DONATION_MIN: '0.5' }))).toEqual([
      'DONATION_CURRENCY: must be an upper-case ISO 4217 code, e.g. EUR',
    ]);
  });

  it('refuses production without a public URL, and never loads the demo there', () => {
    expect(problems(productionEnv({ PUBLIC_URL: '' }))).toEqual(['PUBLIC_URL: required in production']);
    expect(problems(productionEnv({ DEMO: 'true' }))).toEqual(['DEMO: the demo catalog cannot be loaded in production']);
  });

  it('accepts a complete production configuration', () => {
    const config = parseConfig(productionEnv({ PUBLIC_URL: 'https://shop.example/', DATABASE_URL: 'postgres://shop@db/shop' }));
    expect(config.production).toBe(true);
    expect(config.publicUrl).toBe('https://shop.example');
    expect(config.secureCookies).toBe(true);
    expect(config.demo).toBe(false);
  });

  it('names each value production requires when it is missing', () => {
    for (const name of Object.keys(productionEnv()).filter((k) => !['NODE_ENV', 'DEMO'].includes(k))) {
      expect(problems(productionEnv({ [name]: '' })), name).toEqual([expect.stringMatching(new RegExp(`^${name}: required`))]);
    }
  });

  it('rejects a short session secret', () => {
    expect(problems(testEnv({ SESSION_SECRET: 'short' }))).toEqual(['SESSION_SECRET: must be at least 32 characters']);
  });

  it('turns tax on with a seller country (any case), off without; the tax provider is none or stripe', () => {
    expect(parseConfig(testEnv()).tax).toEqual({ sellerCountry: null, pricesIncludeTax: true, provider: 'none' });
    expect(parseConfig(testEnv({ SELLER_COUNTRY: 'de', PRICES_INCLUDE_TAX: 'false', TAX_PROVIDER: 'stripe' })).tax).toEqual({
      sellerCountry: 'DE',
      pricesIncludeTax: false,
      provider: 'stripe',
    });
    expect(problems(testEnv({ SELLER_COUNTRY: 'XX' }))).toEqual(['SELLER_COUNTRY: must be an ISO 3166-1 country code, e.g. DE']);
    expect(problems(testEnv({ SELLER_COUNTRY: 'DEU', TAX_PROVIDER: 'avalara' }))).toEqual([
      'SELLER_COUNTRY: must be a two-letter country code, e.g. DE',
      'TAX_PROVIDER: Invalid option: expected one of "none"|"stripe"',
    ]);
    // The one global rate is gone: a shop still setting it must not start charging nothing unnoticed.
    expect(problems(testEnv({ TAX_RATE: '20' }))).toEqual([
      'TAX_RATE: is no longer used: set SELLER_COUNTRY and keep the rates in /admin/tax (or `tax-rates`)',
    ]);
  });

  it('takes invoice and credit note series templates, INV-{YYYY}- and CN-{YYYY}- by default', () => {
    expect(parseConfig(testEnv()).series).toEqual({ invoice: 'INV-{YYYY}-', creditNote: 'CN-{YYYY}-' });
    expect(parseConfig(testEnv({ INVOICE_SERIES: 'RE{YYYY}.', CREDIT_NOTE_SERIES: 'GS_{YYYY}-' })).series).toEqual({
      invoice: 'RE{YYYY}.',
      creditNote: 'GS_{YYYY}-',
    });
    expect(problems(testEnv({ INVOICE_SERIES: 'INV/{YYYY}/' })).map((p) => p.split(':')[0])).toEqual(['INVOICE_SERIES']);
    expect(problems(testEnv({ CREDIT_NOTE_SERIES: 'C'.repeat(25) })).map((p) => p.split(':')[0])).toEqual(['CREDIT_NOTE_SERIES']);
  });
});
