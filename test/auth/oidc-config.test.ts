import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/platform/config.js';
import { productionEnv, testEnv } from '../support/env.js';

describe('identity provider configuration', () => {
  it('uses the configured provider as given, with the audience defaulting to the client id', () => {
    const config = parseConfig(testEnv({ OIDC_ISSUER: 'https://tenant.eu.auth0.com/', OIDC_CLIENT_ID: 'abc', OIDC_CLIENT_SECRET: 's' }));
    expect(config.oidc).toMatchObject({
      issuer: 'https://tenant.eu.auth0.com/',
      audience: 'abc',
      audienceParam: null,
      scopes: 'openid profile email offline_access',
      accountApiUrl: 'https://tenant.eu.auth0.com/account',
      registrationUrl: null,
      rolesClaim: 'roles',
      ownerRole: 'owner',
      promptConsent: false,
    });
    const none = parseConfig(
      testEnv({ OIDC_ISSUER: 'https://id.example/realms/shop', OIDC_ACCOUNT_API_URL: 'none', OIDC_AUDIENCE: 'https://shop.example/api' }),
    );
    expect(none.oidc).toMatchObject({
      accountApiUrl: null,
      audience: 'https://shop.example/api',
      audienceParam: 'https://shop.example/api',
    });
  });

  it('requires issuer, client id and secret (there is no default provider) and lists each one missing', () => {
    try {
      parseConfig(testEnv({ OIDC_ISSUER: '', OIDC_CLIENT_ID: '', OIDC_CLIENT_SECRET: '' }));
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET']) expect(problems).toContain(`${name}: required (`);
    }
    expect(() => parseConfig(productionEnv({ OIDC_ISSUER: 'http://id.example' }))).toThrow(/OIDC_ISSUER: must be an https/);
  });

  it('asks for consent at login only when told to (providers that issue refresh tokens only then)', () => {
    expect(parseConfig(testEnv({ OIDC_PROMPT_CONSENT: 'true' })).oidc.promptConsent).toBe(true);
    expect(parseConfig(testEnv({ OIDC_PROMPT_CONSENT: 'no' })).oidc.promptConsent).toBe(false);
    expect(() => parseConfig(testEnv({ OIDC_PROMPT_CONSENT: 'sometimes' }))).toThrow(/OIDC_PROMPT_CONSENT/);
  });

  it('refuses scopes without openid and malformed URLs', () => {
    expect(() => parseConfig(testEnv({ OIDC_SCOPES: 'profile email' }))).toThrow(/OIDC_SCOPES: must include openid/);
    expect(() => parseConfig(testEnv({ OIDC_ISSUER: 'not a url' }))).toThrow(/OIDC_ISSUER/);
    expect(() => parseConfig(testEnv({ OIDC_ACCOUNT_API_URL: 'ftp://x' }))).toThrow(/OIDC_ACCOUNT_API_URL/);
  });
});
