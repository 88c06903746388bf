import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandlers } from '../../src/platform/error-handler.js';
import { createServer } from '../../src/platform/server.js';
import { securityHeaders } from '../../src/platform/security.js';
import { createTestApp, type ApiErrorBody, type TestApp } from '../support/app.js';
import { testDialects } from '../support/database.js';
import { productionEnv, testConfig } from '../support/env.js';

describe.each(testDialects)('platform over HTTP on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(() => t.close());

  it('answers /healthz and /readyz', async () => {
    const health = await t.app.inject('/healthz');
    expect(health.statusCode).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('sends strict security headers on pages and on error pages', async () => {
    for (const url of ['/about', '/no-such-page', '/api/no-such-thing']) {
      const res = await t.app.inject(url);
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers an unknown page with a 404 page and an unknown API with JSON', async () => {
    const page = await t.app.inject('/no/such/page');
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Page not found');
    expect(page.body).toContain('<header');
    expect(page.headers['cache-control']).toBe('private, no-store');
    const api = await t.app.inject('/api/nothing');
    expect(api.statusCode).toBe(404);
    expect(api.headers['cache-control']).toBe('private, no-store');
    expect(api.json()).toEqual({ error: { code: 'not_found', message: 'We could not find that page.' } });
  });

  it('reports not ready when the database is gone', async () => {
    const other = await createTestApp(dialect);
    await other.db.destroy();
    const res = await other.app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json<ApiErrorBody>().error.code).toBe('database_unreachable');
    await other.app.close();
    await other.db.drop().catch(() => undefined);
  });
});

describe('HTTP limits', () => {
  let app: Awaited<ReturnType<typeof createServer>>;
  let port: number;
  beforeAll(async () => {
    const config = testConfig(productionEnv({ BODY_LIMIT: '2048', HEADERS_TIMEOUT_MS: '1000', REQUEST_TIMEOUT_MS: '1500' }));
    app = await createServer(config);
    await app.register(securityHeaders, { config });
    app.post('/api/echo', async (request) => ({ size: JSON.stringify(request.body).length }));
    app.get('/ping', async () => 'pong');
    installErrorHandlers(app, (_request, error) => `<h1>${error.status}</h1>`);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as { port: number }).port;
  });
  afterAll(() => app.close());

  it('refuses a body over the limit with 413 and a JSON error', async () => {
    const ok = await app.inject({ method: 'POST', url: '/api/echo', payload: { a: 'x'.repeat(100) } });
    expect(ok.statusCode).toBe(200);
    const res = await app.inject({ method: 'POST', url: '/api/echo', payload: { a: 'x'.repeat(5000) } });
    expect(res.statusCode).toBe(413);
    expect(res.json<ApiErrorBody>().error.code).toBe('payload_too_large');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/echo', payload: '{"a":', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json<ApiErrorBody>().error.code).toBe('bad_request');
  });

  it('sends HSTS in production', async () => {
    const res = await app.inject('/ping');
    expect(res.headers['strict-transport-security']).toContain('max-age=31536000');
  });

  it('cuts off a client that never finishes its headers while others are served', async () => {
    const socket = connect(port, '127.0.0.1');
    socket.write('GET /ping HTTP/1.1\r\nHost: x\r\n');
    const started = Date.now();
    const closed = new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (d) => (data += d.toString()));
      socket.on('close', () => resolve(data));
    });
    const meanwhile = await fetch(`http://127.0.0.1:${port}/ping`);
    expect(await meanwhile.text()).toBe('pong');
    const answer = await closed;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });
});
