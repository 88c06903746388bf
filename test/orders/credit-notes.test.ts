import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditNotesService } from '../../src/orders/credit-notes.service.js';
import type { CreditNoteLine } from '../../src/orders/credit-notes.js';
import { createOrdersService } from '../../src/orders/orders.service.js';
import { createSalesRepo } from '../../src/orders/sales.repo.js';
import { createOrderPayments } from '../../src/payments/order-payments.js';
import type { RefundResult } from '../../src/payments/payment-gateway.js';
import { createRefundService } from '../../src/payments/refund.service.js';
import type { OutgoingMail } from '../../src/platform/mail/outbox.repo.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { testConfig } from '../support/env.js';
import { catalogFixtures, makeProduct, makeTaxedOrder, type TaxedLineInput } from '../support/factories.js';

const shopEnv = { SELLER_NAME: 'Pixel & Key GmbH', SELLER_ADDRESS: 'Hauptstraße 1; 10115 Berlin', SELLER_TAX_ID: 'DE123456789' };

/** Credit notes through the refund services and the pages, and invoice series, on both databases. */
describe.each(testDialects)('credit notes and invoice series on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let buyer: LoggedIn;
  let orders: ReturnType<typeof createOrdersService>;
  let creditNotes: ReturnType<typeof createCreditNotesService>;
  let lines: (rateBp?: number) => Promise<TaxedLineInput[]>;
  const mails: OutgoingMail[] = [];
  const config = testConfig(shopEnv);
  const mail = { enqueue: async (m: OutgoingMail) => void mails.push(m) };
  const fulfilment = { revokeUnits: async () => {}, deliverOrder: async () => true, keysForMail: async () => [] };
  let gatewayAnswer: (amount: number | undefined) => RefundResult;
  const gatewayCalls: Array<number | undefined> = [];
  const gateway = {
    refund: async ({ amount }: { amount?: number }) => {
      gatewayCalls.push(amount);
      return gatewayAnswer(amount);
    },
  };

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, { ...idp.env, ...shopEnv });
    orders = createOrdersService({ db: t.db });
    creditNotes = createCreditNotesService({ db: t.db });
    buyer = await loginAs(t.app, 'new');
    const fx = catalogFixtures(t.db);
    const kit = await makeProduct(fx.catalog, { name: 'Kit', price: 1000 });
    const font = await makeProduct(fx.catalog, { name: 'Font', price: 333 });
    lines = async (rateBp = 1900) => [
      { product: { ...kit, name: 'Kit' }, unitPrice: 1000, quantity: 3, discount: 100, rateBp },
      { product: { ...font, name: 'Font' }, unitPrice: 333, quantity: 1, rateBp },
    ];
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  const order = async (extra: Partial<Parameters<typeof makeTaxedOrder>[2]> = {}) =>
    makeTaxedOrder(t.db, orders, { userSub: buyer.user.sub, email: buyer.user.email, lines: await lines(), ...extra });
  const refunds = () => createRefundService({ db: t.db, gateway, orders, fulfilment, mail, config, creditNotes });
  const payments = () =>
    createOrderPayments({
      db: t.db,
      orders,
      fulfilment,
      keyPool: { releaseReservation: async () => 0 },
      cart: { removeProducts: async () => {} },
      mail,
      config,
      creditNotes,
    });
  const notesOf = (orderId: string) => creditNotes.listOfOrder(orderId);
  const sumLines = (ls: CreditNoteLine[], k: 'net' | 'tax' | 'gross') => ls.reduce((n, l) => n + l[k], 0);
  const succeed = (amount: number | undefined) => ({
    id: `re_${gatewayCalls.length}`,
    status: 'succeeded' as const,
    amount: amount ?? 0,
    currency: 'EUR',
  });

  it('issues a credit note for each owner refund: units at what they were paid, the last unit of a line its remainder', async () => {
    gatewayAnswer = succeed;
    const id = await order();
    const items = await orders.findItems(id);
    const kit = items.find((i) => i.name === 'Kit')!;
    // 3 × 10.00 less 1.00 = 29.00 gross for the line: 9.66, 9.66, then 9.68.
    expect(kit.gross).toBe(2900);
    const first = await refunds().refundOrder({ orderId: id, item: { sku: kit.sku, units: 2 }, reason: 'wrong product' });
    expect(gatewayCalls.at(-1)).toBe(1932);
    expect(first.creditNote.number).toMatch(/^CN-\d{4}-\d{6}$/);
    const [note] = await notesOf(id);
    expect(note).toMatchObject({ total: 1932, reason: 'wrong product', refundRef: first.refundId, currency: 'EUR' });
    expect(note!.lines).toEqual([expect.objectContaining({ description: 'Kit', units: 2, gross: 1932, rateBp: 1900 })]);
    expect(note!.net + note!.tax).toBe(note!.total);
    expect(sumLines(note!.lines, 'tax')).toBe(note!.tax);
    // The refund mail links the note.
    expect(mails.at(-1)!.textBody).toContain(`${config.publicUrl}/orders/${id}/credit-notes/${first.creditNote.number}`);

    // The rest: the gateway refunds whatever is left, the note's lines add up to it exactly.
    const left = (await orders.findOrder(id))!.total - 1932;
    gatewayAnswer = (amount) => ({ ...succeed(amount), amount: amount ?? left });
    const rest = await refunds().refundOrder({ orderId: id });
    expect(gatewayCalls.at(-1)).toBeUndefined();
    const notes = await notesOf(id);
    expect(notes).toHaveLength(2);
    expect(notes[1]!.lines.map((l) => [l.description, l.units, l.gross])).toEqual([
      ['Kit', 1, 968],
      ['Font', 1, 333],
    ]);
    expect(notes[1]!.total).toBe(rest.amount);
    const paid = (await orders.findOrder(id))!;
    expect(notes[0]!.total + notes[1]!.total).toBe(paid.total);
    expect(notes[1]!.number).toBe(notes[0]!.number + 1);
  });

  it('leaves no credit note (and takes no number) when the gateway refuses, or the refund’s transaction fails later', async () => {
    const id = await order();
    const counter = async () =>
      (await t.db.kysely.selectFrom('counters').select(['name', 'value']).execute()).filter((c) => c.name.startsWith('credit_note:'));
    const before = await counter();
    gatewayAnswer = (amount) => ({ id: 're_failed', status: 'failed', amount: amount ?? 0, currency: 'EUR' });
    await expect(refunds().refundOrder({ orderId: id })).rejects.toMatchObject({ code: 'refund_failed' });
    gatewayAnswer = succeed;
    await expect(
      refunds().refundOrder({ orderId: id }, async () => {
        throw new Error('the audit row failed');
      }),
    ).rejects.toThrow('the audit row failed');
    expect(await notesOf(id)).toEqual([]);
    expect(await counter()).toEqual(before);
    expect((await orders.findOrder(id))!.status).toBe('fulfilled');
  });

  it('issues a credit note for a refund the gateway reports, and one "Refund" line for an amount that returns no unit', async () => {
    const id = await order();
    const pay = payments();
    // 3.00 covers no whole unit (the cheapest is 3.33): a note of one line, split by the order's share of tax.
    await t.db.transaction((tx) => pay.refund(tx, id, { amountRefunded: 300, chargeAmount: null, refundId: 're_dash_1' }, 'evt_1'));
    let notes = await notesOf(id);
    expect(notes).toHaveLength(1);
    expect(notes[0]!).toMatchObject({ total: 300, refundRef: 're_dash_1' });
    expect(notes[0]!.lines).toEqual([expect.objectContaining({ description: 'Refund', units: 0, gross: 300, rateBp: 1900 })]);
    // 5.16 of 32.33 is tax: 300 × 516 / 3233 = 47.9.
    expect(notes[0]!.tax).toBe(48);
    // Another 6.00 in total since: 3.00 more, still no unit; then the rest returns every unit.
    await t.db.transaction((tx) => pay.refund(tx, id, { amountRefunded: 600, chargeAmount: null }, 'evt_2'));
    notes = await notesOf(id);
    expect(notes.map((n) => [n.total, n.refundRef])).toEqual([
      [300, 're_dash_1'],
      [300, 'evt_2'],
    ]);
    // The same event again changes nothing: the credit notes already account for it.
    const again = await t.db.transaction((tx) => pay.refund(tx, id, { amountRefunded: 600, chargeAmount: null }, 'evt_2'));
    expect(again).toEqual({ kind: 'unchanged', why: 'refund_already_applied' });
    const total = (await orders.findOrder(id))!.total;
    await t.db.transaction((tx) => pay.refund(tx, id, { amountRefunded: total, chargeAmount: total }, 'evt_3'));
    notes = await notesOf(id);
    expect(notes).toHaveLength(3);
    expect(notes.reduce((n, c) => n + c.total, 0)).toBe(total);
    for (const n of notes) expect(sumLines(n.lines, 'gross')).toBe(n.total);
    expect((await orders.findOrder(id))!.status).toBe('refunded');
    expect(mails.at(-1)!.textBody).toContain(`/credit-notes/${notes[2]!.printed}`);
  });

  it('splits an amount refunded of an order with two rates over both, and sums the credit note per rate', async () => {
    const mixed = (await lines()).map((l) => (l.product.name === 'Font' ? { ...l, rateBp: 700 } : l));
    const id = await order({ lines: mixed });
    await t.db.transaction((tx) => payments().refund(tx, id, { amountRefunded: 300, chargeAmount: null, refundId: 're_mix' }, 'evt_mix'));
    const [note] = await notesOf(id);
    // €29.00 at 19 % and €3.33 at 7 %: €3.00 back is €0.30 at 7 % and €2.70 at 19 %, each with its own VAT.
    expect(note!.lines.map((l) => [l.description, l.rateBp, l.gross, l.tax])).toEqual([
      ['Refund', 700, 30, 2],
      ['Refund', 1900, 270, 43],
    ]);
    const page = (await buyer.browser.request(note!.path)).body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(page).toContain('Tax summary Rate Net Tax Gross 7% −€0.28 −€0.02 −€0.30 19% −€2.27 −€0.43 −€2.70');
    expect(page).toContain('Total refunded −€3.00');
  });

  it('leaves no credit note when the webhook’s transaction rolls back (a repeated event)', async () => {
    const id = await order();
    const pay = payments();
    await expect(
      t.db.transaction(async (tx) => {
        await pay.refund(tx, id, { amountRefunded: 300, chargeAmount: null }, 'evt_rollback');
        throw new Error('repeated event');
      }),
    ).rejects.toThrow('repeated event');
    expect(await notesOf(id)).toEqual([]);
  });

  it('takes whole units for a gateway refund that covers them, and no second note for an owner refund’s own webhook', async () => {
    gatewayAnswer = succeed;
    const id = await order();
    const pay = payments();
    await t.db.transaction((tx) => pay.refund(tx, id, { amountRefunded: 1000, chargeAmount: null }, 'evt_units'));
    const [note] = await notesOf(id);
    // 10.00 buys one Kit unit (9.66) and leaves 0.34 as its own line.
    expect(note!.lines.map((l) => [l.description, l.units, l.gross])).toEqual([
      ['Kit', 1, 966],
      ['Adjustment', 0, 34],
    ]);
    const font = (await orders.findItems(id)).find((i) => i.name === 'Font')!;
    const owner = await refunds().refundOrder({ orderId: id, item: { sku: font.sku, units: 1 } });
    const webhook = await t.db.transaction((tx) =>
      pay.refund(tx, id, { amountRefunded: 1000 + owner.amount, chargeAmount: null }, 'evt_owner'),
    );
    expect(webhook).toEqual({ kind: 'unchanged', why: 'refund_already_applied' });
    expect(await notesOf(id)).toHaveLength(2);
  });

  it('numbers invoices gap-free per series under concurrent payments, a rolled-back payment taking no number', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => order({ paid: false })));
    const series = `INV-${new Date().getUTCFullYear()}-`;
    const pay = (id: string, fail = false) =>
      t.db.transaction(async (tx) => {
        const r = await orders.applyEvent(
          tx,
          id,
          'payment_settled',
          'test',
          { paid_at: Date.now(), payment_intent: `pi_${id}` },
          undefined,
          true,
        );
        if (fail) throw new Error('rolled back');
        return r;
      });
    await expect(pay(ids[0]!, true)).rejects.toThrow('rolled back');
    await Promise.all(ids.map((id) => pay(id)));
    const rows = await t.db.kysely.selectFrom('orders').select(['invoice_number', 'invoice_series']).where('id', 'in', ids).execute();
    expect(new Set(rows.map((r) => r.invoice_series))).toEqual(new Set([series]));
    const numbers = rows.map((r) => Number(r.invoice_number)).sort((a, b) => a - b);
    const counter = await t.db.kysely
      .selectFrom('counters')
      .select('value')
      .where('name', '=', `invoice:${series}`)
      .executeTakeFirstOrThrow();
    expect(numbers).toEqual(Array.from({ length: 8 }, (_, i) => Number(counter.value) - 7 + i));

    // Another year is another series, counting from 1 beside this one's numbers.
    const later = createOrdersService({ db: t.db, clock: () => Date.UTC(2031, 0, 2) });
    const next = await order({ paid: false });
    await t.db.transaction((tx) => later.applyEvent(tx, next, 'payment_settled', 'test', {}, undefined, true));
    expect(
      await t.db.kysely.selectFrom('orders').select(['invoice_number', 'invoice_series']).where('id', '=', next).executeTakeFirst(),
    ).toEqual({
      invoice_number: 1,
      invoice_series: 'INV-2031-',
    });
  });

  it('numbers credit notes gap-free under concurrent refunds', async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, () => order()));
    const pay = payments();
    await Promise.all(
      ids.map((id, i) => t.db.transaction((tx) => pay.refund(tx, id, { amountRefunded: 100 + i, chargeAmount: null }, `evt_c${i}`))),
    );
    const numbers = (await Promise.all(ids.map(notesOf))).map((n) => n[0]!.number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 6 }, (_, i) => numbers[0]! + i));
  });

  it('shows a credit note to the order’s buyer and the owner only, as a page and a PDF', async () => {
    gatewayAnswer = succeed;
    const id = await order({
      billing: { name: 'Ada Buyer', company: 'Buyer GmbH', address: 'Street 1\n1010 Wien', country: 'AT', vatId: 'ATU12345678' },
    });
    const { creditNote } = await refunds().refundOrder({ orderId: id, reason: 'changed my mind' });
    const page = await buyer.browser.request(creditNote.path);
    expect(page.status).toBe(200);
    for (const text of [
      `Credit note ${creditNote.number}`,
      'Ada Buyer',
      'Buyer GmbH',
      '1010 Wien',
      'VAT ID: ATU12345678',
      'VAT ID: DE123456789',
      'changed my mind',
      'Kit',
      '19%',
    ])
      expect(page.body, text).toContain(text);
    const owner = await loginAs(t.app, 'owner');
    expect((await owner.browser.request(creditNote.path)).status).toBe(200);
    // The owner's order view links it too.
    expect((await owner.browser.request(`/admin/orders/${id}`)).body).toContain(`href="${creditNote.path}"`);
    const other = await loginAs(t.app, 'new');
    expect((await other.browser.request(creditNote.path)).status).toBe(404);
    expect((await buyer.browser.request(`/orders/${id}/credit-notes/CN-1999-000001`)).status).toBe(404);
    const pdf = await t.app.inject({ url: `${creditNote.path}.pdf`, headers: { cookie: buyer.browser.cookieHeader() } });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 4).toString('latin1')).toBe('%PDF');
    const otherPdf = await t.app.inject({ url: `${creditNote.path}.pdf`, headers: { cookie: other.browser.cookieHeader() } });
    expect(otherPdf.statusCode).toBe(404);
    // A visitor who is not logged in is sent to log in, and sees nothing of it.
    for (const path of [creditNote.path, `${creditNote.path}.pdf`]) {
      const anonymous = await t.app.inject({ url: path });
      expect([302, 303, 401, 404], path).toContain(anonymous.statusCode);
      expect(anonymous.body, path).not.toContain(creditNote.number);
    }
  });

  it('shows refunded amounts, the total after refunds and the credit notes on the order page and the invoice', async () => {
    gatewayAnswer = succeed;
    const id = await order({ discountCode: 'SPRING', billing: { name: 'Ada Buyer', country: 'DE' } });
    const kit = (await orders.findItems(id)).find((i) => i.name === 'Kit')!;
    const { creditNote } = await refunds().refundOrder({ orderId: id, item: { sku: kit.sku, units: 1 } });
    const total = (await orders.findOrder(id))!.total;
    const euros = (n: number) => `€${(n / 100).toFixed(2)}`;
    const page = await buyer.browser.request(`/orders/${id}`);
    for (const text of ['Refunded', `−${euros(966)}`, 'Total after refunds', euros(total - 966), `href="${creditNote.path}"`])
      expect(page.body, text).toContain(text);
    // The code makes the total less than the list prices; the German VAT is still part of it, not added to it.
    expect(page.body).toMatch(/<th[^>]*>Tax \(included\)<\/th>/);
    const invoice = await buyer.browser.request(`/order/${id}/invoice`);
    for (const text of [
      'Ada Buyer',
      'Discount code: SPRING',
      'Tax summary',
      '19%',
      `−${euros(966)}`,
      euros(total - 966),
      creditNote.number,
    ])
      expect(invoice.body, text).toContain(text);
  });

  it('reports what was refunded of per-line priced orders in the sales SQL as the refunds counted it', async () => {
    gatewayAnswer = succeed;
    // Paid on a day of its own: the only sale of that window.
    const paidAt = Date.UTC(2020, 5, 1, 12);
    const id = await order({ paidAt });
    const kit = (await orders.findItems(id)).find((i) => i.name === 'Kit')!;
    await refunds().refundOrder({ orderId: id, item: { sku: kit.sku, units: 2 } });
    const window = { from: paidAt, to: paidAt + 1 };
    const sales = createSalesRepo(t.db);
    const rows = await sales.findPaidOrdersAfter(window, null, 100);
    expect(rows.map((r) => [r.id, r.refunded])).toEqual([[id, 1932]]);
    // Kit: 29.00 paid, 19.32 of it refunded; Font untouched.
    const products = await sales.findProductSales(window, 'EUR', 100);
    expect(products.map((p) => [p.name, p.refundedUnits, p.net])).toEqual([
      ['Kit', 2, 2900 - 1932],
      ['Font', 0, 333],
    ]);
    expect((await sales.findRevenueByDay(window)).map((d) => [d.gross, d.refunded])).toEqual([[3233, 1932]]);
  });

  it('prints the reverse-charge note and no tax on a reverse-charge invoice', async () => {
    const id = await makeTaxedOrder(t.db, orders, {
      userSub: buyer.user.sub,
      email: buyer.user.email,
      lines: await lines(),
      reverseCharge: true,
      billing: { company: 'Acme SARL', country: 'FR', vatId: 'FR12345678901' },
    });
    const invoice = await buyer.browser.request(`/order/${id}/invoice`);
    expect(invoice.body).toContain('Reverse charge: VAT to be accounted for by the recipient (Article 196, Directive 2006/112/EC)');
    expect(invoice.body).toContain('VAT ID: FR12345678901');
    // Its prices included VAT: the note says why the net is less than price − discount.
    expect(invoice.body).toContain('Unit prices include VAT; under the reverse charge the VAT they include is deducted from the net.');
    expect(invoice.body).not.toContain('No tax charged.');
  });
});
