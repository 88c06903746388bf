import { DomUtils, parseDocument } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../dev/smtp-sink.js';
import { donationReceiptMail } from '../../src/donations/receipt-mail.js';
import { confirmationMail } from '../../src/orders/confirmation-mail.js';
import type { OrderItemRow, OrderRow } from '../../src/orders/orders.types.js';
import { refundMail } from '../../src/orders/refund-mail.js';
import { ConfigError, parseConfig } from '../../src/platform/config.js';
import type { RenderedMail } from '../../src/platform/mail/mail-blocks.js';
import { createMailService } from '../../src/platform/mail/mail.service.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testConfig, testEnv } from '../support/env.js';

const EVIL = 'Vector <script>alert("x")</script> & Co';
const ORDER_ID = 'ord_0123456789abcdef01234567';
const order = {
  id: ORDER_ID,
  order_number: 1042,
  email: 'buyer@example.test',
  status: 'fulfilled',
  currency: 'EUR',
  subtotal: 4400,
  tax: 880,
  total: 5280,
  invoice_number: 7,
  paid_at: Date.UTC(2026, 11, 4, 12),
  created_at: Date.UTC(2026, 11, 4, 11),
} as OrderRow;
const items = [
  { id: 11, order_id: ORDER_ID, sku: 'VF-PRO', name: EVIL, type: 'key_lim', unit_price: 1500, quantity: 2, refunded_quantity: 0 },
  { id: 12, order_id: ORDER_ID, sku: 'TAC-PACK', name: 'Tactics Pack', type: 'file', unit_price: 1400, quantity: 1, refunded_quantity: 0 },
] as OrderItemRow[];
const settings = (env: Record<string, string> = {}) => testConfig({ PUBLIC_URL: 'https://shop.example', SHOP_NAME: 'Pixel & Key', ...env });

/** The HTML part as a reader sees it: its text with whitespace collapsed, its links, and the document. */
function readHtml(mail: RenderedMail) {
  const dom = parseDocument(mail.htmlBody);
  const text = DomUtils.textContent(dom).replace(/\s+/g, ' ');
  const links = DomUtils.getElementsByTagName('a', dom).map((a) => a.attribs.href);
  return { dom, text, links };
}

/** Both parts carry `fact` (the text part may break lines where the HTML does not). */
function expectBothParts(mail: RenderedMail, facts: string[]) {
  const html = readHtml(mail);
  const text = mail.textBody.replace(/\s+/g, ' ');
  for (const fact of facts) {
    expect(html.text, `HTML part lacks ${fact}`).toContain(fact);
    expect(text, `text part lacks ${fact}`).toContain(fact);
  }
}

/** What every mail's HTML must be: parseable, inline styles only, one 600 px column, nothing executable. */
function expectMailHtml(mail: RenderedMail) {
  const { dom } = readHtml(mail);
  expect(mail.htmlBody.startsWith('<!doctype html>')).toBe(true);
  expect(DomUtils.getElementsByTagName('script', dom)).toEqual([]);
  expect(DomUtils.getElementsByTagName('style', dom)).toEqual([]);
  expect(DomUtils.getElementsByTagName('link', dom)).toEqual([]);
  expect(mail.htmlBody).not.toMatch(/ class=/);
  const widths = DomUtils.getElementsByTagName('table', dom).map((t) => /max-width:(\d+)px/.exec(t.attribs.style ?? '')?.[1]);
  expect(widths).toContain('600');
  expect(DomUtils.getElementsByTagName('meta', dom).find((m) => m.attribs.name === 'viewport')?.attribs.content).toBe(
    'width=device-width, initial-scale=1',
  );
}

/** The style of the header band and the button: the two places the accent colour fills. */
const accentStyles = (mail: RenderedMail) => {
  const { dom } = readHtml(mail);
  const band = DomUtils.getElementsByTagName('td', dom).find((td) => DomUtils.textContent(td) === 'Pixel & Key')!;
  return [band.attribs.style, DomUtils.getElementsByTagName('a', dom)[0]!.attribs.style];
};

