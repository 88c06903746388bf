import { describe, expect, it } from 'vitest';
import { productionEnv } from '../../test/support/env.js';
import { ConfigError, parseConfig } from './config.js';

describe('parseConfig', () => {
  it('gives a development store on SQLite with nothing set', () => {
    const config = parseConfig({});
    expect(config.env).toBe('development');
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBe('sqlite:./data/store.db');
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.demo).toBe(true);
    expect(config.secureCookies).toBe(false);
  });

  it('lists every bad variable at once', () => {
    try {
      parseConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', PUBLIC_URL: 'ftp://shop' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'PUBLIC_URL']) expect(problems).toContain(name);
      expect((err as ConfigError).problems).toHaveLength(4);
    }
  });

  it('refuses production without a public URL or session secret, and never loads the demo there', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(/PUBLIC_URL: required in production[\s\S]*SESSION_SECRET: required/);
    expect(() => parseConfig(productionEnv({ DEMO: 'true' }))).toThrow(/DEMO/);
  });

  it('accepts a complete production configuration', () => {
    const config = parseConfig(productionEnv({ PUBLIC_URL: 'https://shop.example/', DATABASE_URL: 'postgres://shop@db/shop' }));
    expect(config.production).toBe(true);
    expect(config.publicUrl).toBe('https://shop.example');
    expect(config.secureCookies).toBe(true);
    expect(config.demo).toBe(false);
  });

  it('names each secret production requires when it is missing', () => {
    for (const name of Object.keys(productionEnv()).filter((k) => !['NODE_ENV', 'DEMO'].includes(k))) {
      expect(() => parseConfig(productionEnv({ [name]: '' })), name).toThrow(new RegExp(`${name}: required in production`));
    }
  });

  it('rejects a short session secret', () => {
    expect(() => parseConfig({ SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET: must be at least 32/);
  });
});
