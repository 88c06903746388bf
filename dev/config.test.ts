import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/platform/config.js';
import { developmentEnvironment } from './config.js';

describe('development values (npm start)', () => {
  it('fills every secret and points the store at the bundled services on its own host name', () => {
    const dev = developmentEnvironment({});
    expect(dev.problems).toEqual([]);
    expect(dev.services).toEqual({
      smtp: { port: 2525 },
      idp: {
        port: 3001,
        issuer: 'http://localhost:3001',
        storeUrl: 'http://localhost:3000',
        clientId: 'store',
        clientSecret: expect.stringMatching(/^dev-only-/) as string,
        audience: 'store-api',
      },
      gateway: {
        port: 3002,
        publicUrl: 'http://localhost:3002',
        webhookUrl: 'http://localhost:3000/api/payment-callback',
        apiKey: expect.stringMatching(/^sk_test_dev_/) as string,
        webhookSecret: expect.stringMatching(/^whsec_dev_/) as string,
      },
    });
    const config = parseConfig(dev.defaults);
    expect(config.demo).toBe(true);
    expect(config.smtpUrl).toBe('smtp://127.0.0.1:2525');
    expect(config.oidc).toMatchObject({ issuer: 'http://localhost:3001', clientId: 'store', audience: 'store-api' });
    expect(config.payments).toMatchObject({ apiUrl: 'http://localhost:3002', checkoutOrigin: 'http://localhost:3002' });
    expect(config.payments.secretKey).toBe(dev.services.gateway!.apiKey);
  });

  it('follows PUBLIC_URL, PORT and the DEV_* ports', () => {
    const dev = developmentEnvironment({ PUBLIC_URL: 'http://127.0.0.1:8080/', DEV_IDP_PORT: '4001', DEV_GATEWAY_PORT: '4002' });
    expect(dev.services.idp).toMatchObject({ port: 4001, issuer: 'http://127.0.0.1:4001', storeUrl: 'http://127.0.0.1:8080' });
    expect(dev.services.gateway).toMatchObject({ port: 4002, webhookUrl: 'http://127.0.0.1:8080/api/payment-callback' });
    expect(developmentEnvironment({ PORT: '4000' }).defaults.PUBLIC_URL).toBe('http://localhost:4000');
    expect(developmentEnvironment({ DEV_SMTP_PORT: '70000', DEV_IDP_PORT: 'x' }).problems).toEqual([
      'DEV_SMTP_PORT: must be a port number (0 to 65535)',
      'DEV_IDP_PORT: must be a port number (0 to 65535)',
    ]);
  });

  it('starts no bundled service for what the developer configured, and overrides nothing that is set', () => {
    const raw = {
      SMTP_URL: 'smtp://mail.example:25',
      OIDC_ISSUER: 'https://id.example',
      STRIPE_SECRET_KEY: 'sk_test_mine',
      SESSION_SECRET: 'mine-'.repeat(8),
      DEMO: 'false',
    };
    const dev = developmentEnvironment(raw);
    expect(dev.services).toEqual({ smtp: null, idp: null, gateway: null });
    expect(Object.keys(dev.defaults).sort()).toEqual(['ENCRYPTION_KEY', 'LICENSE_SIGNING_KEY', 'PUBLIC_URL']);
  });

  it('runs the bundled provider with the client the developer named', () => {
    const dev = developmentEnvironment({ OIDC_CLIENT_ID: 'my-store', OIDC_CLIENT_SECRET: 'my-secret' });
    expect(dev.services.idp).toMatchObject({ clientId: 'my-store', clientSecret: 'my-secret' });
    expect(dev.defaults).not.toHaveProperty('OIDC_CLIENT_ID');
  });
});
