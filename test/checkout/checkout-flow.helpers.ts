/** What the checkout flow tests do as a buyer and as the gateway, over a started shop. */
import { expect } from 'vitest';
import type { LoggedIn } from '../support/auth.js';
import type { CheckoutShop } from '../support/checkout-shop.js';
import { completedSessionEvent, postSignedWebhook } from '../support/gateway.js';

/** The buyer's and the gateway's steps; `shop` is read at each call, as it is started in beforeAll. */
export function checkoutFlow(shop: () => CheckoutShop) {
  async function addToCart(buyer: LoggedIn, sku: string, quantity = 1) {
    const res = await buyer.browser.request('/cart', {
      form: { action: 'add', sku, quantity: String(quantity) },
    });
    expect(res.status).toBe(303);
  }

  /** The checkout form's hidden fields, as a browser submits them. */
  const formFields = (body: string) =>
    Object.fromEntries(
      [...body.matchAll(/<input type="hidden" name="(idempotencyKey|reviewedTotal|reviewedCurrency)" value="([^"]*)"/g)].map((m) => [
        m[1]!,
        m[2]!,
      ]),
    );

  /** Opens /checkout and submits it as the browser would; returns the answer to the POST. */
  async function checkout(buyer: LoggedIn, extra: Record<string, string> = {}) {
    const page = await buyer.browser.request('/checkout');
    expect(page.status).toBe(200);
    return buyer.browser.request('/checkout', {
      form: { idempotencyKey: 'missing-key-000000', ...formFields(page.body), ...extra },
    });
  }

  /** A `checkout.session.completed` event signed with the gateway's secret, posted to the webhook. */
  const postSignedCompletion = (e: { eventId: string; sessionId: string; orderId: string; amount: number }) =>
    postSignedWebhook(shop().t.app, completedSessionEvent({ ...e, paymentIntent: `pi_${e.eventId}` }));

  const sessionIdOf = (url: string) => new URL(url).pathname.split('/').pop()!;
  const orderOf = async (id: string) =>
    await shop().t.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  async function waitForStatus(orderId: string, status: string) {
    for (let i = 0; i < 200; i++) {
      if ((await orderOf(orderId)).status === status) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`order ${orderId} never became ${status} (is ${(await orderOf(orderId)).status})`);
  }
  return { addToCart, formFields, checkout, postSignedCompletion, sessionIdOf, orderOf, waitForStatus };
}
