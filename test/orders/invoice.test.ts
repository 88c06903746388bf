import { randomUUID } from 'node:crypto';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFulfilmentService } from '../../src/fulfilment/fulfilment.service.js';
import { createKeySigner, loadSigningKey } from '../../src/fulfilment/signed-key.js';
import { formatInvoiceNumber } from '../../src/orders/order-number.js';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { testConfig } from '../support/env.js';
import { createSecretBox } from '../../src/platform/crypto.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeProduct } from '../support/factories.js';

const shopEnv = {
  SELLER_COUNTRY: 'DE',
  PRICES_INCLUDE_TAX: 'true',
  SELLER_NAME: 'Pixel & Key GmbH',
  SELLER_ADDRESS: 'Hauptstraße 1; 10115 Berlin',
  SELLER_TAX_ID: 'DE123456789',
};

describe.each(testDialects)('invoices on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let orders: ReturnType<typeof createOrdersService>;
  let fulfilment: ReturnType<typeof createFulfilmentService>;
  const config = testConfig(shopEnv);

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, { ...idp.env, ...shopEnv });
    orders = createOrdersService({ db: t.db });
    const fx = catalogFixtures(t.db);
    fulfilment = createFulfilmentService({
      db: t.db,
      keyPool: fx.keyPool,
      signer: createKeySigner(loadSigningKey(config.licenseSigningKey)),
      secrets: createSecretBox(config.encryptionKey),
      defaults: config.downloadDefaults,
    });
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  /** An order of 2 × €24.99 (tax included), paid (numbered) or left pending. */
  async function order(buyer: LoggedIn, paid: boolean) {
    const product = await makeProduct(catalogFixtures(t.db).catalog, { name: 'Vectorforge Pro', price: 2499 });
    const id = `ord_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
    const now = Date.now();
    await t.db.transaction(async (tx) => {
      const items = await orders.createOrder(
        tx,
        {
          id,
          user_sub: buyer.user.sub,
          email: buyer.user.email,
          currency: 'EUR',
          subtotal: 4998,
          tax: 833,
          total: 4998,
          reserved_until: now + 60_000,
          created_at: now,
          updated_at: now,
        },
        [{ product_id: product.id, sku: product.sku, name: 'Vectorforge Pro', type: 'key', unit_price: 2499, quantity: 2 }],
      );
      if (!paid) return;
      await orders.applyEvent(tx, id, 'payment_settled', 'test', { paid_at: now, payment_intent: `pi_${id}` });
      await fulfilment.deliverOrder(tx, id, items);
      await orders.assignInvoiceNumber(tx, id);
    });
    const row = (await orders.findOrder(id))!;
    // As people read them: INV-2026-000007 and #1042, never the raw counter or the random id.
    if (paid) expect(row.invoice_series).toBe(`INV-${new Date(now).getUTCFullYear()}-`);
    return { id, number: formatInvoiceNumber(row.invoice_number ?? 0, row.invoice_series), orderNumber: `#${row.order_number}` };
  }

  it('shows a printable invoice with seller, buyer, lines and the tax the prices include', async () => {
    const buyer = await loginAs(t.app, 'new');
    const { id, number, orderNumber } = await order(buyer, true);
    const page = await buyer.browser.request(`/order/${id}/invoice`);
    expect(page.status).toBe(200);
    for (const text of [
      `Invoice ${number}`,
      `Order: ${orderNumber}`,
      'Pixel &amp; Key GmbH',
      'Hauptstraße 1',
      '10115 Berlin',
      'VAT ID: DE123456789',
      buyer.user.email,
      'Vectorforge Pro',
      '€24.99',
      '€49.98',
      '€41.65',
      '€8.33',
      'Tax included in the prices.',
    ]) {
      expect(page.body, text).toContain(text);
    }
    expect(page.body).toContain(`href="/order/${id}/invoice?format=pdf"`);
    expect(page.body).not.toContain(`Order: ${id}`);
  });

  it('makes the same invoice as a PDF that a PDF parser reads', async () => {
    const buyer = await loginAs(t.app, 'new');
    const { id, number, orderNumber } = await order(buyer, true);
    for (const url of [`/order/${id}/invoice?format=pdf`, `/order/${id}/invoice.pdf`]) {
      const res = await t.app.inject({ url, headers: { cookie: buyer.browser.cookieHeader() } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-disposition']).toBe(`inline; filename="invoice-${number}.pdf"`);
      expect(res.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const parser = new PDFParse({ data: new Uint8Array(res.rawPayload) });
      const { text, total } = await parser.getText();
      const info = await parser.getInfo();
      await parser.destroy();
      expect(total).toBe(1);
      expect((info.info as { Title?: string } | undefined)?.Title).toBe(`Invoice ${number}`);
      for (const expected of [
        `Invoice ${number}`,
        `Order: ${orderNumber}`,
        'Pixel & Key GmbH',
        'VAT ID: DE123456789',
        'Billed to:',
        buyer.user.email,
        'Vectorforge Pro',
        '€49.98',
        '€8.33',
        'Tax included in the prices.',
      ]) {
        expect(text, expected).toContain(expected);
      }
    }
  });

  it('has no invoice for an unpaid order, a bad format, or another buyer', async () => {
    const buyer = await loginAs(t.app, 'new');
    const pending = await order(buyer, false);
    expect((await buyer.browser.request(`/order/${pending.id}/invoice`)).status).toBe(404);
    expect((await buyer.browser.request(`/order/${pending.id}/invoice.pdf`)).status).toBe(404);
    const paid = await order(buyer, true);
    expect((await buyer.browser.request(`/order/${paid.id}/invoice?format=docx`)).status).toBe(400);
    const other = await loginAs(t.app, 'new');
    expect((await other.browser.request(`/order/${paid.id}/invoice.pdf`)).status).toBe(404);
    const page = await other.browser.request(`/order/${paid.id}/invoice`);
    expect(page.status).toBe(404);
    expect(page.body).not.toContain(paid.number);
    // A visitor who is not logged in is sent to log in, and sees nothing of it either.
    for (const path of [`/order/${paid.id}/invoice`, `/order/${paid.id}/invoice.pdf`]) {
      const anonymous = await t.app.inject({ url: path });
      expect([302, 303, 401, 404], path).toContain(anonymous.statusCode);
      expect(anonymous.body, path).not.toContain(paid.number);
    }
  });
});
