/**
 * What a purchase costs the database, counted by the store's own statement counter (the one /metrics
 * reports and the bench divides by purchases): every request of a buyer's way from "Add to cart" to
 * the order page, and the webhook that settles it, in the steady state (a second purchase).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import {
  driveSession,
  forwardWebhooksTo,
  gatewayEnv,
  startTestGateway,
  startWebhookReceiver,
  type DevGateway,
} from '../support/gateway.js';

/**
 * The most statements the whole way may send, measured (issue 16 asks for 15 per completed purchase;
 * before its cuts this way cost 55 on both). PostgreSQL writes an order with its items and event, a
 * transition with its event, and an invoice number in one statement each; SQLite in two or three,
 * each a call into the same process. An order is read with its items in one statement (webhook,
 * return page, order page). A key pool's product costs six more: its stock counted when
 * added and on the cart page, two to reserve its key, two to sell it.
 */
const BUDGET = { sqlite: 41, postgres: 37 };
const POOL_EXTRA = 6;

describe.each(testDialects)('statements per purchase on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let t: TestApp;
  let fx: CatalogFixtures;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway) });
    receiver = await startWebhookReceiver(forwardWebhooksTo(t.app));
    gateway.setWebhookUrl(receiver.url);
    fx = catalogFixtures(t.db);
  });
  afterAll(async () => {
    t.db.onStatement(null);
    await t.close();
    await receiver.close();
    await gateway.close();
    await idp.close();
  });

  /** One whole purchase; the statements each step sent, by step. */
  async function purchase(buyer: LoggedIn, sku: string): Promise<Map<string, string[]>> {
    const steps = new Map<string, string[]>();
    let current: string[] = [];
    t.db.onStatement((sql) => current.push(sql));
    const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      current = [];
      const result = await run();
      steps.set(name, current);
      return result;
    };
    // The product page's form, then the cart page it redirects to.
    const added = await step('add to cart', () => buyer.browser.request('/cart', { form: { sku, quantity: '1' } }));
    expect(added.location).toMatch(/\/cart\?notice=/);
    expect((await step('cart page', () => buyer.browser.request(added.location!))).status).toBe(200);
    const review = await step('checkout review', () => buyer.browser.request('/checkout'));
    expect(review.status).toBe(200);
    const fields = Object.fromEntries(
      [...review.body.matchAll(/<input type="hidden" name="([A-Za-z]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    const placed = await step('place order', () => buyer.browser.request('/checkout', { form: fields }));
    expect(placed.status).toBe(303);
    const sessionId = /\/pay\/(cs_[A-Za-z0-9_]+)/.exec(placed.location ?? '')![1]!;
    const delivered = receiver.received.length;
    const { redirectUrl } = await step('webhook', async () => {
      const paid = await driveSession(gateway, sessionId, 'pay');
      await receiver.waitFor(delivered + 1);
      return paid;
    });
    expect(receiver.received.at(-1)!.status).toBe(200);
    const back = new URL(redirectUrl!);
    const returned = await step('return page', () => buyer.browser.request(back.pathname + back.search));
    expect(returned.status).toBe(200);
    const orderId = back.searchParams.get('order')!;
    const page = await step('order page', () => buyer.browser.request(`/orders/${orderId}`));
    expect(page.status).toBe(200);
    expect(page.body).toContain('data-order-status="fulfilled"');
    t.db.onStatement(null);
    return steps;
  }

  it('sends no more statements than measured from adding to cart to the fulfilled order page', async () => {
    const buyer = await loginAs(t.app, 'new');
    const signed = await makeProduct(fx.catalog, { price: 900 });
    // A pool well above its low-stock threshold: the sale that crosses it costs two more (the owner's mail), once.
    const pooled = await makeKeyLimProduct(fx, 20, { price: 1200 });
    await purchase(buyer, signed.sku);
    for (const [sku, budget] of [
      [signed.sku, BUDGET[dialect]],
      [pooled.sku, BUDGET[dialect] + POOL_EXTRA],
    ] as const) {
      const steps = await purchase(buyer, sku);
      const total = [...steps.values()].reduce((n, s) => n + s.length, 0);
      const breakdown = [...steps].map(
        ([name, sqls]) => `${name}: ${sqls.length}\n${sqls.map((q) => `    ${q.slice(0, 160)}`).join('\n')}`,
      );
      expect(total, `${sku}: ${total} statements\n${breakdown.join('\n')}`).toBeLessThanOrEqual(budget);
    }
  });
});
