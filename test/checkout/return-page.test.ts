import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeFileProduct, makeKeyLimProduct } from '../support/factories.js';
import { gatewayEnv, startTestGateway, type DevGateway } from '../support/gateway.js';

describe.each(testDialects)('the page after payment on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let t: TestApp;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway) });
  });
  afterAll(async () => {
    await t.close();
    await gateway.close();
    await idp.close();
  });

  it('says what is still pending while the payment processes, and where the receipt will go, with no raw id as a label', async () => {
    const fx = catalogFixtures(t.db);
    const pool = await makeKeyLimProduct(fx, 2, { name: 'Pool Tool' });
    const file = await makeFileProduct(fx.catalog, { name: 'Font Pack' });
    const buyer = await loginAs(t.app, 'new');
    for (const sku of [pool.sku, file.sku]) await buyer.browser.request('/cart', { form: { action: 'add', sku, quantity: '1' } });
    const review = await buyer.browser.request('/checkout');
    const posted = await buyer.browser.request('/checkout', {
      form: { idempotencyKey: /name="idempotencyKey" value="([^"]+)"/.exec(review.body)![1]! },
    });
    const sessionId = new URL(posted.location!).pathname.split('/').pop()!;
    // A payment that is still processing (a bank transfer, say): the session completes unpaid.
    const res = await fetch(`${gateway.url}/__dev/sessions/${sessionId}/pay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ async: true }),
    });
    const { redirectUrl } = (await res.json()) as { redirectUrl: string };
    const order = await t.db.kysely.selectFrom('orders').selectAll().where('payment_ref', '=', sessionId).executeTakeFirstOrThrow();

    const page = await buyer.browser.request(redirectUrl);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Confirming your payment…</h1>');
    expect(page.body).toContain(`Order #${order.order_number}: Your payment is still being processed.`);
    expect(page.body).toContain('<strong>Pool Tool</strong>: Ready as soon as the payment is confirmed.');
    expect(page.body).toContain('<strong>Font Pack</strong>: Ready as soon as the payment is confirmed.');
    expect(page.body).toContain(`We will send the receipt to <strong>${buyer.user.email}</strong> once the payment is confirmed.`);
    expect(page.body).toContain('<meta http-equiv="refresh" content="2"/>');
    expect(page.body).toContain(`href="/orders/${order.id}"`);
    expect(page.body).not.toContain('/invoice"');
    expect(page.body).not.toMatch(new RegExp(`>[^<]*${order.id}[^<]*<`));
  });
});
