import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testConfig } from '../support/env.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { checkoutServices, type CheckoutServices } from '../support/checkout-shop.js';
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
import { auditRowsFor, CLI_ACTOR, runStore, tempFile } from './cli-harness.js';

const DAY = 86_400_000;
// Tax on top of prices: a refunded unit's amount includes its share of the tax.
const SHOP_ENV = { PRICES_INCLUDE_TAX: 'false' };

describe.each(testDialects)('orders, refunds, grants and messages from the CLI on %s', (dialect) => {
  let gateway: DevGateway;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let t: TestApp;
  let fx: CatalogFixtures;
  let env: Record<string, string>;
  let shop: CheckoutServices['shop'];
  let checkout: CheckoutServices['checkout'];
  let cart: CheckoutServices['cart'];
  const store = (...argv: string[]) => runStore(argv, { db: t.db, env });

  beforeAll(async () => {
    gateway = await startTestGateway();
    env = { ...gatewayEnv(gateway), ...SHOP_ENV };
    t = await createTestApp(dialect, env);
    receiver = await startWebhookReceiver(forwardWebhooksTo(t.app));
    gateway.setWebhookUrl(receiver.url);
    fx = catalogFixtures(t.db);
    const config = testConfig(env);
    ({ shop, cart, checkout } = checkoutServices(t.db, fx, config, {
      // The shop's 20 % on top, for every buyer.
      tax: {
        pricesIncludeTax: false,
        assess: (_b, cats) => Promise.resolve({ rates: Object.fromEntries(cats.map((c) => [c, 2000])), reverseCharge: false }),
      },
    }));
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    await gateway.close();
  });

  const orderRow = (id: string) => t.db.kysely.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  async function waitFor<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    for (let i = 0; i < 400; i++) {
      const v = await read();
      if (ok(v)) return v;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  /** A buyer's checkout through the real services and the dev gateway; returns the order id (pending unless paid). */
  async function buy(lines: Array<[sku: string, quantity: number]>, { pay = true, email = 'buyer@example.test' } = {}) {
    const sub = `buyer-${randomUUID()}`;
    for (const [sku, quantity] of lines) await cart.addItem(sub, sku, quantity);
    const { orderId, paymentUrl } = await checkout.placeOrder({ sub, email }, randomUUID());
    if (pay) {
      await driveSession(gateway, new URL(paymentUrl!).pathname.split('/').pop()!, 'pay');
      await waitFor(
        'payment',
        () => orderRow(orderId),
        (o) => o.status === 'fulfilled',
      );
    }
    return orderId;
  }

  async function deliveries(orderId: string) {
    const items = await shop.orders.findItems(orderId);
    const { keys, grants } = await shop.fulfilment.findDeliveries(items.map((i) => i.id));
    return { items, keys, grants };
  }
  /** The charge a stored charge.refunded event carries. */
  const chargeIn = (payload: string) => (JSON.parse(payload) as { data: { object: Record<string, unknown> } }).data.object;
  const refundEvents = (orderId: string) =>
    t.db.kysely
      .selectFrom('payment_events')
      .select(['outcome', 'payload'])
      .where('order_id', '=', orderId)
      .where('type', '=', 'charge.refunded')
      .execute();
  /** Waits for the gateway's charge.refunded webhooks of an order to be processed by the store. */
  const processedRefunds = (orderId: string, count: number) =>
    waitFor(
      'refund webhooks',
      () => refundEvents(orderId),
      (rows) => rows.length >= count && rows.every((r) => r.outcome !== null),
    );

  it('refunds a whole order: gateway first, every unit revoked, and the webhook finds it already applied', async () => {
    const pool = await makeKeyLimProduct(fx, 3, { price: 1500 });
    const signed = await makeProduct(fx.catalog, { price: 900 });
    const file = await makeFileProduct(fx.catalog, { price: 500 });
    const orderId = await buy([
      [pool.sku, 2],
      [signed.sku, 1],
      [file.sku, 1],
    ]);
    expect((await orderRow(orderId)).total).toBe(5280); // (3000 + 900 + 500) + 20 %

    const r = await store('orders', 'refund', orderId);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(
      new RegExp(
        `^Refunded €52\\.80 of order ${orderId} \\(2 × ${pool.sku}, 1 × ${signed.sku}, 1 × ${file.sku}\\); the order is now refunded\\. Gateway refund re_\\w+\\. Credit note CN-\\d{4}-\\d{6}\\.\\n$`,
      ),
    );
    const after = await deliveries(orderId);
    expect(after.keys.map((k) => k.status)).toEqual(['revoked', 'revoked', 'revoked']);
    expect(after.grants.map((g) => g.status)).toEqual(['revoked']);
    expect(after.items.map((i) => i.refunded_quantity)).toEqual(after.items.map((i) => i.quantity));
    expect((await shop.keyPool.countByStatus([pool.id])).get(pool.id)).toEqual({ available: 1, reserved: 0, sold: 0, revoked: 2 });

    const [event] = await processedRefunds(orderId, 1);
    expect(event!.outcome).toBe('refund_already_applied');
    expect(chargeIn(event!.payload)).toMatchObject({ amount_refunded: 5280, refunded: true });
    expect((await shop.orders.findEvents(orderId)).map((e) => e.event)).toEqual(['created', 'payment_settled', 'refund_full']);

    const again = await store('orders', 'refund', orderId);
    expect(again).toMatchObject({ code: 1, stderr: `Order ${orderId} is already refunded in full.\n` });
    // /admin/audit: the refund form's row, with the command line as actor; the refused second refund wrote none.
    const audited = await auditRowsFor(t.db, orderId);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toMatchObject({
      action: 'order.refund',
      ...CLI_ACTOR,
      before: { status: 'fulfilled' },
      after: {
        status: 'refunded',
        amount: 5280,
        currency: 'EUR',
        reason: '',
        refunded: [
          { sku: pool.sku, units: 2 },
          { sku: signed.sku, units: 1 },
          { sku: file.sku, units: 1 },
        ],
      },
    });
    expect((audited[0]!.after as { refundId: string }).refundId).toMatch(/^re_/);
  });

  it('refunds units of one item with their tax share, then the rest; nothing is revoked twice', async () => {
    const pool = await makeKeyLimProduct(fx, 4, { price: 1500 });
    const file = await makeFileProduct(fx.catalog, { price: 500 });
    const orderId = await buy([
      [pool.sku, 3],
      [file.sku, 1],
    ]);
    expect((await orderRow(orderId)).total).toBe(6000);

    const tooMany = await store('orders', 'refund', orderId, '--item', pool.sku, '--units', '4');
    expect(tooMany).toMatchObject({ code: 1, stderr: `Only 3 of 3 units of ${pool.sku} are left to refund; asked for 4.\n` });
    const notThere = await store('orders', 'refund', orderId, '--item', 'NOT-IN-ORDER', '--units', '1');
    expect(notThere.code).toBe(1);
    expect(notThere.stderr).toContain(`Order ${orderId} has no item NOT-IN-ORDER`);

    const r = await store('orders', 'refund', orderId, '--item', pool.sku.toLowerCase(), '--units', '2', '--reason', 'Asked by mail');
    expect(r.code).toBe(0);
    expect((await shop.orders.findEvents(orderId)).at(-1)!.detail).toBe(`owner refund: 2 × ${pool.sku} (Asked by mail)`);
    expect(r.stdout).toContain(`Refunded €36.00 of order ${orderId} (2 × ${pool.sku}); the order is now partially_refunded.`);
    const [partial] = await processedRefunds(orderId, 1);
    expect(partial!.outcome).toBe('refund_already_applied');
    expect(chargeIn(partial!.payload).amount_refunded).toBe(3600);
    let now = await deliveries(orderId);
    const poolItem = now.items.find((i) => i.sku === pool.sku)!;
    expect(now.keys.map((k) => [k.unit_index, k.status])).toEqual([
      [0, 'active'],
      [1, 'revoked'],
      [2, 'revoked'],
    ]);
    expect(now.grants.map((g) => g.status)).toEqual(['active']);
    expect(poolItem.refunded_quantity).toBe(2);
    expect((await shop.keyPool.countByStatus([pool.id])).get(pool.id)).toEqual({ available: 1, reserved: 0, sold: 1, revoked: 2 });

    const rest = await store('orders', 'refund', orderId);
    expect(rest.stdout).toContain(`Refunded €24.00 of order ${orderId} (1 × ${pool.sku}, 1 × ${file.sku}); the order is now refunded.`);
    const events = await processedRefunds(orderId, 2);
    expect(events.map((e) => e.outcome)).toEqual(['refund_already_applied', 'refund_already_applied']);
    now = await deliveries(orderId);
    expect(now.keys.every((k) => k.status === 'revoked') && now.grants.every((g) => g.status === 'revoked')).toBe(true);
    expect(now.items.map((i) => i.refunded_quantity)).toEqual([3, 1]);
    expect((await shop.orders.findEvents(orderId)).map((e) => e.event)).toEqual([
      'created',
      'payment_settled',
      'refund_partial',
      'refund_full',
    ]);
  });

  it('refuses orders that are not paid or do not exist, changing nothing', async () => {
    const product = await makeProduct(fx.catalog, { price: 700 });
    const pending = await buy([[product.sku, 1]], { pay: false });
    const r = await store('orders', 'refund', pending);
    expect(r).toMatchObject({ code: 1, stderr: `Order ${pending} is pending: only paid orders can be refunded.\n` });
    expect((await orderRow(pending)).status).toBe('pending');
    expect(await store('orders', 'refund', 'ord_000000000000000000000000')).toMatchObject({
      code: 1,
      stderr: 'There is no order ord_000000000000000000000000.\n',
    });
  });

  it('lists and shows orders without ever printing a key', async () => {
    const pool = await makeKeyLimProduct(fx, 2, { price: 1200 });
    const email = `lister-${randomUUID().slice(0, 8)}@example.test`;
    const orderId = await buy([[pool.sku, 1]], { email });
    const list = await store('orders', 'list', '--email', email.toUpperCase(), '--json');
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ id: orderId, email, status: 'fulfilled', total: 1440, currency: 'EUR' }),
    ]);
    const table = await store('orders', 'list', '--status', 'fulfilled', '--limit', '1000');
    expect(table.stdout.split('\n')[0]).toMatch(/^ORDER +ID +CREATED \(UTC\) +STATUS +TOTAL +EMAIL$/);
    expect(table.stdout).toMatch(new RegExp(`#\\d{4,} +${orderId} +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +fulfilled +€14\\.40 +${email}`));
    expect((await store('orders', 'list', '--status', 'refunded', '--email', email)).stdout).toBe('(none)\n');

    const show = await store('orders', 'show', orderId);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^Order #\\d{4,} \\(${orderId}\\): fulfilled`));
    expect(show.stdout).toMatch(new RegExp(`\\n${pool.sku} +key_lim +€12\\.00 +1 +0 +`));
    expect(show.stdout).toMatch(/\nPayment events\n.*\n.*checkout\.session\.completed +fulfilled +evt_/);
    for (const key of pool.keys) expect(show.stdout).not.toContain(key);
    const json = JSON.parse((await store('orders', 'show', orderId, '--json')).stdout) as { keys: unknown[] };
    const [item] = await shop.orders.findItems(orderId);
    expect(json.keys).toEqual([{ itemId: item!.id, unit: 0, source: 'pool', status: 'active', revealedAt: null }]);
    expect(JSON.stringify(json)).not.toMatch(/key_encrypted|key_hash/);
    expect(await store('orders', 'show', 'ord_nope')).toMatchObject({ code: 1, stderr: 'There is no order ord_nope.\n' });
  });

  it('resets and extends download grants through the grant rules; refunded units stay revoked', async () => {
    const file = await makeFileProduct(fx.catalog, { price: 800, downloadLimit: 3, accessDays: 5 });
    const orderId = await buy([[file.sku, 2]]);
    const { grants } = await deliveries(orderId);
    await t.db.kysely
      .updateTable('download_grants')
      .set({ downloads_used: 3 })
      .where(
        'id',
        'in',
        grants.map((g) => g.id),
      )
      .execute();
    await store('orders', 'refund', orderId, '--item', file.sku, '--units', '1');

    const reset = await store('grants', 'reset', orderId);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain('1 of 2 download grants changed; refunded (revoked) grants stay revoked.');
    expect(reset.stdout).toMatch(new RegExp(`${file.sku} +1 +changed +0/3`));
    expect(reset.stdout).toMatch(new RegExp(`${file.sku} +2 +unchanged \\(revoked\\) +3/3`));
    let now = (await deliveries(orderId)).grants;
    expect(now.map((g) => [g.downloads_used, g.status])).toEqual([
      [0, 'active'],
      [3, 'revoked'],
    ]);

    const before = now[0]!.expires_at;
    const extend = await store('grants', 'extend', orderId, '--days', '10', '--item', file.sku.toLowerCase());
    expect(extend.code).toBe(0);
    now = (await deliveries(orderId)).grants;
    expect(now[0]!.expires_at).toBe(before + 10 * DAY);
    expect(now[1]!.expires_at).toBe(grants[1]!.expires_at);

    expect(await store('grants', 'extend', orderId)).toMatchObject({ code: 2 });
    // /admin/audit: the downloads form's rows for the grants that changed (the revoked one is not listed), the command line as actor.
    const [refund, resetRow, extendRow, ...more] = await auditRowsFor(t.db, orderId);
    expect(refund).toMatchObject({
      action: 'order.refund',
      ...CLI_ACTOR,
      before: { status: 'fulfilled' },
      after: { status: 'partially_refunded' },
    });
    expect(resetRow).toMatchObject({
      action: 'order.downloads.reset',
      ...CLI_ACTOR,
      before: [{ sku: file.sku, unit: 1, downloadsUsed: 3 }],
      after: [{ sku: file.sku, unit: 1, downloadsUsed: 0 }],
    });
    const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
    expect(extendRow).toMatchObject({
      action: 'order.downloads.extend',
      ...CLI_ACTOR,
      before: [{ sku: file.sku, unit: 1, accessUntil: minute(before) }],
      after: { days: 10, grants: [{ sku: file.sku, unit: 1, accessUntil: minute(before + 10 * DAY) }] },
    });
    expect(more).toEqual([]);
    const keyOnly = await buy([[(await makeProduct(fx.catalog)).sku, 1]]);
    expect(await store('grants', 'reset', keyOnly)).toMatchObject({ code: 1, stderr: `Order ${keyOnly} has no file items.\n` });
  });

  it('delivers an order paid too late for its keys once `keys import` adds some', async () => {
    const pool = await makeKeyLimProduct(fx, 1, { price: 1000 });
    const sub = `late-${randomUUID()}`;
    await cart.addItem(sub, pool.sku, 1);
    const { orderId, paymentUrl } = await checkout.placeOrder({ sub, email: 'late@example.test' }, randomUUID());
    // Its reservation ends and another buyer takes the only key; then the buyer pays anyway.
    await t.db.transaction(async (tx) => {
      await shop.orders.applyEvent(tx, orderId, 'reservation_expired');
      await shop.keyPool.releaseReservation(orderId, tx);
      await shop.keyPool.reserveKeys(tx, { productId: pool.id, orderId: 'ord_rival', quantity: 1, until: Date.now() + 60_000 });
    });
    await driveSession(gateway, new URL(paymentUrl!).pathname.split('/').pop()!, 'pay');
    await waitFor(
      'the late payment',
      () => orderRow(orderId),
      (o) => o.status === 'needs_attention',
    );

    const r = await store('keys', 'import', pool.sku, tempFile('keys.txt', 'LATE-KEY-1\nLATE-KEY-2\n'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Delivered 1 order that waited for these keys: ${orderId}.`);
    expect(await orderRow(orderId)).toMatchObject({ status: 'fulfilled', attention_reason: null });
    expect((await deliveries(orderId)).keys.map((k) => k.status)).toEqual(['active']);
  });

  it('lists contact messages newest first', async () => {
    for (const n of [1, 2, 3]) {
      await shop.contact.sendMessage(
        { name: `Sender ${n}`, email: `s${n}@example.test`, subject: `Subject ${n}`, message: `Message number ${n}, with\ntwo lines.` },
        { ip: '127.0.0.1', userSub: null },
      );
    }
    const r = await store('messages', 'list', '--limit', '2');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^#\d+ +\d{4}-\d\d-\d\d \d\d:\d\d UTC +Sender 3 <s3@example\.test>\nSubject: Subject 3\n {2}Message number 3, with\n {2}two lines\.\n\n#\d+ .*Sender 2/,
    );
    expect(r.stdout).not.toContain('Sender 1');
    const json = JSON.parse((await store('messages', 'list', '--json')).stdout) as { subject: string }[];
    expect(json.map((m) => m.subject).slice(0, 3)).toEqual(['Subject 3', 'Subject 2', 'Subject 1']);
  });
});
