import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { donationReceiptMail } from '../../src/donations/receipt-mail.js';
import { confirmationMail } from '../../src/orders/confirmation-mail.js';
import type { OrderItemRow, OrderRow } from '../../src/orders/orders.types.js';
import { refundMail } from '../../src/orders/refund-mail.js';
import type { RenderedMail } from '../../src/platform/mail/mail-blocks.js';
import { launchBrowser, screenshot } from '../support/browser.js';
import { testConfig } from '../support/env.js';

const settings = testConfig({ PUBLIC_URL: 'https://shop.example', MAIL_INCLUDE_KEYS: 'true' });
const order = {
  id: 'ord_0123456789abcdef01234567',
  order_number: 1042,
  email: 'buyer@example.test',
  currency: 'EUR',
  subtotal: 4400,
  tax: 880,
  total: 5280,
  invoice_number: 7,
  paid_at: Date.UTC(2026, 11, 4),
  created_at: Date.UTC(2026, 11, 4),
} as OrderRow;
const items = [
  {
    id: 1,
    sku: 'VECTORFORGE-PRO-LIFETIME',
    name: 'VectorForge Pro — lifetime licence for two seats',
    type: 'key',
    unit_price: 1500,
    quantity: 2,
  },
  { id: 2, sku: 'TAC-PACK', name: 'Tactics Pack', type: 'file', unit_price: 1400, quantity: 1 },
] as OrderItemRow[];
const signedKey = `eyJ${'a1B2c3D4'.repeat(25)}`;

const mails: Record<string, RenderedMail> = {
  receipt: confirmationMail(order, items, true, settings, [
    { itemId: 1, unit: 0, key: 'AAAA-1111-BBBB-2222' },
    { itemId: 1, unit: 1, key: signedKey },
  ]),
  refund: refundMail(order, items, { amount: 1800, units: [{ itemId: 1, units: 1 }], refundedTotal: 1800 }, settings),
  donation: donationReceiptMail(
    { id: 'don_0123456789abcdef', amount: 2500, currency: 'EUR', email: 'donor@example.test', message: 'Love the shop!' } as Parameters<
      typeof donationReceiptMail
    >[0],
    Date.UTC(2026, 11, 4),
    settings,
  ),
};

/** Each mail's HTML part as a mail client shows it: a desktop width and a phone, never wider than the screen. */
describe('mails in a browser at 1280 and 390 px', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(Object.keys(mails))('the %s fits the screen and keeps its 600 px column on a desktop', async (name) => {
    const page = await browser.newPage();
    try {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        await page.setContent(mails[name]!.htmlBody);
        const { scrollWidth, card } = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          card: document.querySelector('table table')!.getBoundingClientRect().width,
        }));
        expect(scrollWidth, `${name} at ${width} px`).toBeLessThanOrEqual(width);
        expect(card).toBe(width === 1280 ? 600 : width - 16);
        await screenshot(page, `mail-${name}-${width}`);
      }
    } finally {
      await page.close();
    }
  });
});
