import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { licenseErrorCodes } from '../../src/licenses/licenses.errors.js';
import { createTestApp, type ApiErrorBody, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { licenseFixtures, type LicenseFixtures, type LicenseJson } from './license-fixtures.js';

/** A JSON Schema as far as the tests read one. */
interface JsonSchema {
  enum?: string[];
  properties?: Record<string, JsonSchema>;
}
/** The parts of the OpenAPI document the tests read. */
interface OpenApiJson {
  openapi: string;
  paths: Record<
    string,
    { post: { requestBody: { content: object }; responses: Record<string, { content: Record<string, { examples: object }> }> } }
  >;
  components: { schemas: Record<string, JsonSchema> };
}

let client = 0;
/** A fresh client address per call, so tests of one file do not share a per-client budget. */
const nextIp = () => `10.9.${Math.floor(++client / 250)}.${(client % 250) + 1}`;

describe.each(testDialects)('license API on %s', (dialect) => {
  let t: TestApp;
  let fx: LicenseFixtures;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    fx = licenseFixtures(t.db);
  });
  afterAll(() => t.close());

  const post = (action: string, body: Record<string, string>, { form = false, ip = nextIp() } = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/api/licenses/${action}`,
      remoteAddress: ip,
      ...(form
        ? { payload: new URLSearchParams(body).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
        : { payload: body }),
    });

  it('validates, activates and deactivates with JSON or form bodies and no session', async () => {
    const { key, product } = await fx.paidOrder({ type: 'key', activationLimit: 2 });
    const fresh = await post('validate', { license_key: key });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers['content-type']).toContain('application/json');
    expect(fresh.headers['cache-control']).toBe('no-store');
    expect(fresh.json()).toEqual({
      valid: true,
      status: 'inactive',
      license: { sku: product.sku, name: 'Signed app', activation_limit: 2, activation_usage: 0 },
      instance: null,
    });

    const activated = await post('activate', { license_key: key, instance_name: 'studio-mac' }, { form: true });
    expect(activated.statusCode).toBe(201);
    const instance = activated.json<LicenseJson>().instance!;
    expect(activated.json()).toMatchObject({
      activated: true,
      valid: true,
      status: 'active',
      license: { activation_usage: 1 },
      instance: { name: 'studio-mac' },
    });
    expect(instance.id).toMatch(/^inst_[0-9a-f]{24}$/);

    const again = await post('activate', { license_key: key, instance_name: 'studio-mac' });
    expect(again.statusCode).toBe(200);
    expect(again.json<LicenseJson>().instance).toEqual(instance);

    const named = await post('validate', { license_key: key, instance_id: instance.id }, { form: true });
    expect(named.json()).toMatchObject({ valid: true, status: 'active', instance });
    // An empty form field names no instance.
    expect((await post('validate', { license_key: key, instance_id: '' }, { form: true })).json<LicenseJson>().instance).toBeNull();

    const off = await post('deactivate', { license_key: key, instance_id: instance.id }, { form: true });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toEqual({
      deactivated: true,
      valid: true,
      status: 'inactive',
      license: { sku: product.sku, name: 'Signed app', activation_limit: 2, activation_usage: 0 },
      instance: null,
    });
    expect((await post('activate', { license_key: key, instance_name: 'studio-mac' })).statusCode).toBe(201);
  });

  it('activates a pool key up to the limit and refuses beyond it with a stable code', async () => {
    const { key } = await fx.paidOrder({ type: 'key_lim', activationLimit: 1 });
    expect((await post('activate', { license_key: key, instance_name: 'one' })).statusCode).toBe(201);
    const refused = await post('activate', { license_key: key, instance_name: 'two' });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: {
        code: 'activation_limit_reached',
        message: 'This license key is already activated on 1 of 1 allowed instances. Deactivate one first.',
        details: { activation_limit: 1, activation_usage: 1 },
      },
    });
  });

  it('answers revoked for a refunded order’s keys and refuses to activate them', async () => {
    const { key, orderId, item } = await fx.paidOrder({ type: 'key', quantity: 1 });
    await fx.refund(orderId, item.id, 1, true);
    expect((await post('validate', { license_key: key })).json()).toMatchObject({ valid: false, status: 'revoked' });
    const refused = await post('activate', { license_key: key, instance_name: 'pc' });
    expect(refused.statusCode).toBe(410);
    expect(refused.json<ApiErrorBody>().error.code).toBe('license_revoked');
  });

  it('answers an unknown or malformed key with the same status and shape as a wrong instance', async () => {
    const { key } = await fx.paidOrder();
    const wrong = await post('validate', { license_key: key, instance_id: 'inst_000000000000000000000000' });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json()).toEqual({
      error: { code: 'instance_not_found', message: 'This license key has no active instance with that id.' },
    });
    for (const bad of ['NO-SUCH-KEY', key.toLowerCase(), `${key}A`, 'LK1..', '<script>', 'x'.repeat(1024)]) {
      for (const action of ['validate', 'deactivate'] as const) {
        const res = await post(action, { license_key: bad, instance_id: 'inst_000000000000000000000000' });
        expect(res.statusCode).toBe(404);
        expect(res.json()).toEqual({ error: { code: 'license_not_found', message: 'This license key is not valid.' } });
        expect(Object.keys(res.json<ApiErrorBody>().error)).toEqual(Object.keys(wrong.json<ApiErrorBody>().error));
      }
      expect((await post('activate', { license_key: bad, instance_name: 'pc' })).json<ApiErrorBody>().error.code).toBe('license_not_found');
    }
    expect(
      (await post('deactivate', { license_key: key, instance_id: 'inst_000000000000000000000000' })).json<ApiErrorBody>().error.code,
    ).toBe('instance_not_found');
  });

  it('refuses missing, mistyped and over-long fields with invalid_input and stores nothing', async () => {
    const { key } = await fx.paidOrder();
    const cases: [string, Record<string, unknown>][] = [
      ['validate', {}],
      ['validate', { license_key: '' }],
      ['validate', { license_key: 'x'.repeat(1025) }],
      ['validate', { license_key: key, instance_id: 'i'.repeat(101) }],
      ['activate', { license_key: key }],
      ['activate', { license_key: key, instance_name: '' }],
      ['activate', { license_key: key, instance_name: '   ' }],
      ['activate', { license_key: key, instance_name: 'x'.repeat(201) }],
      ['activate', { license_key: key, instance_name: { nested: true } }],
      ['deactivate', { license_key: key }],
    ];
    for (const [action, body] of cases) {
      const res = await t.app.inject({ method: 'POST', url: `/api/licenses/${action}`, payload: body, remoteAddress: nextIp() });
      expect(res.statusCode, `${action} ${JSON.stringify(body).slice(0, 60)}`).toBe(400);
      expect(res.json<ApiErrorBody>().error.code).toBe('invalid_input');
    }
    const broken = await t.app.inject({
      method: 'POST',
      url: '/api/licenses/validate',
      payload: '{"license_key":',
      headers: { 'content-type': 'application/json' },
      remoteAddress: nextIp(),
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json<ApiErrorBody>().error.code).toBe('bad_request');
    expect((await post('validate', { license_key: key })).json<LicenseJson>().license.activation_usage).toBe(0);
  });

  it('lets exactly the limit of concurrent requests for the last slots succeed', async () => {
    const { key } = await fx.paidOrder({ type: 'key_lim', activationLimit: 5 });
    await post('activate', { license_key: key, instance_name: 'existing' });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => post('activate', { license_key: key, instance_name: `racer-${i}` })),
    );
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(4);
    expect(answers.filter((a) => a.statusCode === 409)).toHaveLength(26);
    expect((await post('validate', { license_key: key })).json<LicenseJson>().license.activation_usage).toBe(5);
  });

  it('serves an OpenAPI 3.1 description of the three endpoints with every error code', async () => {
    const res = await t.app.inject('/api/licenses/openapi.json');
    expect(res.statusCode).toBe(200);
    const doc = res.json<OpenApiJson>();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(['/api/licenses/validate', '/api/licenses/activate', '/api/licenses/deactivate']);
    for (const path of Object.values(doc.paths)) {
      expect(Object.keys(path.post.requestBody.content)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
      expect(Object.keys(path.post.responses)).toEqual(expect.arrayContaining(['400', '404', '429']));
    }
    expect(doc.components.schemas.Error!.properties!.error!.properties!.code!.enum).toEqual(Object.keys(licenseErrorCodes));
    expect(doc.components.schemas.License!.properties!.status!.enum).toEqual(['inactive', 'active', 'revoked', 'expired']);
    const activate = doc.paths['/api/licenses/activate']!.post.responses;
    expect(Object.keys(activate['409']!.content['application/json']!.examples)).toEqual(['activation_limit_reached']);
    expect(Object.keys(activate['410']!.content['application/json']!.examples)).toEqual(['license_revoked']);
  });
});

describe.each(testDialects)('license API rate limits on %s', (dialect) => {
  let t: TestApp;
  let fx: LicenseFixtures;
  beforeAll(async () => {
    t = await createTestApp(dialect, { LICENSE_API_KEY_RATE_LIMIT: '8' });
    fx = licenseFixtures(t.db);
  });
  afterAll(() => t.close());

  const validate = (key: string, ip: string) =>
    t.app.inject({ method: 'POST', url: '/api/licenses/validate', payload: { license_key: key }, remoteAddress: ip });

  it('allows 60 requests a minute from one client by default, across the three endpoints, then answers 429 rate_limited', async () => {
    const ip = nextIp();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const action = ['validate', 'activate', 'deactivate'][i % 3]!;
      statuses.push(
        (
          await t.app.inject({
            method: 'POST',
            url: `/api/licenses/${action}`,
            payload: { license_key: `UNKNOWN-${i}`, instance_name: 'pc', instance_id: 'inst_1' },
            remoteAddress: ip,
          })
        ).statusCode,
      );
    }
    expect(statuses.every((s) => s === 404)).toBe(true);
    const limited = await validate('UNKNOWN-61', ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.json<ApiErrorBody>().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Malformed requests count too, and another client is not affected.
    expect((await t.app.inject({ method: 'POST', url: '/api/licenses/validate', payload: {}, remoteAddress: ip })).statusCode).toBe(429);
    expect((await validate('UNKNOWN-61', nextIp())).statusCode).toBe(404);
  });

  it('limits requests naming one key from any number of clients (LICENSE_API_KEY_RATE_LIMIT)', async () => {
    const { key } = await fx.paidOrder();
    const other = await fx.paidOrder();
    for (let i = 0; i < 8; i++) expect((await validate(i % 2 ? key : `  ${key}  `, nextIp())).statusCode).toBe(200);
    const limited = await validate(key, nextIp());
    expect(limited.statusCode).toBe(429);
    const { error } = limited.json<ApiErrorBody>();
    expect(error.code).toBe('rate_limited');
    expect(error.message).toMatch(/^Too many license requests for this license key\. Try again in \d+ seconds\.$/);
    expect((await validate(other.key, nextIp())).statusCode).toBe(200);
  });
});
