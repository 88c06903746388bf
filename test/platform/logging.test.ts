/**
 * What an operator reads in the logs: one JSON line per request with its id, route and status, and
 * the order id on the lines about an order (placing it, its payment event), under the same request id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct } from '../support/factories.js';
import {
  driveSession,
  forwardWebhooksTo,
  gatewayEnv,
  startTestGateway,
  startWebhookReceiver,
  type DevGateway,
} from '../support/gateway.js';

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  orderId?: string;
  outcome?: string;
  method?: string;
  url?: string;
  route?: string;
  statusCode?: number;
  responseTime?: number;
}

describe.each(testDialects)('logs on %s', (dialect) => {
  const lines: LogLine[] = [];
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let t: TestApp;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    const logStream = { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) };
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway), LOG_LEVEL: 'info' }, undefined, logStream);
    receiver = await startWebhookReceiver(forwardWebhooksTo(t.app));
    gateway.setWebhookUrl(receiver.url);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await gateway.close();
    await idp.close();
  });

  const completedFor = (reqId: string) => lines.filter((l) => l.reqId === reqId && l.msg === 'request completed');

  it('writes one line per request with its id, route pattern, status and time, and never the cookie', async () => {
    const page = await t.app.inject({ url: '/about', headers: { cookie: 'sid=secret-session-value' } });
    const missing = await t.app.inject('/category/no-such-category');
    const [about] = completedFor(String(page.headers['x-request-id']));
    expect(completedFor(String(page.headers['x-request-id']))).toHaveLength(1);
    expect(about).toMatchObject({ level: 30, method: 'GET', url: '/about', route: '/about', statusCode: 200 });
    expect(about!.responseTime).toBeGreaterThanOrEqual(0);
    expect(completedFor(String(missing.headers['x-request-id']))[0]).toMatchObject({ route: '/category/:slug', statusCode: 404 });
    expect(JSON.stringify(lines)).not.toContain('secret-session-value');
  });

  it('names the order on the line of the request that placed it and on the payment event', async () => {
    const product = await makeKeyLimProduct(catalogFixtures(t.db), 2, { price: 700 });
    const buyer = await loginAs(t.app, 'new');
    await buyer.browser.request('/cart', { form: { action: 'add', sku: product.sku, quantity: '1' } });
    const checkoutPage = await buyer.browser.request('/checkout');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(checkoutPage.body)![1]!;
    const placed = await buyer.browser.request('/checkout', { form: { idempotencyKey: key } });
    expect(placed.status).toBe(303);

    const placedLine = lines.find((l) => l.msg === 'order placed');
    expect(placedLine?.orderId).toMatch(/\S/);
    expect(completedFor(placedLine!.reqId!)[0]).toMatchObject({ method: 'POST', route: '/checkout', statusCode: 303 });

    await driveSession(gateway, new URL(placed.location!).pathname.split('/').pop()!, 'pay');
    for (let i = 0; i < 200 && !lines.some((l) => l.msg === 'payment event'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(lines.find((l) => l.msg === 'payment event')).toMatchObject({ orderId: placedLine!.orderId, outcome: 'fulfilled' });
  });
});
