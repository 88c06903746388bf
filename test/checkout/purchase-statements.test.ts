/**
 * What a purchase costs the database, counted by the store's own statement counter (the one /metrics
 * reports and the bench divides by purchases), in the steady state (a second purchase), with the
 * session cache production runs with (start.ts): the bench's way (add to cart through the API,
 * POST /checkout, the webhook, one poll of the cart), which issue 16's target of 15 statements per
 * completed purchase is about, and every request of a browser's way from "Add to cart" to the order page.
 */
import { randomUUID } from 'node:crypto';
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
 * The most statements the bench's way may send per completed purchase, measured; issue 16 asks for
 * 15 (before its cuts: 20 on PostgreSQL, 24 on SQLite, with the session cache). What is left, and why:
 * - add to cart, 3: the cart's lines (one currency, quantity limits), the product by SKU (price and
 *   status now), the conditional upsert of the line (the limit is checked in the write).
 * - place order, 3 on PostgreSQL: the cart's lines and its products' prices now (two domains, each
 *   read through its service), then the order with its items, first event and payment session in one
 *   statement, needing no transaction. SQLite, 7: the two reads, begin, order, event, items, commit.
 * - webhook, 8 on PostgreSQL: begin; the order with its items; its transition with its log line and
 *   invoice number; the delivered keys (or download grants); the bought lines out of the cart; the
 *   receipt into the mail outbox; the payment event with its outcome (its unique id makes a repeat
 *   roll back); commit. SQLite, 10: the transition with its invoice number, its log line and the
 *   counter are three statements there.
 * - cart poll, 1: the cart's lines (empty: no product read).
 * The session comes from the per-instance session cache. A key pool's product costs more: its live
 * stock when added (1), on PostgreSQL a transaction around the order and its reservation (begin,
 * pick, reserve, commit: 4; SQLite 2: the pick is a select of its own because it also reads the
 * low-stock mail's inputs, see ARCHITECTURE), and in the webhook its reserved keys counted and sold
 * (2). Pools of 20 keys here, so no sale crosses the low-stock threshold (that costs 2 more, once).
 */
// Issue 18 added none here: the cart's discount code comes with its lines (one statement), and the
// bench posts the billing details as the review page's form does (no read of the last order's). The
// browser's way reads the prefill on the review page.
const BENCH_BUDGET = { sqlite: 21, postgres: 15 };
const BENCH_POOL_EXTRA = { sqlite: 5, postgres: 7 };
/**
 * The browser's whole way, measured: the bench's way plus the cart page (2, 3 with a pool's stock),
 * the review page (3: the cart, its products, the last order's billing details to prefill), the
 * billing details' and code's checks when placing the order (1), the return page (the order with its items, the cart badge) and the order page
 * (6: the order, its keys, grants, key states, activations and the cart badge).
 */
const BUDGET = { sqlite: 34, postgres: 28 };
const POOL_EXTRA = { sqlite: 6, postgres: 8 };
/** What start.ts runs the store with (SESSION_CACHE_MS). */
const SESSION_CACHE_MS = 10_000;

describe.each(testDialects)('statements per purchase on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let t: TestApp;
  let fx: CatalogFixtures;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway) }, undefined, undefined, { sessionCacheMs: SESSION_CACHE_MS });
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

  /** Records the statements of each step of a purchase, by step. */
  function recorder() {
    const steps = new Map<string, string[]>();
    let current: string[] = [];
    t.db.onStatement((sql) => current.push(sql));
    const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      current = [];
      const result = await run();
      steps.set(name, current);
      return result;
    };
    return { steps, step };
  }

  /** Pays a checkout session on the gateway and waits until its webhook has been answered. */
  async function payAndDeliver(sessionId: string) {
    const delivered = receiver.received.length;
    const paid = await driveSession(gateway, sessionId, 'pay');
    await receiver.waitFor(delivered + 1);
    expect(receiver.received.at(-1)!.status).toBe(200);
    return paid;
  }

  /** The bench's buyer (bench/purchase.ts): add through the API, POST /checkout, pay, poll the cart once the webhook is done. */
  async function benchPurchase(buyer: LoggedIn, sku: string): Promise<Map<string, string[]>> {
    const { steps, step } = recorder();
    const api = (method: 'GET' | 'POST', url: string, body?: object) =>
      t.app.inject({
        method,
        url,
        headers: {
          cookie: buyer.browser.cookieHeader(),
          'sec-fetch-site': 'same-origin',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
    expect((await step('add to cart (API)', () => api('POST', '/api/cart/add', { sku, quantity: 1 }))).statusCode).toBe(200);
    const placed = await step('place order', () =>
      buyer.browser.request('/checkout', { form: { idempotencyKey: randomUUID(), billingName: 'Bench Buyer', billingCountry: 'DE' } }),
    );
    expect(placed.status).toBe(303);
    const sessionId = /\/pay\/(cs_[A-Za-z0-9_]+)/.exec(placed.location ?? '')![1]!;
    await step('webhook', () => payAndDeliver(sessionId));
    const cart = await step('cart poll (API)', () => api('GET', '/api/cart'));
    expect(cart.json<{ count: number }>().count).toBe(0);
    t.db.onStatement(null);
    return steps;
  }

  /** One whole purchase in a browser; the statements each step sent, by step. */
  async function purchase(buyer: LoggedIn, sku: string): Promise<Map<string, string[]>> {
    const { steps, step } = recorder();
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
    const { redirectUrl } = await step('webhook', () => payAndDeliver(sessionId));
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

  /** Asserts the total, and prints it by step (the statements themselves when over budget). */
  function expectWithin(label: string, steps: Map<string, string[]>, budget: number) {
    const total = [...steps.values()].reduce((n, s) => n + s.length, 0);
    console.info(`${dialect} ${label}: ${total} statements (${[...steps].map(([name, sqls]) => `${name} ${sqls.length}`).join(', ')})`);
    const breakdown = [...steps].map(([name, sqls]) => `${name}: ${sqls.length}\n${sqls.map((q) => `    ${q.slice(0, 160)}`).join('\n')}`);
    expect(total, `${label}: ${total} statements\n${breakdown.join('\n')}`).toBeLessThanOrEqual(budget);
  }

  it("sends no more statements than measured on the bench's way, from adding to cart to the emptied cart", async () => {
    const buyer = await loginAs(t.app, 'new');
    const signed = await makeProduct(fx.catalog, { price: 900 });
    const pooled = await makeKeyLimProduct(fx, 20, { price: 1200 });
    await benchPurchase(buyer, signed.sku);
    expectWithin('bench way, signed key', await benchPurchase(buyer, signed.sku), BENCH_BUDGET[dialect]);
    expectWithin('bench way, pool key', await benchPurchase(buyer, pooled.sku), BENCH_BUDGET[dialect] + BENCH_POOL_EXTRA[dialect]);
  });

  it('sends no more statements than measured from adding to cart to the fulfilled order page', async () => {
    const buyer = await loginAs(t.app, 'new');
    const signed = await makeProduct(fx.catalog, { price: 900 });
    // A pool well above its low-stock threshold: the sale that crosses it costs two more (the owner's mail), once.
    const pooled = await makeKeyLimProduct(fx, 20, { price: 1200 });
    await purchase(buyer, signed.sku);
    expectWithin('browser way, signed key', await purchase(buyer, signed.sku), BUDGET[dialect]);
    expectWithin('browser way, pool key', await purchase(buyer, pooled.sku), BUDGET[dialect] + POOL_EXTRA[dialect]);
  });
});
