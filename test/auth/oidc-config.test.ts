import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/platform/config.js';
import { productionEnv } from '../support/env.js';

describe('identity provider configuration', () => {
  it('points development at the bundled provider on DEV_IDP_PORT, on the store’s host', () => {
    const config = parseConfig({ PUBLIC_URL: 'http://127.0.0.1:8080', DEV_IDP_PORT: '4001' });
    expect(config.oidc).toMatchObject({
      issuer: 'http://127.0.0.1:4001',
      clientId: 'store',
      audience: 'store-api',
      audienceParam: null,
      scopes: 'openid profile email offline_access',
      accountApiUrl: 'http://127.0.0.1:4001/account',
      registrationUrl: null,
      rolesClaim: 'roles',
      ownerRole: 'owner',
      devIdp: { port: 4001 },
    });
  });

  it('uses a configured provider as given (no dev IdP), with the audience defaulting to the client id', () => {
    const config = parseConfig({ OIDC_ISSUER: 'https://tenant.eu.auth0.com/', OIDC_CLIENT_ID: 'abc', OIDC_CLIENT_SECRET: 's' });
    expect(config.oidc).toMatchObject({
      issuer: 'https://tenant.eu.auth0.com/',
      audience: 'abc',
      accountApiUrl: 'https://tenant.eu.auth0.com/account',
      devIdp: null,
    });
    const none = parseConfig({
      OIDC_ISSUER: 'https://id.example/realms/shop',
      OIDC_ACCOUNT_API_URL: 'none',
      OIDC_AUDIENCE: 'https://shop.example/api',
    });
    expect(none.oidc).toMatchObject({
      accountApiUrl: null,
      audience: 'https://shop.example/api',
      audienceParam: 'https://shop.example/api',
    });
  });

  it('requires issuer, client id and secret in production and lists each one missing', () => {
    try {
      parseConfig(productionEnv({ OIDC_ISSUER: '', OIDC_CLIENT_ID: '', OIDC_CLIENT_SECRET: '' }));
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET'])
        expect(problems).toContain(`${name}: required in production`);
    }
    expect(() => parseConfig(productionEnv({ OIDC_ISSUER: 'http://id.example' }))).toThrow(/OIDC_ISSUER: must be an https/);
    expect(parseConfig(productionEnv()).oidc.devIdp).toBeNull();
  });

  it('refuses scopes without openid and malformed URLs', () => {
    expect(() => parseConfig({ OIDC_SCOPES: 'profile email' })).toThrow(/OIDC_SCOPES: must include openid/);
    expect(() => parseConfig({ OIDC_ISSUER: 'not a url' })).toThrow(/OIDC_ISSUER/);
    expect(() => parseConfig({ OIDC_ACCOUNT_API_URL: 'ftp://x' })).toThrow(/OIDC_ACCOUNT_API_URL/);
  });
});
