import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../dev/smtp-sink.js';
import { createMailService } from '../../src/platform/mail/mail.service.js';
import { inspectPage } from '../support/axe.js';
import { watchPageProblems, logIn as logInAt } from '../support/browser.js';
import { startBuyingShop, type BuyingShop } from '../support/shop.js';

const today = () => new Date().toISOString().slice(0, 10);

/**
 * The owner's whole day in Chromium, every step through the pages a person would use: a new product
 * with an uploaded image and imported keys, a buyer buying two, one refunded from the admin, and the
 * refund seen by the buyer (page and mail), on the dashboard and in the sales CSV.
 */
describe('the shop owner’s day in a real browser', () => {
  let shop: BuyingShop;
  let sink: SmtpSink;

  beforeAll(async () => {
    sink = await startSmtpSink();
    shop = await startBuyingShop({ SMTP_URL: sink.url });
  });
  afterAll(async () => {
    await shop?.close();
    await sink?.close();
  });

  const logIn = (page: Page, email: string, password: string, returnTo: string) => logInAt(page, shop.store.url, email, password, returnTo);

  it('creates, stocks and sells a product, refunds one unit, and sees it everywhere', { timeout: 180_000 }, async () => {
    const { store, browser, gateway, idp } = shop;
    // The CSP is bypassed for the owner only so that axe-core can be injected; the buyer gets the real one.
    const owner = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true })).newPage();
    const ownerProblems = watchPageProblems(owner);
    const faults: string[] = [];
    await logIn(owner, 'owner@example.com', 'owner1234', '/admin/products/new');

    // A new product, on sale at once.
    await owner.fill('#product-name', 'Nebula Synth Pro');
    await owner.fill('#product-sku', 'NEBULA-SYNTH');
    await owner.fill('#product-summary', 'A warm analogue-style synthesizer plugin.');
    await owner.fill('#product-description', 'Three oscillators, **two filters** and a licence key per seat.');
    await owner.fill('#product-price', '24.00');
    await owner.fill('#product-currency', 'EUR');
    await owner.selectOption('#product-type', 'key_lim');
    await owner.selectOption('#product-status', 'active');
    await Promise.all([
      owner.waitForURL(`${store.url}/admin/products/NEBULA-SYNTH/edit?saved=1`),
      owner.click('form.admin-product-form button:not([name=preview])'),
    ]);
    faults.push(...(await inspectPage(owner, 'owner-day-product-saved')));

    // Its image, uploaded from the owner's disk.
    await Promise.all([owner.waitForURL(`${store.url}/admin/products/NEBULA-SYNTH/images`), owner.click('a[href$="/images"]')]);
    const photo = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#2f5d8a' } })
      .png()
      .toBuffer();
    await owner.setInputFiles('#image-file', { name: 'front-panel.png', mimeType: 'image/png', buffer: photo });
    await owner.fill('#image-alt', 'Nebula Synth Pro front panel');
    await Promise.all([owner.waitForURL(/\/images\?done=added$/), owner.click('form.admin-image-upload button')]);
    await expect(owner.locator('ol.admin-images input[name=alt]').inputValue()).resolves.toBe('Nebula Synth Pro front panel');
    const thumbnail = owner.locator('ol.admin-images img.admin-image-thumb');
    await expect(thumbnail.evaluate((img: HTMLImageElement) => img.decode().then(() => img.naturalWidth))).resolves.toBeGreaterThan(0);
    faults.push(...(await inspectPage(owner, 'owner-day-images')));

    // Three keys, pasted.
    await owner.goto(`${store.url}/admin/products/NEBULA-SYNTH/keys`);
    await owner.fill('#import-keys', 'NEBULA-0001-AAAA\nNEBULA-0002-BBBB\nNEBULA-0003-CCCC\n');
    await Promise.all([owner.waitForURL(/\/keys\?imported=3$/), owner.click('form.admin-key-import button[type=submit]')]);
    await expect(owner.locator('[data-count=available] dd').textContent()).resolves.toBe('3');
    faults.push(...(await inspectPage(owner, 'owner-day-keys')));

    // The buyer finds it in the shop, with its picture, and buys two.
    const buyer = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const buyerProblems = watchPageProblems(buyer);
    await buyer.goto(`${store.url}/nebula-synth`);
    await expect(buyer.locator('main h1').textContent()).resolves.toBe('Nebula Synth Pro');
    const picture = buyer.locator('main img[alt="Nebula Synth Pro front panel"]').first();
    await expect(picture.evaluate((img: HTMLImageElement) => img.decode().then(() => img.currentSrc))).resolves.toMatch(
      new RegExp(`^${store.url}/media/`),
    );
    await buyer.fill('#quantity', '2');
    await buyer.click('.add-to-cart button[type=submit]');
    await buyer.locator('.cart-message .notice').waitFor();
    await buyer.goto(`${store.url}/checkout`);
    await buyer.waitForURL(`${idp.idp.issuer}/**`);
    await buyer.fill('#email', 'demo@example.com');
    await buyer.fill('#password', 'demo1234');
    await Promise.all([buyer.waitForURL(`${store.url}/checkout`), buyer.click('button[type=submit]')]);
    await Promise.all([buyer.waitForURL(`${gateway.url}/pay/**`), buyer.click('.checkout-form button[type=submit]')]);
    await Promise.all([buyer.waitForURL(`${store.url}/checkout/return**`), buyer.click('button[value=pay]')]);
    await buyer.waitForSelector('[data-order-status=fulfilled]', { timeout: 15_000 });
    const orderPath = (await buyer.locator('a[href^="/orders/"]').first().getAttribute('href'))!;
    const orderId = orderPath.split('/').pop()!;

    // The owner sees the sale and refunds one of the two units.
    await owner.goto(`${store.url}/admin/products/NEBULA-SYNTH/keys`);
    await expect(owner.locator('[data-count=sold] dd').textContent()).resolves.toBe('2');
    await owner.goto(`${store.url}/admin/orders?q=demo%40example.com`);
    await Promise.all([owner.waitForURL(`${store.url}/admin/orders/${orderId}`), owner.click(`a[href="/admin/orders/${orderId}"]`)]);
    const item = await owner.locator('#refund-item option', { hasText: 'NEBULA-SYNTH' }).getAttribute('value');
    await owner.selectOption('#refund-item', item!);
    await owner.fill('#refund-units', '1');
    await owner.fill('#refund-reason', 'Bought one seat too many');
    await Promise.all([owner.waitForURL(/\?done=refunded$/), owner.click('#action-refund button[type=submit]')]);
    await expect(owner.locator('.status').first().textContent()).resolves.toBe('Partially refunded');
    faults.push(...(await inspectPage(owner, 'owner-day-order-refunded')));

    // The buyer: the order page says so, and the refund mail arrives through the outbox and SMTP.
    await buyer.goto(`${store.url}${orderPath}`);
    await expect(buyer.locator('main').textContent()).resolves.toContain('Part of this order was refunded');
    const mail = createMailService({ db: store.db, smtpUrl: sink.url, from: store.config.mailFrom });
    await mail.deliverDue();
    mail.close();
    const refundMail = sink.messages.find((m) => m.to.includes('demo@example.com') && /refunded$/.test(m.subject));
    expect(refundMail?.text).toContain('NEBULA-SYNTH, 1 of 2 refunded');

    // The dashboard counts the sale net of the refunded unit; the sales CSV has the line and the refund.
    await owner.goto(`${store.url}/admin?days=7`);
    const total = (name: string) => owner.locator(`[data-total=${name}]`).first().textContent();
    const [gross, refunded, net] = [await total('gross'), await total('refunded'), await total('net')];
    const cents = (text: string | null) => Math.round(Number(text!.replace(/[^\d.]/g, '')) * 100);
    expect(cents(refunded)).toBeGreaterThan(0);
    expect(cents(gross) - cents(refunded)).toBe(cents(net));
    faults.push(...(await inspectPage(owner, 'owner-day-dashboard')));

    const csv = await owner.request.get(`${store.url}/admin/exports/sales.csv?from=${today()}&to=${today()}`);
    expect(csv.status()).toBe(200);
    const line = (await csv.text()).split('\r\n').find((l) => l.includes(',NEBULA-SYNTH,'))!;
    const cells = line.split(',');
    // … SKU, Product, Quantity, Unit price, Net, Tax, Gross, Currency, Refunded units, Refunded (gross)
    expect(cells.slice(3, 7)).toEqual(['NEBULA-SYNTH', 'Nebula Synth Pro', '2', '24.00']);
    expect(cells.slice(-3, -1)).toEqual(['EUR', '1']);
    expect(Math.round(Number(cells.at(-1)) * 100)).toBe(cents(refunded));

    expect(faults, faults.join('\n')).toEqual([]);
    expect(ownerProblems, ownerProblems.join('\n')).toEqual([]);
    expect(buyerProblems, buyerProblems.join('\n')).toEqual([]);
  });
});
