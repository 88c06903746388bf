import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { loginAs, startTestIdp, type LoggedIn, type TestIdp, SAME_ORIGIN_POST } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { catalogFixtures, makeFileProduct, makeKeyLimProduct, makeProduct, type CatalogFixtures } from '../support/factories.js';
import {
  driveSession,
  forwardWebhooksTo,
  gatewayEnv,
  startTestGateway,
  startWebhookReceiver,
  type DevGateway,
} from '../support/gateway.js';
import { addToCart, checkout, placeOrder, rowText, tableRows, waitForStatus } from './admin-fixtures.js';

const DAY = 86_400_000;

/** The owner's actions on an order from its admin page, through HTTP as a browser posts them, with the real dev gateway. */
describe.each(testDialects)('admin order actions on %s', (dialect) => {
  let idp: TestIdp;
  let gateway: DevGateway;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let t: TestApp;
  let fx: CatalogFixtures;
  let owner: LoggedIn;

  beforeAll(async () => {
    idp = await startTestIdp();
    gateway = await startTestGateway();
    t = await createTestApp(dialect, { ...idp.env, ...gatewayEnv(gateway) });
    receiver = await startWebhookReceiver(forwardWebhooksTo(t.app));
    gateway.setWebhookUrl(receiver.url);
    fx = catalogFixtures(t.db);
    owner = await loginAs(t.app, 'owner');
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
    await gateway?.close();
    await idp?.close();
  });

  const post = (url: string, fields: Record<string, string> = {}, user: LoggedIn | null = owner) =>
    t.app.inject({
      method: 'POST',
      url,
      payload: new URLSearchParams(fields).toString(),
      headers: { ...SAME_ORIGIN_POST, 'content-type': 'application/x-www-form-urlencoded', ...(user ? { cookie: user.cookie } : {}) },
    });
  const page = async (id: string, query = '') => {
    const res = await t.app.inject({ method: 'GET', url: `/admin/orders/${id}${query}`, headers: { cookie: owner.cookie } });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  const orderRow = (id: string) => t.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const itemsOf = (id: string) => t.db.kysely.selectFrom('order_items').selectAll().where('order_id', '=', id).orderBy('id').execute();
  const auditOf = (id: string) => t.db.kysely.selectFrom('owner_audit').selectAll().where('subject', '=', id).orderBy('id').execute();
  const mailsTo = (email: string) =>
    t.db.kysely.selectFrom('mail_outbox').selectAll().where('recipient', '=', email).orderBy('id').execute();
  const fieldError = (body: string, id: string) => new RegExp(`id="${id}-error">([^<]*)<`).exec(body)?.[1];
  const formAlert = (body: string, form: string) =>
    new RegExp(`id="action-${form}"[^>]*>[\\s\\S]*?<p class="notice error" role="alert">([^<]*)<`).exec(body)?.[1];
  /** Refunds the gateway made for a payment, counted in its own event log. */
  const gatewayRefunds = async (id: string) => {
    const pi = (await orderRow(id)).payment_intent;
    return gateway
      .events()
      .filter(
        (r) => r.event.type === 'refund.created' && (r.event.data as { object: { payment_intent?: string } }).object.payment_intent === pi,
      );
  };

  /** A new buyer buys the lines and pays (optionally the wrong amount); returns the order id once settled. */
  async function buy(lines: [sku: string, quantity: number][], { amount }: { amount?: number } = {}) {
    const buyer = await loginAs(t.app, 'new');
    for (const [sku, quantity] of lines) await addToCart(buyer, sku, quantity);
    const sessionId = await checkout(buyer);
    const { id } = await t.db.kysely.selectFrom('orders').select('id').where('payment_ref', '=', sessionId).executeTakeFirstOrThrow();
    if (amount === undefined) await driveSession(gateway, sessionId, 'pay');
    else gateway.pay(sessionId, { amount });
    await waitForStatus(t.db, id, amount === undefined ? 'fulfilled' : 'needs_attention');
    return { id, buyer };
  }

  it('refunds some units of one item with a reason: gateway once, those keys revoked, mail queued, page and audit show it', async () => {
    const pool = await makeKeyLimProduct(fx, 3, { price: 1500 });
    const file = await makeFileProduct(fx.catalog, { price: 500 });
    const { id, buyer } = await buy([
      [pool.sku, 2],
      [file.sku, 1],
    ]);
    const poolItem = (await itemsOf(id)).find((i) => i.sku === pool.sku)!;
    const before = await page(id);
    expect(before).toContain('action="/admin/orders/' + id + '/refund"');
    expect(before).toContain('<input type="hidden" name="seen" value="0"/>');

    const res = await post(`/admin/orders/${id}/refund`, {
      item: String(poolItem.id),
      units: '1',
      reason: 'Bought twice by mistake',
      seen: '0',
    });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    expect(res.headers.location).toBe(`/admin/orders/${id}?done=refunded`);
    expect(res.headers['cache-control']).toBe('private, no-store');

    expect((await orderRow(id)).status).toBe('partially_refunded');
    expect((await itemsOf(id)).map((i) => i.refunded_quantity)).toEqual([1, 0]);
    const refunds = await gatewayRefunds(id);
    expect(refunds).toHaveLength(1);
    expect((refunds[0]!.event.data as { object: { amount: number } }).object.amount).toBe(1500);

    const after = await page(id, '?done=refunded');
    expect(after).toContain('Refunded. The gateway paid the money back');
    expect(after).toMatch(/<dd class="refunded-so-far">€15\.00 \(1 unit\)<\/dd>/);
    expect(after).toContain('Refunded so far: 1 unit, €15.00.');
    expect(tableRows(after, 'delivered-keys').filter((k) => k.includes('Revoked (refunded)'))).toHaveLength(1);
    expect(tableRows(after, 'order-events')).toContainEqual(
      expect.stringMatching(
        new RegExp(`fulfilled → partially_refunded refund_partial owner refund: 1 × ${pool.sku} \\(Bought twice by mistake\\)$`),
      ),
    );
    expect(rowText(after, 'data-item-id', String(poolItem.id))).toContain('€15.00 2 1 €30.00');

    const mail = (await mailsTo(buyer.user.email)).at(-1)!;
    expect(mail.subject).toMatch(/Order #\d+ — €15\.00 refunded$/);
    expect(mail.text_body).toContain('We refunded €15.00 to the way you paid.');
    expect(mail.text_body).toContain(`${pool.sku}, 1 of 2 refunded`);

    const [entry] = await auditOf(id);
    expect(entry).toMatchObject({ action: 'order.refund', actor_email: owner.user.email });
    expect(JSON.parse(entry!.before!)).toEqual({ status: 'fulfilled', refundedUnits: 0 });
    expect(JSON.parse(entry!.after!)).toMatchObject({
      status: 'partially_refunded',
      refunded: [{ sku: pool.sku, units: 1 }],
      amount: 1500,
      currency: 'EUR',
      reason: 'Bought twice by mistake',
    });

    // The webhook that follows finds the refund applied: no second notice, nothing more revoked.
    await gateway.waitForEvent((r) => r.event.type === 'charge.refunded' && r.state === 'delivered');
    expect((await itemsOf(id)).map((i) => i.refunded_quantity)).toEqual([1, 0]);
    expect((await mailsTo(buyer.user.email)).filter((m) => m.subject.includes('refunded'))).toHaveLength(1);
  });

  it('refunds the rest of an order in full: every key and download revoked, the order refunded, no form left', async () => {
    const signed = await makeProduct(fx.catalog, { price: 900 });
    const file = await makeFileProduct(fx.catalog, { price: 500 });
    const { id } = await buy([
      [signed.sku, 1],
      [file.sku, 2],
    ]);
    const res = await post(`/admin/orders/${id}/refund`, { item: 'all', units: '', reason: 'Chargeback threatened', seen: '0' });
    expect(res.statusCode, res.body.slice(0, 500)).toBe(303);
    expect((await orderRow(id)).status).toBe('refunded');
    const body = await page(id);
    expect(body).toMatch(/<dd class="refunded-so-far">€19\.00 \(3 units\)<\/dd>/);
    expect(tableRows(body, 'download-grants').every((g) => g.endsWith('Revoked (refunded)'))).toBe(true);
    expect(tableRows(body, 'delivered-keys')).toEqual([expect.stringContaining('Revoked (refunded)')]);
    expect(body).toContain('Refunded in full.');
    expect(body).not.toContain(`action="/admin/orders/${id}/refund"`);
    expect(await gatewayRefunds(id)).toHaveLength(1);
  });

  it('refuses a refund without a reason, of too many units, of an unpaid order or an unknown item: clear 4xx, nothing refunded', async () => {
    const pool = await makeKeyLimProduct(fx, 2, { price: 700 });
    const { id } = await buy([[pool.sku, 2]]);
    const item = (await itemsOf(id))[0]!;

    const noReason = await post(`/admin/orders/${id}/refund`, { item: String(item.id), units: '1', reason: '   ', seen: '0' });
    expect(noReason.statusCode).toBe(400);
    expect(fieldError(noReason.body, 'refund-reason')).toBe(
      'Write the reason for the refund: it is kept in the order’s history and the audit log.',
    );
    expect(noReason.body).toContain('Nothing was done.');
    expect(noReason.headers['cache-control']).toBe('private, no-store');

    const tooMany = await post(`/admin/orders/${id}/refund`, { item: String(item.id), units: '5', reason: 'Too many', seen: '0' });
    expect(tooMany.statusCode).toBe(400);
    expect(fieldError(tooMany.body, 'refund-units')).toBe(`Only 2 of 2 units of ${pool.sku} are left to refund; asked for 5.`);
    // What the owner typed is kept.
    expect(tooMany.body).toContain('>Too many</textarea>');
    expect(tooMany.body).toMatch(/name="units"[^>]*value="5"/);

    const zero = await post(`/admin/orders/${id}/refund`, { item: String(item.id), units: '0', reason: 'None', seen: '0' });
    expect(zero.statusCode).toBe(400);
    expect(fieldError(zero.body, 'refund-units')).toBe('Write how many units to refund: a whole number, 1 or more.');

    const other = await post(`/admin/orders/${id}/refund`, { item: '999999', units: '1', reason: 'Wrong item', seen: '0' });
    expect(other.statusCode).toBe(400);
    expect(fieldError(other.body, 'refund-item')).toBe('Choose the whole order or one of its items.');

    expect((await orderRow(id)).status).toBe('fulfilled');
    expect(await gatewayRefunds(id)).toHaveLength(0);
    expect(await auditOf(id)).toHaveLength(0);

    const unpaid = await placeOrder(t.db, { product: pool, email: 'unpaid@example.com' });
    const refused = await post(`/admin/orders/${unpaid}/refund`, { item: 'all', reason: 'Try', seen: '0' });
    expect(refused.statusCode).toBe(409);
    expect(formAlert(refused.body, 'refund')).toBe(`Order ${unpaid} is pending: only paid orders can be refunded.`);
    expect((await orderRow(unpaid)).status).toBe('pending');

    const missing = await post('/admin/orders/ord_000000000000000000000000/refund', { item: 'all', reason: 'x' });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('There is no order with that id.');
  });

  it('refunds once when the same refund is sent twice at once, of one unit or of everything', async () => {
    const pool = await makeKeyLimProduct(fx, 3, { price: 1200 });
    const { id } = await buy([[pool.sku, 3]]);
    const item = (await itemsOf(id))[0]!;
    const form = { item: String(item.id), units: '1', reason: 'Double click', seen: '0' };
    const both = await Promise.all([post(`/admin/orders/${id}/refund`, form), post(`/admin/orders/${id}/refund`, form)]);
    expect(both.map((r) => r.statusCode).sort()).toEqual([303, 409]);
    const second = both.find((r) => r.statusCode === 409)!;
    expect(formAlert(second.body, 'refund')).toContain(
      `Order ${id} changed since you looked at it: another refund came first (1 unit is refunded now). Nothing more was refunded`,
    );
    expect((await itemsOf(id))[0]!.refunded_quantity).toBe(1);
    expect(await gatewayRefunds(id)).toHaveLength(1);

    const all = { item: 'all', reason: 'Twice at once', seen: '1' };
    const whole = await Promise.all([post(`/admin/orders/${id}/refund`, all), post(`/admin/orders/${id}/refund`, all)]);
    expect(whole.map((r) => r.statusCode).sort()).toEqual([303, 409]);
    expect(formAlert(whole.find((r) => r.statusCode === 409)!.body, 'refund')).toBe(`Order ${id} is already refunded in full.`);
    expect((await orderRow(id)).status).toBe('refunded');
    expect((await itemsOf(id))[0]!.refunded_quantity).toBe(3);
    expect(await gatewayRefunds(id)).toHaveLength(2);
    expect((await auditOf(id)).map((a) => a.action)).toEqual(['order.refund', 'order.refund']);
  });

  it('resends the receipt of a paid order, and says why not for an unpaid one', async () => {
    const signed = await makeProduct(fx.catalog, { price: 800 });
    const { id, buyer } = await buy([[signed.sku, 1]]);
    const receipts = async () => (await mailsTo(buyer.user.email)).filter((m) => m.subject.endsWith('payment received'));
    expect(await receipts()).toHaveLength(1);
    const res = await post(`/admin/orders/${id}/receipt`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(res.headers.location).toBe(`/admin/orders/${id}?done=receipt`);
    const sent = await receipts();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.text_body).toContain('Your license keys and downloads are ready on your order page.');
    expect(await page(id, '?done=receipt')).toContain('The receipt was queued for the buyer again.');
    expect((await auditOf(id)).map((a): unknown[] => [a.action, JSON.parse(a.after!)])).toEqual([
      ['order.receipt.resend', { to: buyer.user.email }],
    ]);

    const unpaid = await placeOrder(t.db, { product: signed, email: 'pending@example.com' });
    const refused = await post(`/admin/orders/${unpaid}/receipt`);
    expect(refused.statusCode).toBe(409);
    expect(formAlert(refused.body, 'receipt')).toBe('This order is pending: only a paid order has a receipt to resend.');
    expect(await mailsTo('pending@example.com')).toHaveLength(0);
  });

  it('resets and extends downloads by the grant rules; a revoked grant stays revoked; days outside 1–365 are refused', async () => {
    const file = await makeFileProduct(fx.catalog, { price: 400 });
    const other = await makeFileProduct(fx.catalog, { price: 300 });
    const { id } = await buy([
      [file.sku, 1],
      [other.sku, 1],
    ]);
    const [fileItem, otherItem] = await itemsOf(id);
    const grants = () =>
      t.db.kysely
        .selectFrom('download_grants')
        .selectAll()
        .where('order_item_id', 'in', [fileItem!.id, otherItem!.id])
        .orderBy('order_item_id')
        .execute();
    await t.db.kysely
      .updateTable('download_grants')
      .set({ downloads_used: 5 })
      .where('order_item_id', 'in', [fileItem!.id, otherItem!.id])
      .execute();
    const [g0] = await grants();

    const reset = await post(`/admin/orders/${id}/downloads`, { action: 'reset', item: String(fileItem!.id) });
    expect(reset.statusCode, reset.body.slice(0, 300)).toBe(303);
    expect(reset.headers.location).toBe(`/admin/orders/${id}?done=downloads-reset`);
    expect((await grants()).map((g) => g.downloads_used)).toEqual([0, 5]);

    const extend = await post(`/admin/orders/${id}/downloads`, { action: 'extend', item: '', days: '10' });
    expect(extend.statusCode).toBe(303);
    expect((await grants()).map((g) => g.expires_at - g0!.expires_at)).toEqual([10 * DAY, 10 * DAY]);
    expect(await page(id, '?done=downloads-extended')).toContain('Download access was extended.');

    for (const days of ['0', '1000', 'ten', '']) {
      const res = await post(`/admin/orders/${id}/downloads`, { action: 'extend', item: '', days });
      expect(res.statusCode, days).toBe(400);
      expect(fieldError(res.body, 'downloads-days'), days).toBe('Extend by a whole number of days from 1 to 365.');
    }
    const audit = await auditOf(id);
    expect(audit.map((a) => a.action)).toEqual(['order.downloads.reset', 'order.downloads.extend']);
    expect(JSON.parse(audit[0]!.before!)).toEqual([{ sku: file.sku, unit: 1, downloadsUsed: 5 }]);
    expect(JSON.parse(audit[0]!.after!)).toEqual([{ sku: file.sku, unit: 1, downloadsUsed: 0 }]);
    expect(JSON.parse(audit[1]!.after!)).toMatchObject({ days: 10, grants: [{ sku: file.sku }, { sku: other.sku }] });

    // Refund one item: its grant is revoked and cannot be reset; the other still can.
    expect(
      (await post(`/admin/orders/${id}/refund`, { item: String(fileItem!.id), units: '1', reason: 'Broken file', seen: '0' })).statusCode,
    ).toBe(303);
    const revoked = await post(`/admin/orders/${id}/downloads`, { action: 'reset', item: String(fileItem!.id) });
    expect(revoked.statusCode).toBe(409);
    expect(formAlert(revoked.body, 'downloads')).toBe(
      'These downloads were refunded and are revoked: a revoked download cannot be reset or extended.',
    );
    const partly = await post(`/admin/orders/${id}/downloads`, { action: 'reset', item: '' });
    expect(partly.headers.location).toBe(`/admin/orders/${id}?done=downloads-reset-partly`);
    expect((await grants()).map((g) => [g.status, g.downloads_used])).toEqual([
      ['revoked', 0],
      ['active', 0],
    ]);
  });

  it('resolves an order paid with the wrong amount: out of keys it stays in attention; with keys it is delivered with the note', async () => {
    const pool = await makeKeyLimProduct(fx, 1, { price: 1900 });
    const { id, buyer } = await buy([[pool.sku, 1]], { amount: 1800 });
    // Meanwhile another buyer takes the only key.
    await t.db.transaction((tx) =>
      fx.keyPool.reserveKeys(tx, { productId: pool.id, orderId: 'ord_rival', quantity: 1, until: Date.now() + 60_000 }),
    );
    const before = await page(id);
    expect(before).toContain(`action="/admin/orders/${id}/resolve"`);

    const noNote = await post(`/admin/orders/${id}/resolve`, { outcome: 'deliver', note: '' });
    expect(noNote.statusCode).toBe(400);
    expect(fieldError(noNote.body, 'resolve-note')).toBe(
      'Write a note on how you resolved it: it is kept in the order’s history and the audit log.',
    );

    const short = await post(`/admin/orders/${id}/resolve`, { outcome: 'deliver', note: 'Accepting €18' });
    expect(short.statusCode).toBe(409);
    expect(formAlert(short.body, 'resolve')).toBe(
      'The key pool has too few keys to deliver this order. Add keys to the product, or refund the order; it still needs attention.',
    );
    const flagged = await orderRow(id);
    expect(flagged.status).toBe('needs_attention');
    expect(flagged.attention_reason).toContain('Paid 1800 EUR');

    await fx.keyPool.importKeys(pool.id, [`LATE-${id}`]);
    const delivered = await post(`/admin/orders/${id}/resolve`, { outcome: 'deliver', note: 'Accepting €18, buyer asked' });
    expect(delivered.statusCode, delivered.body.slice(0, 300)).toBe(303);
    expect(delivered.headers.location).toBe(`/admin/orders/${id}?done=delivered`);
    expect(await orderRow(id)).toMatchObject({ status: 'fulfilled', attention_reason: null });
    const body = await page(id, '?done=delivered');
    expect(body).toContain('The order was delivered');
    expect(tableRows(body, 'order-events')).toContainEqual(
      expect.stringMatching(/needs_attention → fulfilled fulfilled_late owner: Accepting €18, buyer asked$/),
    );
    expect(tableRows(body, 'delivered-keys')).toEqual([expect.stringContaining('From the pool Active')]);
    expect((await mailsTo(buyer.user.email)).at(-1)!.text_body).toContain('Your license keys and downloads are ready');
    const [entry] = await auditOf(id);
    expect(entry!.action).toBe('order.resolve');
    expect(JSON.parse(entry!.after!)).toEqual({ status: 'fulfilled', outcome: 'deliver', note: 'Accepting €18, buyer asked' });

    const again = await post(`/admin/orders/${id}/resolve`, { outcome: 'deliver', note: 'Again' });
    expect(again.statusCode).toBe(409);
    expect(formAlert(again.body, 'resolve')).toBe('This order is fulfilled, not waiting for attention: there is nothing to resolve.');
  });

  it('resolves an order in attention by refunding it in full with the note; resolving a fulfilled order is refused', async () => {
    const signed = await makeProduct(fx.catalog, { price: 2500 });
    const { id, buyer } = await buy([[signed.sku, 1]], { amount: 2000 });
    const res = await post(`/admin/orders/${id}/resolve`, { outcome: 'refund', note: 'Paid too little; refunded', seen: '0' });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(303);
    expect(res.headers.location).toBe(`/admin/orders/${id}?done=resolved-refund`);
    expect(await orderRow(id)).toMatchObject({ status: 'refunded', attention_reason: null });
    const refunds = await gatewayRefunds(id);
    expect(refunds).toHaveLength(1);
    expect((refunds[0]!.event.data as { object: { amount: number } }).object.amount).toBe(2000);
    const body = await page(id);
    expect(tableRows(body, 'order-events')).toContainEqual(
      expect.stringContaining('needs_attention → refunded refund_full owner refund: 1 × '),
    );
    expect(tableRows(body, 'order-events').at(-1)).toContain('(Paid too little; refunded)');
    expect((await mailsTo(buyer.user.email)).at(-1)!.text_body).toContain('We refunded €20.00');
    expect((await auditOf(id)).map((a) => a.action)).toEqual(['order.resolve']);

    // Refunded from the Refund form instead: out of attention too, its reason no longer shown.
    const { id: viaRefund } = await buy([[signed.sku, 2]], { amount: 4000 });
    const item = (await itemsOf(viaRefund))[0]!;
    const partly = await post(`/admin/orders/${viaRefund}/refund`, { item: String(item.id), units: '1', reason: 'One of two', seen: '0' });
    expect(partly.statusCode).toBe(303);
    expect(await orderRow(viaRefund)).toMatchObject({ status: 'partially_refunded', attention_reason: null });
    expect(await page(viaRefund)).not.toContain('class="notice error attention-reason"');

    const { id: fine } = await buy([[signed.sku, 1]]);
    const refused = await post(`/admin/orders/${fine}/resolve`, { outcome: 'refund', note: 'No', seen: '0' });
    expect(refused.statusCode).toBe(409);
    expect(formAlert(refused.body, 'resolve')).toBe('This order is fulfilled, not waiting for attention: there is nothing to resolve.');
    expect(await gatewayRefunds(fine)).toHaveLength(0);
    expect((await orderRow(fine)).status).toBe('fulfilled');
  });

  it('is the 404 of an unknown page for anyone but the owner, on every action, and changes nothing', async () => {
    const signed = await makeProduct(fx.catalog, { price: 600 });
    const { id } = await buy([[signed.sku, 1]]);
    const buyer = await loginAs(t.app, 'new');
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/admin/no-such-page',
      headers: { ...SAME_ORIGIN_POST, cookie: buyer.cookie },
    });
    expect(unknown.statusCode).toBe(404);
    const actions: [string, Record<string, string>][] = [
      [`/admin/orders/${id}/refund`, { item: 'all', reason: 'Mine now', seen: '0' }],
      [`/admin/orders/${id}/receipt`, {}],
      [`/admin/orders/${id}/downloads`, { action: 'extend', days: '30' }],
      [`/admin/orders/${id}/resolve`, { outcome: 'refund', note: 'x' }],
      [`/admin/orders/${id}?done=refunded`, {}],
    ];
    for (const user of [null, buyer]) {
      for (const [url, fields] of actions) {
        const res = url.includes('?')
          ? await t.app.inject({ method: 'GET', url, headers: user ? { cookie: user.cookie } : {} })
          : await post(url, fields, user);
        expect(res.statusCode, url).toBe(404);
        expect(res.body.replace(/returnTo=[^"&]*/g, ''), url).toBe(
          (await t.app.inject({ method: 'GET', url: '/admin/no-such-page', headers: user ? { cookie: user.cookie } : {} })).body.replace(
            /returnTo=[^"&]*/g,
            '',
          ),
        );
      }
    }
    expect((await orderRow(id)).status).toBe('fulfilled');
    expect(await gatewayRefunds(id)).toHaveLength(0);
    expect(await auditOf(id)).toHaveLength(0);
  });
});