describe('mails rendered from their templates', () => {
  it('a receipt: items, totals, order number and the link to the order page, a product name escaped, no keys', () => {
    const mail = confirmationMail(order, items, true, settings());
    expect(mail.subject).toBe('[Pixel & Key] Order #1042 — payment received');
    expectMailHtml(mail);
    expectBothParts(mail, [
      'Thank you for your order #1042',
      `2 × ${EVIL}`,
      '€30.00',
      '1 × Tactics Pack',
      '€14.00',
      'Subtotal',
      '€44.00',
      'Tax',
      '€8.80',
      'Total',
      '€52.80',
      'INV-0007',
      '2026-12-04',
      'Your license keys and downloads are ready on your order page.',
      `https://shop.example/orders/${ORDER_ID}`,
    ]);
    expect(readHtml(mail).links).toEqual([`https://shop.example/orders/${ORDER_ID}`]);
    // Escaped in the HTML: the product name is text, never markup.
    expect(mail.htmlBody).toContain('Vector &lt;script>alert(&quot;x&quot;)&lt;/script> &amp; Co');
    expect(mail.htmlBody).not.toContain('<script>');
    expect(mail.textBody).not.toMatch(/\/download\//);
  });

  it('a receipt carries the keys in both parts only when the owner mails keys', () => {
    const keys = [
      { itemId: 11, unit: 0, key: 'AAAA-1111-BBBB' },
      { itemId: 11, unit: 1, key: `eyJ${'k'.repeat(200)}` },
    ];
    const mail = confirmationMail(order, items, true, settings({ MAIL_INCLUDE_KEYS: 'true' }), keys);
    expectMailHtml(mail);
    expectBothParts(mail, ['Your license keys', `${EVIL} (1 of 2)`, 'AAAA-1111-BBBB', `${EVIL} (2 of 2)`, keys[1]!.key]);
    expectBothParts(mail, ['Your downloads are ready on your order page.']);
    // A long signed key wraps anywhere instead of widening the mail.
    const code = DomUtils.getElementsByTagName('code', readHtml(mail).dom).at(-1)!;
    expect(code.attribs.style).toContain('word-break:break-all');
  });

  it('a late payment waiting for keys says so instead of promising them', () => {
    const mail = confirmationMail(order, items, false, settings());
    expectBothParts(mail, ['Your payment arrived after the reservation ended', `https://shop.example/orders/${ORDER_ID}`]);
    expect(readHtml(mail).text).not.toContain('are ready');
  });

  it('a refund notice: what was refunded, how much, the new total and the order page', () => {
    const mail = refundMail(order, items, { amount: 1800, units: [{ itemId: 11, units: 1 }], refundedTotal: 1800 }, settings());
    expect(mail.subject).toBe('[Pixel & Key] Order #1042 — €18.00 refunded');
    expectMailHtml(mail);
    expectBothParts(mail, [
      'Part of your order was refunded: #1042',
      'We refunded €18.00',
      `1 × ${EVIL}`,
      'VF-PRO, 1 of 2 refunded',
      'Refunded now',
      'Paid',
      '€52.80',
      'New order total',
      '€34.80',
      'no longer work',
      `https://shop.example/orders/${ORDER_ID}`,
    ]);
    expect(mail.htmlBody).not.toContain('<script>');
    expect(readHtml(mail).links).toEqual([`https://shop.example/orders/${ORDER_ID}`]);
  });

  it('the last refund of an order says it is refunded, with the total refunded and a credit note link once there is one', () => {
    const refund = {
      amount: 3480,
      units: [
        { itemId: 11, units: 1 },
        { itemId: 12, units: 1 },
      ],
      refundedTotal: 5280,
    };
    const mail = refundMail(order, items, { ...refund, creditNoteUrl: 'https://shop.example/credit-notes/3' }, settings());
    expectBothParts(mail, ['Your order was refunded: #1042', 'Refunded in total', '€52.80', 'New order total', '€0.00', 'Tactics Pack']);
    expect(readHtml(mail).links).toEqual([`https://shop.example/orders/${ORDER_ID}`, 'https://shop.example/credit-notes/3']);
    // A refund the gateway made of an amount that covers no whole unit lists no items.
    const bare = refundMail(order, items, { amount: 300, units: [], refundedTotal: 300 }, settings());
    expectBothParts(bare, ['We refunded €3.00', 'New order total', '€49.80']);
    expect(readHtml(bare).text).not.toContain('no longer work');
  });

  it('a donation receipt in the same style, the donor’s message escaped', () => {
    const donation = {
      id: 'don_0123456789abcdef',
      amount: 2500,
      currency: 'EUR',
      email: 'donor@example.test',
      message: '<b>Love</b> the shop!\nKeep going.',
    } as Parameters<typeof donationReceiptMail>[0];
    const mail = donationReceiptMail(donation, Date.UTC(2026, 11, 4), settings());
    expect(mail.subject).toBe('[Pixel & Key] Thank you for your donation of €25.00');
    expectMailHtml(mail);
    expectBothParts(mail, [
      'Thank you for supporting Pixel & Key!',
      'don_0123456789abcdef',
      '€25.00',
      '2026-12-04',
      '<b>Love</b> the shop!',
    ]);
    expect(DomUtils.getElementsByTagName('b', readHtml(mail).dom)).toEqual([]);
  });

  it('draws every mail with the owner’s colours and footer, and refuses a colour that is not #rrggbb', () => {
    const look = settings({
      MAIL_ACCENT_COLOR: '#FFD400',
      MAIL_BACKGROUND_COLOR: '#101010',
      MAIL_FOOTER: 'Pixel & Key Ltd\\nNo reply needed',
    });
    const mail = confirmationMail(order, items, true, look);
    // A light accent gets dark text on it, so the header and button stay readable.
    expect(accentStyles(mail)).toEqual([
      expect.stringMatching(/color:#1f2328;.*background:#ffd400;/),
      expect.stringMatching(/color:#1f2328;.*background:#ffd400;/),
    ]);
    expect(mail.htmlBody).toContain('<body style="margin:0px;padding:0px;background:#101010;">');
    expect(mail.textBody.endsWith('--\nPixel & Key Ltd\nNo reply needed\n')).toBe(true);
    expectBothParts(mail, ['Pixel & Key Ltd', 'No reply needed']);
    expect(accentStyles(confirmationMail(order, items, true, settings()))).toEqual([
      expect.stringMatching(/color:#ffffff;.*background:#3451c9;/),
      expect.stringMatching(/color:#ffffff;.*background:#3451c9;/),
    ]);
    expect(() => parseConfig(testEnv({ MAIL_ACCENT_COLOR: 'blue', MAIL_FOOTER: 'x'.repeat(1001) }))).toThrow(ConfigError);
    try {
      parseConfig(testEnv({ MAIL_ACCENT_COLOR: 'blue' }));
    } catch (err) {
      expect((err as ConfigError).problems).toEqual(['MAIL_ACCENT_COLOR: must be a colour as #rrggbb, e.g. #3451c9']);
    }
  });
});

describe('a rendered mail through real SMTP', () => {
  let db: TestDatabase;
  let sink: SmtpSink;
  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    await sink.close();
    await db.drop();
  });

  it('arrives with an HTML and a plain-text part that a mail reader parses', async () => {
    const mail = createMailService({ db, smtpUrl: sink.url, from: 'Shop <shop@example.test>' });
    const creditNoteUrl = `https://shop.example/orders/${ORDER_ID}/credit-notes/CN-2026-000007`;
    await mail.enqueue(
      refundMail(order, items, { amount: 1800, units: [{ itemId: 11, units: 1 }], refundedTotal: 1800, creditNoteUrl }, settings()),
    );
    expect(await mail.deliverDue()).toEqual({ sent: 1, failed: 0 });
    const [received] = await sink.waitFor(1);
    expect(received!.subject).toBe('[Pixel & Key] Order #1042 — €18.00 refunded');
    expect(received!.html).toContain('&lt;script>');
    expect(received!.text).toContain(`1 × ${EVIL} (VF-PRO, 1 of 2 refunded)  €18.00`);
    expect(received!.text).toContain(`https://shop.example/orders/${ORDER_ID}`);
    // The refund's credit note is linked in both parts, as the buyer's mail reader shows them.
    expect(received!.text).toContain(creditNoteUrl);
    expect(received!.html).toContain(`href="${creditNoteUrl}"`);
    mail.close();
  });
});
