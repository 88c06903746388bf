import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JavaScript example without types
import { verifyLicenseKey as untypedVerify } from '../../examples/verify-license-key.mjs';
import { createKeySigner, loadSigningKey } from '../../src/fulfilment/signed-key.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** The example's signature (it has no types of its own). */
const verifyLicenseKey = untypedVerify as (
  licenseKey: string,
  publicKeyPem: string,
  expectedSku?: string,
) => Record<string, unknown> | null;

describe('GET /.well-known/license-key.pub', () => {
  const seed = Buffer.alloc(32, 9).toString('base64');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('sqlite', { LICENSE_SIGNING_KEY: seed });
  });
  afterAll(() => t.close());

  it('publishes the key that verifies the store’s signed keys', async () => {
    const res = await t.app.inject('/.well-known/license-key.pub');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/x-pem-file');
    expect(res.body).toMatch(/^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
    const issued = createKeySigner(loadSigningKey(seed)).issue('VENDOR-APP', Date.now());
    expect(verifyLicenseKey(issued, res.body, 'VENDOR-APP')).toMatchObject({ s: 'VENDOR-APP' });
    const otherStore = createKeySigner(loadSigningKey(Buffer.alloc(32, 8).toString('base64'))).issue('VENDOR-APP', Date.now());
    expect(verifyLicenseKey(otherStore, res.body)).toBeNull();
  });
});
